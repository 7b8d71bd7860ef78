#pragma once

#include <parley/api/http_types.hpp>
#include <parley/api/query_params.hpp>
#include <parley/auth/actor.hpp>

#include <functional>
#include <memory>
#include <string>

namespace parley::api {

/// Where an answer goes: called exactly once, from any thread; the connection writes
/// it back on its own strand.
using responder = std::function<void(http_response)>;

/// One authenticated `/v1/` request on its way to its answer. Shared, because the
/// answer may be produced on a reader thread after the router has returned.
struct api_call {
    http_request req;
    auth::actor who;
    /// The path, percent-decoded, and the query, checked by each endpoint.
    std::string path;
    query_params query;
    /// Adds the CORS headers for the actor's site, then answers.
    std::function<void(http_response)> respond;

    /// A JSON error about this request.
    void fail(protocol::error_code code, std::string_view message) const { respond(json_error(req, code, message)); }
};

using call_ptr = std::shared_ptr<api_call>;

} // namespace parley::api
