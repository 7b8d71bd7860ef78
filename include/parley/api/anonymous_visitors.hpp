#pragma once

#include <parley/api/address_limit.hpp>
#include <parley/api/cors.hpp>
#include <parley/api/http_types.hpp>
#include <parley/auth/token.hpp>
#include <parley/config/config.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace parley::api {

/// Visitor identities for websites without a backend (SPEC §1), on sites with
/// `anonymous_visitors`:
///
///     POST /v1/sites/{site}/visitors         (no token)  → 201 {"token","visitor":{"id"},"expires_at"}
///     POST /v1/sites/{site}/visitors/renew   (that token) → 200, same visitor, new expiry
///
/// A new id is `anon-` and 22 random URL-safe characters (132 bits from the kernel's
/// random source). Creation is refused with 403 for an `Origin` outside the site's
/// `origins` (when it has any) and with 429 past `limits.anonymous_per_ip_per_min` per
/// client address. Any other site answers 404.
/// @note Thread-safe.
class anonymous_visitors {
public:
    anonymous_visitors(std::vector<config::site> const& sites, config::limits const& limits,
                       auth::token_verifier const& tokens, api::cors const& cors);

    /// The answer when `path` is one of the two endpoints, else nullopt. `peer` is the
    /// client's address.
    std::optional<http_response> handle(http_request const& req, std::string_view path, std::string_view peer) const;

private:
    http_response create(http_request const& req, config::site const& site, std::string_view peer) const;
    http_response renew(http_request const& req, config::site const& site) const;
    /// 201/200 with a fresh token for `visitor_id`.
    http_response issue(http_request const& req, config::site const& site, std::string const& visitor_id,
                        unsigned status) const;

    std::vector<config::site> const& sites_;
    auth::token_verifier const& tokens_;
    api::cors const& cors_;
    mutable address_limit per_address_;
};

} // namespace parley::api
