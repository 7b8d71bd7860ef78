#pragma once

#include <parley/api/http_types.hpp>
#include <parley/net/server_context.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstdint>
#include <functional>
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
    /// Reads until the header block is whole (or past the header limit), so its raw
    /// form can be checked before Beast parses it.
    void read_header_block();
    void on_header_block(std::size_t size);
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    /// Answers `code` (with `status` instead of its own when given) and closes.
    void refuse(protocol::error_code code, std::string_view message, unsigned status = 0);
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
    /// How much of buffer_ was searched for the end of the header block.
    std::size_t scanned_ = 0;
    /// Chunk extensions count against the body limit: they are bytes the client sends.
    std::uint64_t extension_bytes_ = 0;
    /// Field bytes of the header, to tell how much the trailers added.
    std::size_t header_bytes_ = 0;
    std::function<void(std::uint64_t, boost::beast::string_view, boost::beast::error_code&)> on_chunk_header_;
    /// The response being written; kept here because the write reads from it.
    std::optional<api::http_response> response_;
};

} // namespace parley::net
