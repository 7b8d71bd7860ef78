#include <parley/clock.hpp>
#include <parley/api/query_params.hpp>
#include <parley/net/http_session.hpp>
#include <parley/net/upgrade_gate.hpp>
#include <parley/net/ws_session.hpp>
#include <parley/telemetry/log.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include <chrono>

namespace parley::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using protocol::error_code;

namespace {

/// How long a client may take to send a request, or sit idle between keep-alive requests.
constexpr auto request_timeout = std::chrono::seconds(30);

/// Lingering close: how long, and how much, to read and drop after the last response.
constexpr auto linger_timeout = std::chrono::seconds(2);
constexpr std::size_t linger_limit_bytes = 1024 * 1024;
constexpr std::size_t drain_chunk = 16 * 1024;

/// Largest request header block; above it the request is refused with 400.
constexpr std::uint32_t header_limit = 16 * 1024;


bool targets_ws_endpoint(api::http_request const& req) {
    auto const target = api::split_target(req.target());
    return target && target->first == "/v1/ws";
}

} // namespace

http_session::http_session(asio::ip::tcp::socket&& socket, server_context& ctx)
    : stream_(std::move(socket)), ctx_(ctx) {}

void http_session::run() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::do_read() {
    // A fresh parser per request: body_limit applies to each request on the connection.
    parser_.emplace();
    parser_->body_limit(ctx_.config.limits.max_http_body_bytes);
    parser_->header_limit(header_limit);
    stream_.expires_after(request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
        return do_close();
    if (ec == http::error::body_limit) {
        auto req = parser_->release();
        req.keep_alive(false);
        return send(api::json_error(req, error_code::too_large, "request body too large"));
    }
    if (ec) {
        // Unparseable request: answer once, then drop the connection (we cannot resync).
        api::http_request req;
        req.version(11);
        req.keep_alive(false);
        return send(api::json_error(req, error_code::bad_request, "malformed HTTP request"));
    }

    auto req = parser_->release();
    if (beast::websocket::is_upgrade(req) && targets_ws_endpoint(req)) return upgrade(std::move(req));
    // The answer may come from a reader thread: it is written back on this strand.
    beast::error_code peer_ec;
    auto const peer = stream_.socket().remote_endpoint(peer_ec);
    ctx_.router.handle(
        std::move(req),
        [self = shared_from_this()](api::http_response res) {
            asio::dispatch(self->stream_.get_executor(),
                           [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
        },
        peer_ec ? std::string{} : peer.address().to_string());
}

void http_session::upgrade(api::http_request&& req) {
    auto admitted = admit_upgrade(req, ctx_.tokens, ctx_.config, now_unix());
    if (!admitted) {
        auto res = std::move(admitted.error());
        log::info("ws.refused", {{"status", res.result_int()}});
        res.keep_alive(false);
        return send(std::move(res));
    }
    ctx_.metrics.http_response(101);
    // The WebSocket keeps its own timers; the HTTP read deadline must not follow it.
    stream_.expires_never();
    std::make_shared<ws_session>(stream_.release_socket(), ctx_, std::move(*admitted))->run(std::move(req));
}

void http_session::send(api::http_response&& res) {
    ctx_.metrics.http_response(res.result_int());
    log::debug("http.response", {{"status", res.result_int()}});
    bool const keep_alive = res.keep_alive();
    response_.emplace(std::move(res));
    stream_.expires_after(request_timeout);
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&http_session::on_write, shared_from_this(), keep_alive));
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    response_.reset();
    if (ec) return do_close();
    if (!keep_alive) return do_close();
    do_read();
}

void http_session::do_close() {
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    // Lingering close: closing with the client's bytes still unread sends a reset, and
    // a reset can destroy the response just written (say, the 400 for an oversized
    // header) before the client reads it. Read and drop what it still sends, briefly.
    stream_.expires_after(linger_timeout);
    drain(0);
}

void http_session::drain(std::size_t drained) {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(drain_chunk), [self = shared_from_this(), drained](beast::error_code ec,
                                                                                               std::size_t n) {
        self->buffer_.commit(n);
        if (ec || drained + n >= linger_limit_bytes) return;
        self->drain(drained + n);
    });
}

} // namespace parley::net
