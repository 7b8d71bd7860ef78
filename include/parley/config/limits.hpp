#pragma once

#include <cstddef>
#include <cstdint>

namespace parley::config {

/// Per-connection and per-request limits (SPEC §3.4). Names match the `limits.*` keys.
struct limits {
    /// Largest inbound WebSocket message; a bigger one closes the connection with 1009.
    /// Checked before anything is parsed, so it bounds the memory one frame can take.
    /// Default: 131072
    std::size_t max_frame_bytes = 131072;

    /// Longest `body` of a part, in Unicode code points; longer gets `too_large`.
    /// Default: 10000
    std::size_t max_body_chars = 10000;

    /// Token-bucket refill rate of commands per connection; excess gets `rate_limited`.
    /// Default: 20
    double commands_per_s = 20;

    /// Token-bucket size: how many commands a connection may send at once after a pause.
    /// Default: 40
    std::uint32_t commands_burst = 40;

    /// Bytes queued for one connection that it has not read yet; past this the
    /// connection is closed with 1008 "slow consumer" so it never holds others back.
    /// Default: 4194304 (4 MiB)
    std::size_t max_queue_bytes = 4 * 1024 * 1024;

    /// Open WebSocket connections one actor (site + role + id) may hold; the one past
    /// this is closed with 1008.
    /// Default: 16
    std::uint32_t connections_per_actor = 16;

    /// Seconds without any frame or pong from the client before it is closed with 1001.
    /// Default: 60
    std::uint32_t idle_timeout_s = 60;

    /// Seconds between server pings; must be below idle_timeout_s so a live client
    /// always has a chance to answer.
    /// Default: 20
    std::uint32_t ping_interval_s = 20;

    /// Seconds a `random_id` is remembered for idempotent retries; older keys may be
    /// forgotten.
    /// Default: 86400
    std::uint32_t idempotency_window_s = 86400;

    /// Largest HTTP request body; larger gets 413.
    /// Default: 1048576 (1 MiB)
    std::size_t max_http_body_bytes = 1024 * 1024;

    /// Anonymous visitor tokens one client address may get per minute; more get 429.
    /// Default: 10
    std::uint32_t anonymous_per_ip_per_min = 10;

    /// Conversations the relay keeps in memory. Past this, idle ones (nobody subscribed,
    /// nothing being committed) are dropped and read from the store again when next used,
    /// so memory stays bounded however many conversations a server has seen.
    /// Default: 100000
    std::uint32_t conversations_in_memory = 100000;
};

} // namespace parley::config
