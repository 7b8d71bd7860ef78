#include <parley/auth/token.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace parley::auth {
namespace {

namespace json = boost::json;

constexpr std::int64_t now = 1'700'000'000;
std::string const secret_a = "site-a-secret-0123456789";
std::string const secret_b = "site-b-secret-9876543210";

token_verifier make_verifier() {
    return token_verifier({config::site{"a", secret_a, {}}, config::site{"b", secret_b, {}}});
}

std::string base64url(std::string_view in) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char c : in) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(alphabet[(buffer >> bits) & 0x3F]);
        }
    }
    if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 0x3F]);
    return out;
}

/// Signs an arbitrary payload (claims the minting code would never write) with libjwt.
/// The signer is only a fixture; the external_hs256_vector test checks the verifier
/// against a token produced outside libjwt.
std::string sign(json::object const& payload, std::string const& secret,
                 jwt_alg_t alg = JWT_ALG_HS256) {
    jwt_t* raw = nullptr;
    EXPECT_EQ(jwt_new(&raw), 0);
    std::unique_ptr<jwt_t, void (*)(jwt_t*)> jwt(raw, jwt_free);
    EXPECT_EQ(jwt_add_grants_json(jwt.get(), json::serialize(payload).c_str()), 0);
    EXPECT_EQ(jwt_set_alg(jwt.get(), alg, reinterpret_cast<unsigned char const*>(secret.data()),
                          static_cast<int>(secret.size())),
              0);
    std::unique_ptr<char, void (*)(void*)> encoded(jwt_encode_str(jwt.get()), std::free);
    EXPECT_NE(encoded, nullptr);
    return encoded ? std::string(encoded.get()) : std::string();
}

/// Claims that verify for site "a" at `now`; tests change one thing each.
json::object good_claims() {
    return {{"site", "a"}, {"sub", "v-1"}, {"role", "visitor"}, {"exp", now + 3600}};
}

std::vector<std::string> split(std::string const& token) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (auto dot = token.find('.'); dot != std::string::npos; dot = token.find('.', start)) {
        parts.push_back(token.substr(start, dot - start));
        start = dot + 1;
    }
    parts.push_back(token.substr(start));
    return parts;
}

token_error refusal(std::string const& token) {
    auto const result = make_verifier().verify(token, now);
    EXPECT_FALSE(result) << "accepted: " << token;
    return result ? token_error::missing : result.error();
}

TEST(token, minted_token_round_trips) {
    token_claims claims;
    claims.site = "b";
    claims.sub = "op-7";
    claims.role = role::operator_;
    claims.name = "Olga";
    claims.departments = std::vector<std::string>{"sales", "billing"};
    claims.expires_at = now + 60;
    auto const token = mint_token(claims, secret_b);
    ASSERT_TRUE(token.has_value());
    EXPECT_EQ(split(*token).size(), 3u);

    auto const who = make_verifier().verify(*token, now);
    ASSERT_TRUE(who) << describe(who.error());
    EXPECT_EQ(who->site, "b");
    EXPECT_EQ(who->id, "op-7");
    EXPECT_EQ(who->role, role::operator_);
    EXPECT_EQ(who->name, "Olga");
    EXPECT_EQ(who->departments, (std::vector<std::string>{"sales", "billing"}));
}

TEST(token, minimal_claims_leave_optional_fields_empty) {
    token_claims claims{"a", "bot-1", role::bot, std::nullopt, std::nullopt, now + 60};
    auto const who = make_verifier().verify(mint_token(claims, secret_a).value(), now);
    ASSERT_TRUE(who) << describe(who.error());
    EXPECT_EQ(who->role, role::bot);
    EXPECT_FALSE(who->name.has_value());
    EXPECT_FALSE(who->departments.has_value());
}

TEST(token, external_hs256_vector_verifies) {
    // Made with Python's hmac module, not libjwt: {"site":"acme","sub":"v-42",
    // "role":"visitor","exp":4102444800,"name":"Ann"} signed with "acme-secret-0123456789".
    std::string const token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                              "eyJzaXRlIjoiYWNtZSIsInN1YiI6InYtNDIiLCJyb2xlIjoidmlzaXRvciIsImV4cCI6"
                              "NDEwMjQ0NDgwMCwibmFtZSI6IkFubiJ9."
                              "9T6V7PsIUTgxwlC_JKHFxgCgyOT7sSUimnQq_SYLmhk";
    token_verifier const verifier({config::site{"acme", "acme-secret-0123456789", {}}});
    auto const who = verifier.verify(token, now);
    ASSERT_TRUE(who) << describe(who.error());
    EXPECT_EQ(who->id, "v-42");
    EXPECT_EQ(who->name, "Ann");
}

