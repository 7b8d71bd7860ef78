#pragma once

#include <parley/api/http_types.hpp>
#include <parley/auth/actor.hpp>
#include <parley/net/frame_header.hpp>
#include <parley/net/lane_stream.hpp>
#include <parley/net/outbound_queue.hpp>
#include <parley/net/rate_limiter.hpp>
#include <parley/net/server_context.hpp>
#include <parley/protocol/command.hpp>
#include <parley/relay/subscriber.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace parley::net {

/// One authenticated WebSocket connection on `/v1/ws` (SPEC §3).
///
/// Reads one frame at a time and answers each command; writes go through a bounded
/// outbound_queue with one write in flight, which carries every frame queued when it
/// starts (encoded here, written through lane_stream in one `sendmsg`), so a client that
/// stops reading is closed with 1008 once `limits.max_queue_bytes` is queued, and never
/// slows anyone else.
/// Pings every `limits.ping_interval_s`; closes with 1001 after `limits.idle_timeout_s`
/// without a frame or pong, and with 4001 when its token's `exp` passes without an
/// `auth.refresh`.
/// @note Every member runs on the socket's strand except deliver() and disconnect(),
/// which post to it and may be called from any thread.
class ws_session : public relay::subscriber, public std::enable_shared_from_this<ws_session> {
public:
    /// SPEC §3.4: the close code of a connection whose token expired.
    static constexpr auto token_expired_close = static_cast<boost::beast::websocket::close_code>(4001);

    ws_session(boost::asio::ip::tcp::socket&& socket, server_context& ctx, auth::actor who);
    ~ws_session() override;

    /// Completes the upgrade `req` asked for, then sends `hello`.
    void run(api::http_request req);

    void deliver(std::shared_ptr<std::string const> frame) override;
    void disconnect(relay::close_reason why) override;
    void stop_commands(std::function<void()> stopped) override;

private:
    using clock = std::chrono::steady_clock;

    void on_accept(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void handle_command(std::string_view text);
    /// Hands `cmd` to the hub: on this thread, or on a reader when the hub would first
    /// load its conversation from the store. Commands that come meanwhile wait, so the
    /// hub sees this connection's commands in the order they were sent.
    void dispatch_command(protocol::command cmd);
    void resume_after_load();
    void reply(std::string frame);

    /// Moves what deliver() collected into the outbound queue.
    void take_delivered();
    /// Queues `frame`; flush() starts the write, so a burst queued together goes in one.
    void enqueue(outbound_frame frame);
    void flush();
    bool may_write() const;
    void do_write();
    void on_write(boost::beast::error_code ec, std::size_t bytes);

    void arm_heartbeat();
    void on_heartbeat(boost::beast::error_code ec);

    /// `auth.refresh`: a fresh token for the same actor moves the connection's end.
    void refresh_token(protocol::command const& cmd);
    void arm_token_expiry();
    void on_token_expiry(boost::beast::error_code ec);

    /// Closes once. What is queued (answers to commands already taken) goes out first and
    /// the close frame after it, a slow consumer's bounded queue included; frames the
    /// client still sends are read and discarded until its close frame. A peer that reads
    /// nothing for a grace period (a client that never reads) is shut down for sending,
    /// and the socket dropped after a second one: never a reset while the close frame may
    /// still be unread. A peer that is reading, however slowly, has until close_patience.
    void close(boost::beast::websocket::close_code code, std::string_view reason);
    void start_close_handshake();
    void on_close_deadline(boost::beast::error_code ec);
    void close_slow_consumer();
    void on_close(boost::beast::error_code ec);
    /// Bytes in the socket's send queue the peer has not acknowledged yet (SIOCOUTQ).
    std::size_t unacked_bytes();
    /// The transport failed (peer gone, reset): drop the socket so every pending
    /// operation ends and the session can go.
    void abandon();

    boost::beast::websocket::stream<lane_stream> ws_;
    boost::beast::flat_buffer buffer_;
    server_context& ctx_;
    auth::actor const actor_;
    std::uint64_t const id_;
    outbound_queue queue_;
    rate_limiter commands_;
    boost::asio::steady_timer heartbeat_;
    boost::asio::steady_timer close_deadline_;
    boost::asio::steady_timer token_expiry_;
    /// The `exp` of the newest token this connection was given (unix seconds).
    std::int64_t token_expires_at_;
    clock::time_point last_heard_;
    clock::time_point last_ping_;
    /// The write in flight: its frame headers and the buffers it gathers (headers
    /// interleaved with the shared frame texts), and how many queued frames it carries.
    std::vector<frame_header> headers_;
    std::vector<boost::asio::const_buffer> gather_;
    std::size_t in_flight_ = 0;
    /// When the write in flight began; a write older than the idle timeout means the
    /// client has stopped reading.
    clock::time_point write_started_;
    /// Frames delivered from other threads, waiting for the strand: one post per burst
    /// instead of one per frame (a commit batch hands a connection many at once).
    std::mutex delivered_mutex_;
    std::vector<std::shared_ptr<std::string const>> delivered_;
    /// The strand's side of the swap; keeps its capacity between bursts.
    std::vector<std::shared_ptr<std::string const>> taking_;
    /// A command is on a reader thread; these wait for it, in order.
    bool loading_ = false;
    std::deque<protocol::command> waiting_;
    bool registered_ = false;
    /// Shutdown has begun: commands are answered `unavailable`.
    bool stopped_commands_ = false;
    /// Told once the commands taken before the stop have all reached the hub.
    std::function<void()> on_commands_stopped_;
    /// close() was called: nothing more is queued.
    bool closing_ = false;
    /// The close frame is on its way: nothing more is written.
    bool close_started_ = false;
    bool shut_down_send_ = false;
    /// When close() was called, and the bytes written by then or by the last deadline:
    /// a deadline that finds them grown waits again.
    clock::time_point closing_since_;
    std::uint64_t written_at_deadline_ = 0;
    std::size_t unacked_at_deadline_ = 0;
    boost::beast::websocket::close_reason close_reason_;
};

} // namespace parley::net
