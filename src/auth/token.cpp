// Token checks run once per upgrade or HTTP request. The payload is read twice on
// purpose: first unverified, only to learn which site's secret to check against;
// then every claim is taken from libjwt's verified copy.

#include <parley/auth/token.hpp>

#include <boost/json.hpp>
#include <jwt.h>

#include <memory>

namespace parley::auth {
namespace {

namespace json = boost::json;

struct jwt_deleter {
    void operator()(jwt_t* j) const { jwt_free(j); }
};
using jwt_ptr = std::unique_ptr<jwt_t, jwt_deleter>;

struct free_deleter {
    void operator()(char* p) const { std::free(p); }
};
using c_string = std::unique_ptr<char, free_deleter>;

std::optional<std::string> base64url_decode(std::string_view in) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '-') return 62;
        if (c == '_') return 63;
        return -1;
    };
    std::string out;
    out.reserve(in.size() * 3 / 4);
    unsigned buffer = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        int v = value(c);
        if (v < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

/// The header must name exactly `HS256`, once. libjwt reads `alg` case-insensitively and
/// lets a later duplicate key win, so its own answer alone is not enough. No header a JWT
/// library writes needs an escape, and without escapes a duplicate `alg` is visible.
bool names_hs256(std::string_view header_segment) {
    auto const header = base64url_decode(header_segment);
    if (!header || header->find('\\') != std::string::npos) return false;
    auto const key = header->find("\"alg\"");
    if (key == std::string::npos || header->find("\"alg\"", key + 1) != std::string::npos) return false;
    boost::system::error_code ec;
    auto const doc = json::parse(*header, ec);
    if (ec || !doc.is_object()) return false;
    auto const* alg = doc.get_object().if_contains("alg");
    return alg && alg->is_string() && alg->get_string() == "HS256";
}

/// The unverified `site` claim, used only to pick the secret to verify with.
expected<std::string, token_error> peek_site(std::string_view token) {
    auto const first = token.find('.');
    auto const second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
        return unexpected{token_error::malformed};
    auto const payload = base64url_decode(token.substr(first + 1, second - first - 1));
    if (!payload) return unexpected{token_error::malformed};
    boost::system::error_code ec;
    auto const doc = json::parse(*payload, ec);
    if (ec || !doc.is_object()) return unexpected{token_error::malformed};
    auto const* site = doc.get_object().if_contains("site");
    if (!site || !site->is_string()) return unexpected{token_error::unknown_site};
    return std::string(site->get_string());
}

expected<actor, token_error> actor_from_claims(json::object const& claims, std::int64_t now) {
    auto const* exp = claims.if_contains("exp");
    if (!exp || !(exp->is_int64() || exp->is_uint64() || exp->is_double()))
        return unexpected{token_error::expired};
    if (exp->to_number<double>() <= static_cast<double>(now)) return unexpected{token_error::expired};

    actor a;
    a.expires_at = static_cast<std::int64_t>(exp->to_number<double>());
    a.site = std::string(claims.at("site").get_string());
    auto const* sub = claims.if_contains("sub");
    if (!sub || !sub->is_string() || !is_valid_actor_id(sub->get_string())) return unexpected{token_error::bad_claims};
    a.id = std::string(sub->get_string());

    auto const* role_claim = claims.if_contains("role");
    if (!role_claim || !role_claim->is_string()) return unexpected{token_error::bad_claims};
    auto const r = role_from_string(role_claim->get_string());
    if (!r) return unexpected{token_error::bad_claims};
    a.role = *r;

    if (auto const* name = claims.if_contains("name"); name && !name->is_null()) {
        if (!name->is_string() || name->get_string().size() > 256)
            return unexpected{token_error::bad_claims};
        a.name = std::string(name->get_string());
    }
    if (auto const* deps = claims.if_contains("departments"); deps && !deps->is_null()) {
        if (a.role != role::operator_ || !deps->is_array()) return unexpected{token_error::bad_claims};
        std::vector<std::string> list;
        for (auto const& d : deps->get_array()) {
            if (!d.is_string()) return unexpected{token_error::bad_claims};
            list.emplace_back(d.get_string());
        }
        a.departments = std::move(list);
    }
    return a;
}

} // namespace

