#pragma once

#include <parley/api/reader_pool.hpp>
#include <parley/api/router.hpp>
#include <parley/auth/token.hpp>
#include <parley/config/config.hpp>
#include <parley/relay/connection_registry.hpp>
#include <parley/relay/hub.hpp>
#include <parley/telemetry/metrics.hpp>

#include <atomic>
#include <cstdint>
#include <string>

namespace parley::net {

/// What every session needs from the server. Owned by the server, outlives every
/// session (the io_context is destroyed first).
/// @note The referenced objects are thread-safe; the context itself is immutable.
struct server_context {
    config::server_config const& config;
    auth::token_verifier const& tokens;
    api::router const& router;
    relay::connection_registry& connections;
    relay::hub& hub;
    /// Runs the commands that would load a conversation from the store, off the I/O threads.
    api::reader_pool& readers;
    telemetry::metrics& metrics;
    std::string const& epoch;
    /// Numbers connections for logs, which must not carry actor ids or addresses.
    std::atomic<std::uint64_t>& next_connection_id;
};

} // namespace parley::net
