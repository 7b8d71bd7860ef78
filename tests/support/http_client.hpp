#pragma once

#include "ws_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <vector>
#include <string>

namespace parley::test {

using http_response = boost::beast::http::response<boost::beast::http::string_body>;

/// An HTTP/1.1 connection to 127.0.0.1 that can carry several requests (keep-alive).
/// @note Every call is bounded by a timeout; a failed exchange returns status 0.
class http_connection {
public:
    explicit http_connection(unsigned short port);

    bool connected() const { return connected_; }

    /// Sends one request and reads the response. `raw_target` is sent as is.
    http_response request(std::string const& method, std::string const& raw_target,
                          header_list const& headers = {}, std::string body = {});

    /// Sends raw bytes (for malformed requests) and reads one response.
    http_response raw(std::string const& bytes);

    /// True when the server has closed this connection (read gives EOF).
    bool closed_by_server();

    /// Bytes received past the last response read (a second response, say).
    std::size_t buffered() const { return buffer_.size(); }

private:
    bool run_until(bool const& done, std::chrono::milliseconds timeout);
    http_response read_response(bool head = false);

    std::unique_ptr<boost::asio::io_context> ioc_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    bool connected_ = false;
};

/// One request on a fresh connection.
http_response http_get(unsigned short port, std::string const& target, header_list const& headers = {});

/// Every part of `conversation` as `token` may see them, in id order, read page by page
/// with `after` (ADD_FAILURE and what was read so far on a non-200).
std::vector<boost::json::object> whole_history(unsigned short port, std::uint64_t conversation, std::string const& token);

} // namespace parley::test