std::string_view describe(token_error e) {
    switch (e) {
    case token_error::missing: return "missing token";
    case token_error::malformed: return "malformed token";
    case token_error::unknown_site: return "token names an unknown site";
    case token_error::bad_signature: return "token signature is invalid";
    case token_error::expired: return "token has expired";
    case token_error::bad_claims: return "token claims are invalid";
    }
    return "invalid token";
}

token_verifier::token_verifier(std::vector<config::site> sites) : sites_(std::move(sites)) {}

expected<actor, token_error> token_verifier::verify(std::string_view token, std::int64_t now_unix) const {
    if (token.empty()) return unexpected{token_error::missing};
    // Bound the work an anonymous request can cause before the signature is checked.
    if (token.size() > 8192) return unexpected{token_error::malformed};
    if (auto known = verified_.find(token, now_unix)) return std::move(*known);
    return verify_uncached(token, now_unix);
}

expected<actor, token_error> token_verifier::verify_uncached(std::string_view token, std::int64_t now_unix) const {
    auto const site_id = peek_site(token);
    if (!site_id) return unexpected{site_id.error()};
    if (!names_hs256(token.substr(0, token.find('.')))) return unexpected{token_error::bad_signature};
    config::site const* site = nullptr;
    for (auto const& s : sites_)
        if (s.id == *site_id) site = &s;
    if (!site) return unexpected{token_error::unknown_site};

    jwt_t* raw = nullptr;
    std::string const token_z(token);
    auto const rc = jwt_decode(&raw, token_z.c_str(),
                               reinterpret_cast<unsigned char const*>(site->secret.data()),
                               static_cast<int>(site->secret.size()));
    jwt_ptr jwt(raw);
    if (rc != 0 || !jwt) return unexpected{token_error::bad_signature};
    // A token must not choose a weaker algorithm (`none`) or another family than HS256.
    if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return unexpected{token_error::bad_signature};

    c_string grants(jwt_get_grants_json(jwt.get(), nullptr));
    if (!grants) return unexpected{token_error::malformed};
    boost::system::error_code ec;
    auto const claims = json::parse(grants.get(), ec);
    if (ec || !claims.is_object()) return unexpected{token_error::malformed};
    // The secret was chosen by the unverified payload; the verified one must agree, or
    // a parser difference (duplicate keys) could let one site's token speak for another.
    auto const* verified_site = claims.get_object().if_contains("site");
    if (!verified_site || !verified_site->is_string() || verified_site->get_string() != *site_id)
        return unexpected{token_error::bad_signature};
    auto who = actor_from_claims(claims.get_object(), now_unix);
    if (who) verified_.remember(token, *who, claims.get_object().at("exp").to_number<double>());
    return who;
}

std::optional<std::string> mint_token(token_claims const& claims, std::string_view secret) {
    json::object payload;
    payload["site"] = claims.site;
    payload["sub"] = claims.sub;
    payload["role"] = to_string(claims.role);
    payload["exp"] = claims.expires_at;
    if (claims.name) payload["name"] = *claims.name;
    if (claims.departments) {
        json::array deps;
        for (auto const& d : *claims.departments) deps.emplace_back(d);
        payload["departments"] = std::move(deps);
    }

    jwt_t* raw = nullptr;
    if (jwt_new(&raw) != 0) return std::nullopt;
    jwt_ptr jwt(raw);
    auto const grants = json::serialize(payload);
    if (jwt_add_grants_json(jwt.get(), grants.c_str()) != 0) return std::nullopt;
    if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<unsigned char const*>(secret.data()),
                    static_cast<int>(secret.size())) != 0)
        return std::nullopt;
    c_string encoded(jwt_encode_str(jwt.get()));
    if (!encoded) return std::nullopt;
    return std::string(encoded.get());
}

std::string_view bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "Bearer ";
    if (authorization.size() <= scheme.size()) return {};
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
            std::tolower(static_cast<unsigned char>(scheme[i])))
            return {};
    auto token = authorization.substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    return token;
}

} // namespace parley::auth
