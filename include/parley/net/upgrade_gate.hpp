#pragma once

#include <parley/api/http_types.hpp>
#include <parley/auth/token.hpp>
#include <parley/config/config.hpp>
#include <parley/expected.hpp>

#include <cstdint>

namespace parley::net {

/// Decides whether a WebSocket upgrade to `/v1/ws` may proceed (SPEC §1, §6): the token
/// (from `?token=` or `Authorization: Bearer`) must verify, and when the token's site
/// lists `origins`, a present `Origin` header must be one of them.
/// @return the actor, or the refusal to send instead of upgrading (401 or 403).
expected<auth::actor, api::http_response> admit_upgrade(api::http_request const& req,
                                                        auth::token_verifier const& tokens,
                                                        config::server_config const& config,
                                                        std::int64_t now_unix);

/// The token a request carries: the `token` query parameter, else the bearer token.
std::string request_token(api::http_request const& req);

} // namespace parley::net
