#include <parley/api/http_types.hpp>
#include <parley/version.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace parley::api {

namespace http = boost::beast::http;

http_response make_response(http_request const& req, unsigned status, std::string body,
                            std::string_view content_type) {
    http_response res{static_cast<http::status>(status), req.version()};
    res.set(http::field::server, "parley/" + std::string(version));
    res.set(http::field::content_type, content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

http_response json_error(http_request const& req, protocol::error_code code, std::string_view message) {
    boost::json::object err{{"code", protocol::to_string(code)}, {"message", message}};
    auto body = boost::json::serialize(boost::json::object{{"error", std::move(err)}});
    return make_response(req, protocol::http_status(code), std::move(body), json_content_type);
}

http_response method_not_allowed(http_request const& req, std::string_view allow) {
    boost::json::object err{{"code", "bad_request"}, {"message", "method not allowed"}};
    auto body = boost::json::serialize(boost::json::object{{"error", std::move(err)}});
    auto res = make_response(req, 405, std::move(body), json_content_type);
    res.set(http::field::allow, allow);
    return res;
}

} // namespace parley::api
