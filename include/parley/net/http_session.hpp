#pragma once

#include <parley/api/http_types.hpp>
#include <parley/net/server_context.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <memory>
#include <optional>

namespace parley::net {

/// One HTTP/1.1 connection: reads requests (keep-alive), answers them through the
/// router, or hands the socket to a ws_session on a valid upgrade to `/v1/ws`.
/// @note Runs on its socket's strand; every pending operation holds shared_from_this().
class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(boost::asio::ip::tcp::socket&& socket, server_context& ctx);

    void run();

private:
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void upgrade(api::http_request&& req);
    void send(api::http_response&& res);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
    /// Half-closes, then drains what the client still sends before the socket goes.
    void do_close();
    void drain(std::size_t drained);

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    server_context& ctx_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    /// The response being written; kept here because the write reads from it.
    std::optional<api::http_response> response_;
};

} // namespace parley::net
