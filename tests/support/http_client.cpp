#include "http_client.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace parley::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

/// What a request that got no response at all yields: status 0, never mistaken for a
/// real answer (a default-constructed response says 200 OK).
http_response no_response() {
    http_response res;
    res.result(http::status::unknown);
    return res;
}

} // namespace

http_connection::http_connection(unsigned short port)
    : ioc_(std::make_unique<asio::io_context>()), stream_(*ioc_) {
    bool done = false;
    beast::error_code ec;
    stream_.expires_after(5s);
    stream_.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                          [&](beast::error_code e) { ec = e, done = true; });
    connected_ = run_until(done, 6s) && !ec;
}

bool http_connection::run_until(bool const& done, std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    ioc_->restart();
    while (!done) {
        auto const left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) return false;
        ioc_->run_one_for(left);
    }
    return true;
}

http_response http_connection::read_response(bool head) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    // A response to HEAD announces a Content-Length but carries no body.
    parser.skip(head);
    bool done = false;
    beast::error_code ec;
    stream_.expires_after(5s);
    http::async_read(stream_, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e, done = true; });
    if (!run_until(done, 6s) || ec) return no_response();
    return parser.release();
}

http_response http_connection::request(std::string const& method, std::string const& raw_target,
                                       header_list const& headers, std::string body) {
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(raw_target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1");
    for (auto const& [name, value] : headers) req.set(name, value);
    req.body() = std::move(body);
    req.prepare_payload();
    bool done = false;
    beast::error_code ec;
    stream_.expires_after(5s);
    http::async_write(stream_, req, [&](beast::error_code e, std::size_t) { ec = e, done = true; });
    if (!run_until(done, 6s) || ec) return no_response();
    return read_response(method == "HEAD");
}

http_response http_connection::raw(std::string const& bytes) {
    bool done = false;
    beast::error_code ec;
    stream_.expires_after(5s);
    asio::async_write(stream_, asio::buffer(bytes), [&](beast::error_code e, std::size_t) { ec = e, done = true; });
    if (!run_until(done, 6s) || ec) return no_response();
    return read_response();
}

bool http_connection::closed_by_server() {
    char byte;
    bool done = false;
    beast::error_code ec;
    stream_.expires_after(3s);
    stream_.async_read_some(asio::buffer(&byte, 1), [&](beast::error_code e, std::size_t) { ec = e, done = true; });
    if (!run_until(done, 4s)) return false;
    return ec == asio::error::eof || ec == asio::error::connection_reset;
}

http_response http_get(unsigned short port, std::string const& target, header_list const& headers) {
    http_connection c(port);
    return c.request("GET", target, headers);
}

std::vector<boost::json::object> whole_history(unsigned short port, std::uint64_t conversation, std::string const& token) {
    std::vector<boost::json::object> parts;
    std::uint64_t after = 0;
    for (;;) {
        auto res = http_get(port, "/v1/conversations/" + std::to_string(conversation) + "/parts?limit=500&after=" +
                                      std::to_string(after), {{"Authorization", "Bearer " + token}});
        if (res.result_int() != 200) {
            ADD_FAILURE() << "history of " << conversation << ": " << res.result_int() << " " << res.body();
            return parts;
        }
        auto page = boost::json::parse(res.body()).as_array();
        if (page.empty()) return parts;
        for (auto& p : page) {
            after = p.at("id").to_number<std::uint64_t>();
            parts.push_back(std::move(p.as_object()));
        }
    }
}

} // namespace parley::test
