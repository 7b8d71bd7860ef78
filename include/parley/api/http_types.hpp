#pragma once

#include <parley/protocol/error_code.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string_view>

namespace parley::api {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

inline constexpr std::string_view json_content_type = "application/json; charset=utf-8";

/// A response shaped after `req` (version, keep-alive) with `body` of `content_type`.
http_response make_response(http_request const& req, unsigned status, std::string body,
                            std::string_view content_type);

/// `{"error":{"code","message"}}` with the HTTP status of `code` (SPEC §5).
http_response json_error(http_request const& req, protocol::error_code code, std::string_view message);

/// 405 with the `Allow` header naming what the resource does accept.
http_response method_not_allowed(http_request const& req, std::string_view allow);

} // namespace parley::api
