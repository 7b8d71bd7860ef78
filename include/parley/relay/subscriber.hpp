#pragma once

#include <functional>
#include <memory>
#include <string>

namespace parley::relay {

/// Why the relay asks a connection to go away; the transport maps each to a close code.
enum class close_reason {
    going_away,    ///< server shutting down (1001)
    over_limit,    ///< too many connections for this actor (1008)
    slow_consumer, ///< outbound queue passed its byte cap (1008)
};

/// What the relay needs from a connection. The relay never sees sockets, so routing is
/// testable with plain objects implementing this.
class subscriber {
public:
    virtual ~subscriber() = default;

    /// Queues one serialized frame. The buffer is shared by every recipient of the same
    /// message, so fan-out costs one serialization, not one per connection.
    /// @note Callable from any thread; never blocks, and never calls back into the hub:
    /// the hub calls it under its locks.
    virtual void deliver(std::shared_ptr<std::string const> frame) = 0;

    /// Asks the connection to close. @note Callable from any thread; idempotent; never
    /// calls back into the hub.
    virtual void disconnect(close_reason why) = 0;

    /// Shutdown has begun: take no more commands (answer them `unavailable`), keep
    /// delivering, and call `stopped` once no command can reach the hub any more. A
    /// going_away disconnect follows once what was taken is committed. @note Callable from
    /// any thread.
    virtual void stop_commands(std::function<void()> stopped) { stopped(); }
};

} // namespace parley::relay
