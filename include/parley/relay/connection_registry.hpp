#pragma once

#include <parley/auth/actor.hpp>
#include <parley/relay/subscriber.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::relay {

/// Every open WebSocket connection, grouped by actor: enforces
/// `limits.connections_per_actor` and lets shutdown reach every connection.
/// @note Thread-safe. Touched on connect and disconnect only, never per message.
class connection_registry {
public:
    explicit connection_registry(std::uint32_t max_per_actor);

    enum class admission {
        admitted,
        over_limit, ///< `who` already has the maximum open
        closed,     ///< shutdown has begun: no new connections
    };

    /// Registers `conn` for `who` unless the actor is at its limit or the registry is
    /// closed; nothing is registered then.
    [[nodiscard]] admission add(auth::actor const& who, std::shared_ptr<subscriber> const& conn);

    /// Forgets `conn`. Unknown connections are ignored.
    void remove(auth::actor const& who, subscriber const* conn);

    /// Open connections of `who`.
    std::size_t count(auth::actor const& who) const;

    /// Total open connections.
    std::size_t size() const;

    /// Refuses every later add() and asks every registered connection to close with
    /// `why`. Closing first means a handshake finishing during shutdown cannot slip in
    /// after the sweep and miss its close frame.
    void close_all(close_reason why);

    /// Asks every connection to stop taking commands (subscriber::stop_commands).
    /// @return how many have not stopped yet; it reaches 0 as each one does.
    std::shared_ptr<std::atomic<std::size_t>> stop_commands_all();

private:
    static std::string key_of(auth::actor const& who);
    /// Every connection still alive, taken under the lock; `close` also refuses new ones.
    std::vector<std::shared_ptr<subscriber>> live_connections(bool close);

    std::uint32_t const max_per_actor_;
    mutable std::mutex mutex_;
    struct entry {
        /// Identity for remove(), which runs when the weak_ptr has already expired.
        subscriber const* address;
        std::weak_ptr<subscriber> conn;
    };
    std::unordered_map<std::string, std::vector<entry>> by_actor_;
    std::size_t total_ = 0;
    bool closed_ = false;
};

} // namespace parley::relay
