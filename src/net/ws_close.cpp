// How a WebSocket connection ends: the close frame after what is queued, the peer's
// frames read and dropped meanwhile, and never a reset while the close may be unread.

#include <parley/net/ws_session.hpp>
#include <parley/telemetry/log.hpp>

#include <boost/beast/core/bind_handler.hpp>

#include <linux/sockios.h>
#include <sys/ioctl.h>

namespace parley::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

/// How long the peer has to answer our close frame before we stop sending, and then
/// before the socket is dropped. Twice this stays within shutdown's drain limit.
constexpr auto close_grace = std::chrono::milliseconds(1500);
/// How long a peer that keeps reading what is queued (a slow consumer's last frames)
/// may take to reach the close frame.
constexpr auto close_patience = std::chrono::seconds(10);

std::string_view describe(websocket::close_code code) {
    switch (code) {
    case websocket::close_code::going_away: return "going_away";
    case websocket::close_code::policy_error: return "policy";
    case websocket::close_code::unknown_data: return "binary_frame";
    default: return code == ws_session::token_expired_close ? "token_expired" : "other";
    }
}

} // namespace

void ws_session::close_slow_consumer() {
    ctx_.metrics.slow_consumer_closed();
    log::warn("ws.slow_consumer", {{"conn", id_}, {"queued_bytes", std::uint64_t{queue_.bytes()}}});
    close(websocket::close_code::policy_error, "slow consumer");
}

void ws_session::close(websocket::close_code code, std::string_view reason) {
    if (closing_) return;
    closing_ = true;
    heartbeat_.cancel();
    token_expiry_.cancel();
    closing_since_ = clock::now();
    written_at_deadline_ = ws_.next_layer().bytes_written();
    unacked_at_deadline_ = unacked_bytes();
    log::info("ws.closing", {{"conn", id_}, {"code", static_cast<int>(code)}, {"why", describe(code)}});
    close_reason_ = websocket::close_reason(code, reason);
    close_deadline_.expires_after(close_grace);
    close_deadline_.async_wait(beast::bind_front_handler(&ws_session::on_close_deadline, shared_from_this()));
    // A write in flight finishes first (on_write then starts the handshake).
    if (in_flight_ == 0) {
        if (may_write()) do_write();
        else start_close_handshake();
    }
}

void ws_session::start_close_handshake() {
    if (close_started_) return;
    close_started_ = true;
    ws_.async_close(close_reason_, beast::bind_front_handler(&ws_session::on_close, shared_from_this()));
}

void ws_session::on_close_deadline(beast::error_code ec) {
    if (ec) return;
    auto const written = ws_.next_layer().bytes_written();
    // The peer is still taking something if more went into the socket, or if what
    // waits in the kernel's send queue shrank: a write blocked behind a full queue
    // completes only once much of it drained.
    auto const unacked = unacked_bytes();
    bool const reading = written != std::exchange(written_at_deadline_, written) ||
                         unacked < std::exchange(unacked_at_deadline_, unacked);
    if (reading && !shut_down_send_ && clock::now() - closing_since_ < close_patience) {
        close_deadline_.expires_after(close_grace);
        return close_deadline_.async_wait(beast::bind_front_handler(&ws_session::on_close_deadline, shared_from_this()));
    }
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    if (shut_down_send_) return socket.close(ignored);
    // The peer has not finished the handshake: end our side (FIN after the close frame,
    // which it can still read), and give it one more grace period before the socket goes.
    shut_down_send_ = true;
    start_close_handshake();
    socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    close_deadline_.expires_after(close_grace);
    close_deadline_.async_wait(beast::bind_front_handler(&ws_session::on_close_deadline, shared_from_this()));
}

std::size_t ws_session::unacked_bytes() {
    int queued = 0;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    if (!socket.is_open() || ::ioctl(socket.native_handle(), SIOCOUTQ, &queued) != 0) return 0;
    return static_cast<std::size_t>(queued);
}

void ws_session::on_close(beast::error_code) {
    heartbeat_.cancel();
    token_expiry_.cancel();
    close_deadline_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
}

void ws_session::abandon() {
    // While our own close handshake runs, it and its deadline own the socket.
    if (closing_) return;
    closing_ = true;
    heartbeat_.cancel();
    token_expiry_.cancel();
    // Beast leaves the socket open after a failed read; a write stuck behind a full
    // buffer would then keep this session (and its queue) alive forever.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
}

} // namespace parley::net