TEST(token, empty_is_missing) {
    EXPECT_EQ(refusal(""), token_error::missing);
}

TEST(token, not_three_parts_is_malformed) {
    for (std::string bad : {"abc", "a.b", "a.b.c.d", "...", "x"}) {
        SCOPED_TRACE(bad);
        EXPECT_EQ(refusal(bad), token_error::malformed);
    }
    auto const parts = split(sign(good_claims(), secret_a));
    EXPECT_EQ(refusal(parts[0] + "." + parts[1] + "." + parts[2] + ".extra"),
              token_error::malformed);
}

TEST(token, bad_base64_payload_is_malformed) {
    auto const parts = split(sign(good_claims(), secret_a));
    EXPECT_EQ(refusal(parts[0] + ".e30!*." + parts[2]), token_error::malformed);
    EXPECT_EQ(refusal(parts[0] + ".e3 0." + parts[2]), token_error::malformed);
}

TEST(token, non_json_or_non_object_payload_is_malformed) {
    auto const parts = split(sign(good_claims(), secret_a));
    EXPECT_EQ(refusal(parts[0] + "." + base64url("not json") + "." + parts[2]),
              token_error::malformed);
    EXPECT_EQ(refusal(parts[0] + "." + base64url("[\"a\"]") + "." + parts[2]),
              token_error::malformed);
}

TEST(token, oversized_token_is_malformed) {
    auto claims = good_claims();
    claims["name"] = std::string(9000, 'n');
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::malformed);
}

TEST(token, unknown_site) {
    auto claims = good_claims();
    claims["site"] = "zzz";
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::unknown_site);
}

TEST(token, site_claim_missing_or_not_a_string) {
    auto claims = good_claims();
    claims.erase("site");
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::unknown_site);
    claims["site"] = 1;
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::unknown_site);
}

TEST(token, signed_with_another_sites_secret) {
    // Claims site a but carries b's signature: a tenant must not speak for another.
    token_claims claims{"a", "v-1", role::visitor, std::nullopt, std::nullopt, now + 60};
    EXPECT_EQ(refusal(mint_token(claims, secret_b).value()), token_error::bad_signature);
}

TEST(token, tampered_payload) {
    auto const parts = split(sign(good_claims(), secret_a));
    auto claims = good_claims();
    claims["role"] = "operator";
    EXPECT_EQ(refusal(parts[0] + "." + base64url(json::serialize(claims)) + "." + parts[2]),
              token_error::bad_signature);
    // A flipped signature character is refused as well.
    auto signature = parts[2];
    signature[0] = signature[0] == 'A' ? 'B' : 'A';
    EXPECT_EQ(refusal(parts[0] + "." + parts[1] + "." + signature), token_error::bad_signature);
}

TEST(token, alg_none_is_refused) {
    auto const header = base64url(R"({"alg":"none","typ":"JWT"})");
    auto const payload = base64url(json::serialize(good_claims()));
    EXPECT_EQ(refusal(header + "." + payload + "."), token_error::bad_signature);
    auto const upper = base64url(R"({"alg":"NONE"})");
    EXPECT_EQ(refusal(upper + "." + payload + "."), token_error::bad_signature);
}

/// A token with any header, signed HS256 with `secret`: what libjwt would never write.
std::string sign_with_header(std::string_view header_json, json::object const& payload, std::string const& secret) {
    auto const signing_input = base64url(header_json) + "." + base64url(json::serialize(payload));
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<unsigned char const*>(signing_input.data()), signing_input.size(), mac, &length);
    return signing_input + "." + base64url({reinterpret_cast<char const*>(mac), length});
}

TEST(token, alg_must_be_exactly_HS256) {
    // Correctly signed with the site's secret, but libjwt alone would take each of these.
    for (std::string_view header : {R"({"alg":"hs256","typ":"JWT"})", R"({"alg":"Hs256"})",
                                    R"({"alg":"none","alg":"HS256"})", R"({"alg":"HS256","alg":"HS256"})",
                                    R"({"\u0061lg":"none","alg":"HS256"})", R"({"alg":"HS\u0032\u0035\u0036"})",
                                    R"({"typ":"JWT"})"}) {
        SCOPED_TRACE(header);
        EXPECT_EQ(refusal(sign_with_header(header, good_claims(), secret_a)), token_error::bad_signature);
    }
    EXPECT_TRUE(make_verifier().verify(sign_with_header(R"({"alg":"HS256","typ":"JWT"})", good_claims(), secret_a), now))
        << "the same signer with the exact header is accepted";
}

