#pragma once

#include <parley/auth/actor.hpp>
#include <parley/protocol/error_code.hpp>

#include <array>
#include <atomic>
#include <functional>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::telemetry {

/// Process-wide counters exported at `/metrics` in the Prometheus text format.
/// Every counter is a relaxed atomic: exact at rest, never a lock on the hot path.
/// @note All members are thread-safe.
class metrics {
public:
    void connection_opened(auth::role r) { connections_[index(r)].fetch_add(1, relaxed); }
    void connection_closed(auth::role r) { connections_[index(r)].fetch_sub(1, relaxed); }
    std::int64_t connections(auth::role r) const { return connections_[index(r)].load(relaxed); }

    /// Counts one HTTP response (including 101 upgrades and refusals) by status code.
    void http_response(unsigned status);
    void error_sent(protocol::error_code code) { errors_[index(code)].fetch_add(1, relaxed); }
    void messages_sent(std::uint64_t n) { messages_sent_.fetch_add(n, relaxed); }
    void slow_consumer_closed() { slow_consumer_closes_.fetch_add(1, relaxed); }
    void connection_refused_over_limit() { over_limit_closes_.fetch_add(1, relaxed); }

    /// One commit batch of `changes` write sets took `elapsed`; `ok` is false on error.
    void commit_batch(std::size_t changes, std::chrono::steady_clock::duration elapsed, bool ok);
    void parts_written(std::uint64_t n) { parts_written_.fetch_add(n, relaxed); }
    void events_written(std::uint64_t n) { events_written_.fetch_add(n, relaxed); }

    /// The exposition text served at `/metrics`.
    std::string render_prometheus() const;

    /// A value another part of the server keeps (keys the store read, conversations in
    /// memory, RocksDB's memory), read each time `/metrics` is rendered.
    struct sampled {
        std::string name;
        std::string type; ///< "counter" or "gauge"
        std::string help;
        std::function<std::uint64_t()> read;
    };
    /// @note Call before the server serves; `read` must be thread-safe.
    void sample_from(sampled source) { sampled_.push_back(std::move(source)); }

private:
    static constexpr auto relaxed = std::memory_order_relaxed;
    static constexpr unsigned first_status = 100;
    static constexpr unsigned status_slots = 500;

    static std::size_t index(auth::role r) { return static_cast<std::size_t>(r); }
    static std::size_t index(protocol::error_code c) { return static_cast<std::size_t>(c); }

    std::array<std::atomic<std::int64_t>, auth::role_count> connections_{};
    std::array<std::atomic<std::uint64_t>, status_slots> http_responses_{};
    std::array<std::atomic<std::uint64_t>, protocol::error_code_count> errors_{};
    std::atomic<std::uint64_t> messages_sent_{0};
    std::atomic<std::uint64_t> slow_consumer_closes_{0};
    std::atomic<std::uint64_t> over_limit_closes_{0};
    std::atomic<std::uint64_t> parts_written_{0};
    std::atomic<std::uint64_t> events_written_{0};
    std::vector<sampled> sampled_;
    std::atomic<std::uint64_t> commit_changes_{0};
    std::atomic<std::uint64_t> commit_failures_{0};

    /// Commit latency histogram: upper bounds in microseconds, cumulative on render.
    static constexpr std::array<std::uint64_t, 12> commit_bounds_us{
        50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 1000000};
    std::array<std::atomic<std::uint64_t>, commit_bounds_us.size() + 1> commit_buckets_{};
    std::atomic<std::uint64_t> commit_count_{0};
    std::atomic<std::uint64_t> commit_sum_us_{0};
};

} // namespace parley::telemetry
