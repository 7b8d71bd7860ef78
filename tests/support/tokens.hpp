#pragma once

#include "server_process.hpp"

#include <parley/auth/token.hpp>

#include <chrono>
#include <string>

namespace parley::test {

/// A token for `sub` on `site`, valid for `ttl_s` seconds (negative = already expired),
/// signed with `secret` (default: the site's own secret from test_config()).
inline std::string make_token(auth::role role, std::string const& sub, std::string const& site = "demo",
                              long ttl_s = 3600, std::string secret = {},
                              std::optional<std::string> name = std::nullopt) {
    auth::token_claims claims;
    claims.site = site;
    claims.sub = sub;
    claims.role = role;
    claims.name = std::move(name);
    claims.expires_at = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        ttl_s;
    if (secret.empty()) secret = site == "strict" ? strict_secret : demo_secret;
    return auth::mint_token(claims, secret).value_or("");
}

inline std::string visitor_token(std::string const& sub = "v1") {
    return make_token(auth::role::visitor, sub);
}

} // namespace parley::test
