#include <parley/api/cors.hpp>

#include <algorithm>

namespace parley::api {

namespace http = boost::beast::http;

cors::cors(std::vector<config::site> const& sites) : sites_(sites) {}

bool cors::allowed(std::string_view site, std::string_view origin) const {
    if (origin.empty()) return false;
    for (auto const& s : sites_)
        if (s.id == site) return std::find(s.origins.begin(), s.origins.end(), origin) != s.origins.end();
    return false;
}

bool cors::allowed_anywhere(std::string_view origin) const {
    if (origin.empty()) return false;
    return std::any_of(sites_.begin(), sites_.end(), [&](auto const& s) {
        return std::find(s.origins.begin(), s.origins.end(), origin) != s.origins.end();
    });
}

void cors::add_headers(std::string_view origin, http_response& res) {
    res.set(http::field::access_control_allow_origin, origin);
    res.set(http::field::vary, "Origin");
    res.set(http::field::access_control_expose_headers, "X-Total-Count, Link");
}

void cors::decorate(http_request const& req, std::string_view site, http_response& res) const {
    auto const origin = req[http::field::origin];
    if (allowed(site, origin)) add_headers(origin, res);
}

void cors::decorate_any(http_request const& req, http_response& res) const {
    auto const origin = req[http::field::origin];
    if (allowed_anywhere(origin)) add_headers(origin, res);
}

http_response cors::preflight(http_request const& req) const {
    auto const origin = req[http::field::origin];
    if (!allowed_anywhere(origin)) return json_error(req, protocol::error_code::forbidden, "origin not allowed");
    auto res = make_response(req, 204, {}, json_content_type);
    res.erase(http::field::content_type);
    res.set(http::field::access_control_allow_origin, origin);
    res.set(http::field::vary, "Origin");
    res.set(http::field::access_control_allow_methods, "GET, POST, DELETE");
    res.set(http::field::access_control_allow_headers, "Authorization, Content-Type");
    res.set(http::field::access_control_max_age, "600");
    return res;
}

} // namespace parley::api
