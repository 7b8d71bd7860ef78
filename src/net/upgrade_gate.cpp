#include <parley/net/upgrade_gate.hpp>

#include <boost/url/parse.hpp>

#include <algorithm>

namespace parley::net {

namespace http = boost::beast::http;

std::string request_token(api::http_request const& req) {
    if (auto parsed = boost::urls::parse_origin_form(req.target())) {
        auto params = parsed->params();
        auto it = params.find("token");
        // An empty `?token=` (a widget with no token yet) must not hide a bearer header.
        if (it != params.end() && (*it).has_value && !(*it).value.empty()) return (*it).value;
    }
    return std::string(auth::bearer_token(req[http::field::authorization]));
}

expected<auth::actor, api::http_response> admit_upgrade(api::http_request const& req,
                                                        auth::token_verifier const& tokens,
                                                        config::server_config const& config,
                                                        std::int64_t now_unix) {
    auto who = tokens.verify(request_token(req), now_unix);
    if (!who) {
        auto res = api::json_error(req, protocol::error_code::unauthorized, auth::describe(who.error()));
        res.set(http::field::www_authenticate, "Bearer");
        return unexpected{std::move(res)};
    }
    auto const* site = config::find_site(config, who->site);
    auto const origin = req[http::field::origin];
    // Requests without Origin (bots, servers, apps) are not browsers: nothing to check.
    if (site && !site->origins.empty() && !origin.empty() &&
        std::find(site->origins.begin(), site->origins.end(), origin) == site->origins.end())
        return unexpected{api::json_error(req, protocol::error_code::forbidden, "origin not allowed")};
    return std::move(*who);
}

} // namespace parley::net
