#pragma once

#include <parley/auth/actor.hpp>
#include <parley/auth/verified_tokens.hpp>
#include <parley/config/config.hpp>
#include <parley/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::auth {

/// Why a token was refused. Every refusal is HTTP 401 before any upgrade (SPEC §1).
enum class token_error {
    missing,       ///< no token at all
    malformed,     ///< not three base64url parts of JSON
    unknown_site,  ///< `site` claim absent or not in the config
    bad_signature, ///< not HS256, or not signed with the site's secret
    expired,       ///< `exp` absent, not a number, or in the past
    bad_claims,    ///< `sub`, `role`, `name` or `departments` missing or of the wrong shape
};

/// A short, safe explanation for the 401 body. Never contains the token.
std::string_view describe(token_error e);

/// Checks tokens against the sites of the configuration, remembering the ones that
/// verified until their `exp` (verified_tokens).
/// @note Thread-safe after construction.
class token_verifier {
public:
    explicit token_verifier(std::vector<config::site> sites);

    /// Verifies signature (HS256 with the secret of the token's own `site`), `exp`
    /// against `now_unix`, and the claims of SPEC §1.
    /// @return the actor the token speaks for, or why it was refused.
    expected<actor, token_error> verify(std::string_view token, std::int64_t now_unix) const;

private:
    expected<actor, token_error> verify_uncached(std::string_view token, std::int64_t now_unix) const;

    std::vector<config::site> sites_;
    mutable verified_tokens verified_;
};

/// What a minted token says.
struct token_claims {
    std::string site;
    std::string sub;
    auth::role role = auth::role::visitor;
    std::optional<std::string> name;
    std::optional<std::vector<std::string>> departments;
    std::int64_t expires_at = 0; ///< unix seconds
};

/// Signs `claims` with HS256 and `secret`. @return the compact JWT, or nullopt if
/// libjwt fails (out of memory).
std::optional<std::string> mint_token(token_claims const& claims, std::string_view secret);

/// @return the bearer token of an `Authorization` header value (`Bearer X`), or empty.
std::string_view bearer_token(std::string_view authorization);

} // namespace parley::auth
