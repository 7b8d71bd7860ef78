#include <parley/api/anonymous_visitors.hpp>
#include <parley/clock.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <sys/random.h>

namespace parley::api {

namespace http = boost::beast::http;
namespace json = boost::json;
using protocol::error_code;

namespace {

constexpr std::string_view prefix = "/v1/sites/";
constexpr std::size_t id_characters = 22;

/// `anon-` and 22 characters of the URL-safe base64 alphabet, 6 random bits each.
std::optional<std::string> new_visitor_id() {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::array<unsigned char, id_characters> bytes{};
    std::size_t got = 0;
    while (got < bytes.size()) {
        auto const n = getrandom(bytes.data() + got, bytes.size() - got, 0);
        if (n < 0) return std::nullopt;
        got += static_cast<std::size_t>(n);
    }
    std::string id = "anon-";
    for (auto b : bytes) id += alphabet[b & 0x3F];
    return id;
}

} // namespace

anonymous_visitors::anonymous_visitors(std::vector<config::site> const& sites, config::limits const& limits,
                                       auth::token_verifier const& tokens, api::cors const& cors)
    : sites_(sites), tokens_(tokens), cors_(cors), per_address_(limits.anonymous_per_ip_per_min) {}

std::optional<http_response> anonymous_visitors::handle(http_request const& req, std::string_view path,
                                                        std::string_view peer) const {
    if (!path.starts_with(prefix)) return std::nullopt;
    auto rest = path.substr(prefix.size());
    auto const slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    auto const site_id = rest.substr(0, slash);
    auto const endpoint = rest.substr(slash);
    bool const renewing = endpoint == "/visitors/renew";
    if (endpoint != "/visitors" && !renewing) return std::nullopt;

    auto const site = std::find_if(sites_.begin(), sites_.end(), [&](auto const& s) { return s.id == site_id; });
    if (site == sites_.end() || !site->anonymous_visitors)
        return json_error(req, error_code::not_found, "no such endpoint");
    if (req.method() != http::verb::post) return method_not_allowed(req, "POST");
    auto res = renewing ? renew(req, *site) : create(req, *site, peer);
    cors_.decorate(req, site->id, res);
    return res;
}

http_response anonymous_visitors::create(http_request const& req, config::site const& site,
                                         std::string_view peer) const {
    if (!site.origins.empty()) {
        auto const origin = req[http::field::origin];
        if (std::find(site.origins.begin(), site.origins.end(), origin) == site.origins.end())
            return json_error(req, error_code::forbidden, "Origin: not among the site's origins");
    }
    if (!per_address_.take(peer, now_ms()))
        return json_error(req, error_code::rate_limited, "too many new visitors from this address; try again in a minute");
    auto id = new_visitor_id();
    if (!id) return json_error(req, error_code::unavailable, "no random source");
    return issue(req, site, *id, 201);
}

http_response anonymous_visitors::renew(http_request const& req, config::site const& site) const {
    auto who = tokens_.verify(auth::bearer_token(req[http::field::authorization]), now_unix());
    if (!who) {
        auto res = json_error(req, error_code::unauthorized, auth::describe(who.error()));
        res.set(http::field::www_authenticate, "Bearer");
        return res;
    }
    if (who->site != site.id || who->role != auth::role::visitor || !who->id.starts_with("anon-"))
        return json_error(req, error_code::forbidden, "only an anonymous visitor token of this site is renewed");
    return issue(req, site, who->id, 200);
}

http_response anonymous_visitors::issue(http_request const& req, config::site const& site,
                                        std::string const& visitor_id, unsigned status) const {
    auth::token_claims claims;
    claims.site = site.id;
    claims.sub = visitor_id;
    claims.role = auth::role::visitor;
    claims.expires_at = now_unix() + static_cast<std::int64_t>(site.anonymous_ttl_s);
    auto token = auth::mint_token(claims, site.secret);
    if (!token) return json_error(req, error_code::internal, "could not sign the token");
    json::object body{{"token", *token},
                      {"visitor", json::object{{"id", visitor_id}}},
                      {"expires_at", iso8601(claims.expires_at * 1000)}};
    return make_response(req, status, json::serialize(body), json_content_type);
}

} // namespace parley::api
