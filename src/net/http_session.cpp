#include <parley/clock.hpp>
#include <parley/api/query_params.hpp>
#include <parley/net/http_session.hpp>
#include <parley/net/request_framing.hpp>
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

/// Largest request header block (and trailer block); above it the request gets 431.
constexpr std::uint32_t header_limit = 16 * 1024;

/// What the read buffer may hold: a header block, or one chunk header with its
/// extensions, or a trailer block, plus a read's worth. A longer line fails the request
/// instead of growing the buffer (a chunk extension that never ends would otherwise fill
/// memory). Below 64 KiB on purpose: Beast does not bound trailers, and throws on a
/// trailer field value of 64 KiB or more.
constexpr std::size_t buffer_limit = header_limit + 32 * 1024;

std::size_t field_bytes(api::http_request const& req) {
    std::size_t n = 0;
    for (auto const& f : req) n += f.name_string().size() + f.value().size();
    return n;
}


bool targets_ws_endpoint(api::http_request const& req) {
    auto const target = api::split_target(req.target());
    return target && target->first == "/v1/ws";
}

} // namespace

http_session::http_session(asio::ip::tcp::socket&& socket, server_context& ctx)
    : stream_(std::move(socket)), buffer_(buffer_limit), ctx_(ctx) {
    on_chunk_header_ = [this](std::uint64_t, beast::string_view extensions, beast::error_code& ec) {
        extension_bytes_ += extensions.size();
        if (extension_bytes_ + parser_->get().body().size() > ctx_.config.limits.max_http_body_bytes)
            ec = http::error::body_limit;
    };
}

void http_session::run() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::do_read() {
    // A fresh parser per request: body_limit applies to each request on the connection.
    parser_.emplace();
    parser_->body_limit(ctx_.config.limits.max_http_body_bytes);
    parser_->header_limit(header_limit);
    parser_->on_chunk_header(on_chunk_header_);
    extension_bytes_ = 0;
    scanned_ = 0;
    stream_.expires_after(request_timeout);
    read_header_block();
}

void http_session::read_header_block() {
    auto const data = buffer_.cdata();
    std::string_view const text(static_cast<char const*>(data.data()), data.size());
    if (auto const end = text.find("\r\n\r\n", scanned_ > 3 ? scanned_ - 3 : 0); end != std::string_view::npos)
        return on_header_block(end + 4);
    scanned_ = text.size();
    if (text.size() > header_limit)
        return refuse(error_code::too_large, "header: larger than 16 KiB", 431);
    stream_.async_read_some(buffer_.prepare(header_limit + 1 - text.size()),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->buffer_.commit(n);
                                if (ec) return self->do_close(); // gone, or silent past the timeout
                                self->read_header_block();
                            });
}

void http_session::on_header_block(std::size_t size) {
    if (has_obs_fold({static_cast<char const*>(buffer_.cdata().data()), size}))
        return refuse(error_code::bad_request, "header: obsolete line folding");
    beast::error_code ec;
    auto const used = parser_->put(buffer_.cdata(), ec);
    buffer_.consume(used);
    if (ec) return on_read(ec, used); // a Content-Length past the body limit, say
    if (!parser_->is_header_done()) return refuse(error_code::bad_request, "request: not valid HTTP/1.1");
    // Refused before any body byte is read: the body of a request framed two ways must
    // never be taken for the next request on the connection.
    if (auto const problem = framing_problem(parser_->get())) return refuse(error_code::bad_request, *problem);
    // Only a chunked body can end in trailers: other requests skip counting.
    header_bytes_ = parser_->chunked() ? field_bytes(parser_->get()) : 0;
    if (parser_->is_done()) return on_read({}, used);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
        return do_close();
    if (ec == http::error::body_limit) return refuse(error_code::too_large, "request body too large");
    if (ec == http::error::header_limit) return refuse(error_code::too_large, "header: larger than 16 KiB", 431);
    // Unparseable (a chunk line past the buffer, a bad chunk size): answer once, then
    // drop the connection, since it cannot be resynchronised.
    if (ec) return refuse(error_code::bad_request, "request: not valid HTTP/1.1");
    // Trailers join the header's fields; together they stay within the header limit.
    if (parser_->chunked() && field_bytes(parser_->get()) - header_bytes_ > header_limit)
        return refuse(error_code::too_large, "trailer: larger than 16 KiB", 431);

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

void http_session::refuse(error_code code, std::string_view message, unsigned status) {
    api::http_request req;
    req.version(11);
    auto res = api::json_error(req, code, message);
    if (status != 0) res.result(status);
    res.keep_alive(false);
    send(std::move(res));
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
