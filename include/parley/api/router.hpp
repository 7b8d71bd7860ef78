#pragma once

#include <parley/api/history.hpp>
#include <parley/api/http_types.hpp>
#include <parley/api/static_files.hpp>
#include <parley/telemetry/metrics.hpp>

#include <atomic>

namespace parley::api {

/// Answers every plain HTTP request (everything but the WebSocket upgrade): the service
/// endpoints, the web folder, and JSON errors for unknown `/v1/` paths.
/// @note Thread-safe: handle() is const and touches only atomics and the file system.
class router {
public:
    /// @param ready true while the store is open and the server accepts work; `/readyz`
    ///        reports it. The server clears it when shutdown begins.
    /// @param history the conversation read side; null serves none (404).
    router(telemetry::metrics const& metrics, static_files const& web, std::atomic<bool> const& ready,
           history const* history = nullptr);

    http_response handle(http_request const& req) const;

private:
    http_response service(http_request const& req, std::string_view path) const;
    http_response web(http_request const& req) const;

    telemetry::metrics const& metrics_;
    static_files const& web_;
    std::atomic<bool> const& ready_;
    history const* history_;
};

} // namespace parley::api
