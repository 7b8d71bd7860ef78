#include <parley/api/dev_tokens.hpp>
#include <parley/auth/token.hpp>
#include <parley/clock.hpp>

#include <boost/json.hpp>

#include <algorithm>

namespace parley::api {

namespace http = boost::beast::http;
namespace json = boost::json;
using protocol::error_code;

namespace {

constexpr std::int64_t ttl_s = 86400;

/// The claims a body asks for, or the 400 message naming the field at fault. The
/// limits are the ones the token verifier enforces, so every token minted here verifies.
expected<auth::token_claims, std::string> read_claims(json::object const& body,
                                                      std::vector<config::site> const& sites) {
    for (auto const& kv : body)
        if (kv.key() != "site" && kv.key() != "role" && kv.key() != "sub" && kv.key() != "name" &&
            kv.key() != "departments")
            return unexpected{std::string(kv.key()) + ": unknown field"};
    auth::token_claims c;
    auto const* site = body.if_contains("site");
    if (!site || !site->is_string()) return unexpected{std::string("site: expected the id of a configured site")};
    if (std::none_of(sites.begin(), sites.end(), [&](auto const& s) { return s.id == site->get_string(); }))
        return unexpected{std::string("site: no such site")};
    c.site = std::string(site->get_string());
    auto const* role = body.if_contains("role");
    auto const r = role && role->is_string() ? auth::role_from_string(role->get_string()) : std::nullopt;
    if (!r) return unexpected{std::string("role: expected visitor, operator or bot")};
    c.role = *r;
    auto const* sub = body.if_contains("sub");
    if (!sub || !sub->is_string() || !auth::is_valid_actor_id(sub->get_string()))
        return unexpected{std::string("sub: expected a string of 1 to 128 characters, no control characters")};
    c.sub = std::string(sub->get_string());
    if (auto const* name = body.if_contains("name"); name && !name->is_null()) {
        if (!name->is_string() || name->get_string().size() > 256)
            return unexpected{std::string("name: expected a string of at most 256 characters")};
        c.name = std::string(name->get_string());
    }
    if (auto const* deps = body.if_contains("departments"); deps && !deps->is_null()) {
        if (c.role != auth::role::operator_) return unexpected{std::string("departments: only for operators")};
        if (!deps->is_array()) return unexpected{std::string("departments: expected an array of strings")};
        std::vector<std::string> list;
        for (auto const& d : deps->get_array()) {
            if (!d.is_string() || d.get_string().empty())
                return unexpected{std::string("departments: expected an array of strings")};
            list.emplace_back(d.get_string());
        }
        c.departments = std::move(list);
    }
    c.expires_at = now_unix() + ttl_s;
    return c;
}

} // namespace

http_response dev_tokens::handle(http_request const& req) const {
    if (req.method() != http::verb::post) return method_not_allowed(req, "POST");
    boost::system::error_code ec;
    auto body = json::parse(req.body(), ec);
    if (ec || !body.is_object()) return json_error(req, error_code::bad_request, "body: expected a JSON object");
    auto claims = read_claims(body.get_object(), sites_);
    if (!claims) return json_error(req, error_code::bad_request, claims.error());
    auto const site = std::find_if(sites_.begin(), sites_.end(), [&](auto const& s) { return s.id == claims->site; });
    auto token = auth::mint_token(*claims, site->secret);
    if (!token) return json_error(req, error_code::internal, "could not sign the token");
    return make_response(req, 200, json::serialize(json::object{{"token", *token}}), json_content_type);
}

} // namespace parley::api
