#pragma once

#include <parley/api/api_call.hpp>
#include <parley/api/cors.hpp>
#include <parley/api/http_types.hpp>
#include <parley/api/static_files.hpp>
#include <parley/auth/token.hpp>
#include <parley/telemetry/metrics.hpp>

#include <atomic>
#include <functional>

namespace parley::api {

class anonymous_visitors;
class dev_tokens;
class history;
class conversation_list;
class transcript_export;
class visitor_erase;
class http_commands;

/// The authenticated API under `/v1/` (SPEC §5), each part owned by the server.
struct v1_endpoints {
    auth::token_verifier const& tokens;
    api::cors const& cors;
    api::history const& history;
    conversation_list const& list;
    transcript_export const& exports;
    visitor_erase const& erase;
    http_commands const& commands;
    /// `POST /v1/sites/{site}/visitors[/renew]`: answered without a token (SPEC §1).
    api::anonymous_visitors const& anonymous;
    /// `POST /v1/dev/token` when the config enables it; null: an unknown path like any other.
    api::dev_tokens const* dev = nullptr;
};

/// Answers every plain HTTP request (everything but the WebSocket upgrade): the service
/// endpoints, the web folder, and the API. Under `/v1/` the token is checked before
/// anything else, so a refused token is 401 on every path, built or not.
/// @note Thread-safe: handle() is const; endpoints that read the store answer later,
/// from a reader thread.
class router {
public:
    /// @param ready true while the server accepts work and its store takes writes;
    ///        `/readyz` reports it. Called on I/O threads: it must not block.
    /// @param v1 the API; null serves none (404).
    router(telemetry::metrics const& metrics, static_files const& web, std::function<bool()> ready,
           v1_endpoints const* v1 = nullptr);

    /// Answers `req` through `done`, exactly once, now or later. `peer` is the client's
    /// address (the per-address limit of anonymous visitors counts by it).
    void handle(http_request req, responder done, std::string_view peer = {}) const;

private:
    http_response service(http_request const& req, std::string_view path) const;
    http_response web(http_request const& req) const;
    /// A `/v1/` request; nullopt when it was handed to an endpoint that answers itself.
    std::optional<http_response> api(http_request&& req, std::string path, std::string_view query,
                                     std::string_view peer, responder const& done) const;

    telemetry::metrics const& metrics_;
    static_files const& web_;
    std::function<bool()> ready_;
    v1_endpoints const* v1_;
};

} // namespace parley::api
