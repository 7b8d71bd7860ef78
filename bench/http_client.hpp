#pragma once
// A keep-alive HTTP/1.1 client on one connection for load generation: one GET at a
// time (the history scenario is a closed loop), async, many per thread.

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace parley::bench {

class http_client : public std::enable_shared_from_this<http_client> {
public:
    /// `status` is 0 when the request failed below HTTP (the connection is then done).
    using on_response = std::function<void(unsigned status, std::string_view body)>;

    /// @param authorization the whole `Authorization` header value (`Bearer ...`)
    http_client(boost::asio::io_context& ioc, unsigned short port, std::string authorization);

    /// Connects; `ready` runs once either way.
    void connect(std::function<void(bool ok)> ready);

    /// Sends `GET target` and calls `done` with the response. One request at a time.
    void get(std::string_view target, on_response done);

    /// A header of the response being handed to `on_response`; empty when absent, and
    /// only valid inside that call.
    std::string_view header(std::string_view name) const;

    void close();

private:
    void on_written(boost::beast::error_code ec);
    void on_read(boost::beast::error_code ec);
    void finish(unsigned status, std::string_view body);

    boost::beast::tcp_stream stream_;
    unsigned short port_;
    boost::beast::flat_buffer buffer_;
    boost::beast::http::request<boost::beast::http::empty_body> request_;
    std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
    on_response done_;
};

} // namespace parley::bench