TEST(token, other_hmac_algorithm_is_refused) {
    // Right secret, wrong algorithm: the server only speaks HS256.
    EXPECT_EQ(refusal(sign(good_claims(), secret_a, JWT_ALG_HS512)), token_error::bad_signature);
}

TEST(token, expired) {
    auto claims = good_claims();
    claims["exp"] = now - 1;
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::expired);
    claims["exp"] = now; // expiry is exclusive
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::expired);
    claims["exp"] = now + 1;
    EXPECT_TRUE(make_verifier().verify(sign(claims, secret_a), now));
}

TEST(token, a_remembered_token_is_still_refused_from_its_exp_on) {
    auto claims = good_claims();
    claims["exp"] = now + 10;
    auto const token = sign(claims, secret_a);
    auto const verifier = make_verifier();
    auto first = verifier.verify(token, now);
    ASSERT_TRUE(first);
    auto again = verifier.verify(token, now + 9);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->id, first->id);
    EXPECT_EQ(again->site, "a");
    auto late = verifier.verify(token, now + 10);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error(), token_error::expired);
}

TEST(token, a_refused_token_is_refused_again_after_a_good_one) {
    auto const verifier = make_verifier();
    auto const good = sign(good_claims(), secret_a);
    ASSERT_TRUE(verifier.verify(good, now));
    // Same claims, another site's secret: a different token, never taken for the good one.
    auto const forged = sign(good_claims(), secret_b);
    ASSERT_NE(forged, good);
    for (int i = 0; i < 2; ++i) {
        auto refused = verifier.verify(forged, now);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error(), token_error::bad_signature);
    }
}

TEST(token, exp_missing_or_not_a_number) {
    auto claims = good_claims();
    claims.erase("exp");
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::expired);
    claims["exp"] = "4102444800";
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::expired);
}

TEST(token, role_invalid) {
    auto claims = good_claims();
    for (json::value bad :
         {json::value("admin"), json::value("Operator"), json::value(1), json::value()}) {
        SCOPED_TRACE(json::serialize(bad));
        claims["role"] = bad;
        EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
    }
    claims.erase("role");
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
}

TEST(token, sub_missing_empty_or_too_long) {
    auto claims = good_claims();
    claims.erase("sub");
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
    claims["sub"] = "";
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
    claims["sub"] = std::string(129, 'x');
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
    claims["sub"] = 42;
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
    claims["sub"] = std::string(128, 'x');
    auto const who = make_verifier().verify(sign(claims, secret_a), now);
    ASSERT_TRUE(who) << describe(who.error());
    EXPECT_EQ(who->id.size(), 128u);
}

TEST(token, name_of_wrong_shape) {
    auto claims = good_claims();
    claims["name"] = 5;
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
    claims["name"] = std::string(257, 'n');
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
}

TEST(token, departments_only_for_operators) {
    auto claims = good_claims();
    claims["departments"] = json::array{"sales"};
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
    claims["role"] = "bot";
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
    claims["role"] = "operator";
    auto const who = make_verifier().verify(sign(claims, secret_a), now);
    ASSERT_TRUE(who) << describe(who.error());
    EXPECT_EQ(who->departments, std::vector<std::string>{"sales"});
}

TEST(token, departments_must_be_an_array_of_strings) {
    auto claims = good_claims();
    claims["role"] = "operator";
    claims["departments"] = "sales";
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
    claims["departments"] = json::array{"sales", 3};
    EXPECT_EQ(refusal(sign(claims, secret_a)), token_error::bad_claims);
    claims["departments"] = json::array{};
    auto const who = make_verifier().verify(sign(claims, secret_a), now);
    ASSERT_TRUE(who) << describe(who.error());
    ASSERT_TRUE(who->departments.has_value());
    EXPECT_TRUE(who->departments->empty());
}

TEST(bearer_token, parses_the_scheme_case_insensitively) {
    EXPECT_EQ(bearer_token("Bearer abc.def.ghi"), "abc.def.ghi");
    EXPECT_EQ(bearer_token("bearer abc"), "abc");
    EXPECT_EQ(bearer_token("BEARER abc"), "abc");
    EXPECT_EQ(bearer_token("Bearer    abc"), "abc");
}

TEST(bearer_token, anything_else_is_empty) {
    EXPECT_EQ(bearer_token(""), "");
    EXPECT_EQ(bearer_token("abc.def.ghi"), "");
    EXPECT_EQ(bearer_token("Basic dXNlcjpwdw=="), "");
    EXPECT_EQ(bearer_token("Bearer"), "");
    EXPECT_EQ(bearer_token("Bearer "), "");
    EXPECT_EQ(bearer_token("Bearer   "), "");
    EXPECT_EQ(bearer_token("Bearerabc"), "");
}

} // namespace
} // namespace parley::auth
