#include <parley/net/ws_session.hpp>
#include <parley/protocol/fields.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/telemetry/log.hpp>
#include <parley/version.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>

namespace parley::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using protocol::error_code;

namespace {

/// Bounds on one write, so one busy connection's turn on the loop stays short.
constexpr std::size_t max_frames_per_write = 256;
constexpr std::size_t max_bytes_per_write = 256 * 1024;

/// How long a client has to finish the opening handshake.
constexpr auto handshake_timeout = std::chrono::seconds(10);

} // namespace

ws_session::ws_session(asio::ip::tcp::socket&& socket, server_context& ctx, auth::actor who)
    : ws_(std::move(socket)), ctx_(ctx), actor_(std::move(who)), id_(ctx.next_connection_id.fetch_add(1)),
      queue_(ctx.config.limits.max_queue_bytes),
      commands_(ctx.config.limits.commands_per_s, ctx.config.limits.commands_burst), heartbeat_(ws_.get_executor()),
      close_deadline_(ws_.get_executor()), token_expiry_(ws_.get_executor()), token_expires_at_(actor_.expires_at),
      last_heard_(clock::now()), last_ping_(clock::now()) {}

ws_session::~ws_session() {
    ctx_.hub.forget(this);
    if (registered_) {
        ctx_.connections.remove(actor_, this);
        ctx_.metrics.connection_closed(actor_.role);
    }
    log::info("ws.close", {{"conn", id_}});
}

void ws_session::run(api::http_request req) {
    // Beast checks the size before buffering a message and fails it with 1009; it also
    // validates UTF-8 of text frames and fails bad ones with 1007.
    ws_.read_message_max(ctx_.config.limits.max_frame_bytes);
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none(); // our heartbeat owns idleness
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(beast::http::field::server, "parley/" + std::string(version));
    }));
    // Any frame from the client is a sign of life (SPEC §3.4), control frames included.
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
        if (kind != websocket::frame_type::close) last_heard_ = clock::now();
    });
    ws_.async_accept(req, beast::bind_front_handler(&ws_session::on_accept, shared_from_this()));
}

void ws_session::on_accept(beast::error_code ec) {
    if (ec) {
        log::info("ws.handshake_failed", {{"conn", id_}, {"error", ec.message()}});
        return;
    }
    switch (ctx_.connections.add(actor_, shared_from_this())) {
    case relay::connection_registry::admission::admitted: break;
    case relay::connection_registry::admission::over_limit:
        ctx_.metrics.connection_refused_over_limit();
        log::info("ws.over_limit", {{"conn", id_}, {"role", auth::to_string(actor_.role)}});
        return close(websocket::close_code::policy_error, "too many connections");
    case relay::connection_registry::admission::closed:
        return close(websocket::close_code::going_away, "server shutting down");
    }
    registered_ = true;
    ctx_.metrics.connection_opened(actor_.role);
    log::info("ws.open", {{"conn", id_}, {"role", auth::to_string(actor_.role)}, {"site", actor_.site}});

    reply(protocol::hello_frame(actor_, version, ctx_.epoch, ctx_.config.limits));
    last_heard_ = clock::now();
    last_ping_ = last_heard_;
    arm_heartbeat();
    arm_token_expiry();
    do_read();
}

void ws_session::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ws_session::on_read, shared_from_this()));
}

void ws_session::on_read(beast::error_code ec, std::size_t) {
    if (ec) {
        // Beast has already sent 1009 (too big) or 1007 (bad UTF-8) where those apply.
        // A tab closed without a close frame is ordinary; only other failures are news.
        bool const ordinary = ec == websocket::error::closed || ec == asio::error::operation_aborted ||
                              ec == asio::error::connection_reset || ec == asio::error::not_connected ||
                              ec == asio::error::eof || ec == beast::error::timeout;
        log::write(ordinary ? log::level::debug : log::level::info, "ws.read_ended",
                   {{"conn", id_}, {"error", ec.message()}});
        return abandon();
    }
    last_heard_ = clock::now();
    if (closing_) {
        // Read and dropped: a client still sending must not fill our receive buffer
        // (closing a socket with unread bytes sends a reset) nor wait on us while our
        // close frame waits on it.
        buffer_.consume(buffer_.size());
        return do_read();
    }
    if (!ws_.got_text()) {
        buffer_.consume(buffer_.size());
        return close(websocket::close_code::unknown_data, "binary frames are not supported");
    }
    auto const data = buffer_.cdata();
    handle_command(std::string_view(static_cast<char const*>(data.data()), data.size()));
    buffer_.consume(buffer_.size());
    do_read();
}

void ws_session::handle_command(std::string_view text) {
    // Every frame costs a token, parsed or not: malformed frames are no cheaper to
    // answer than commands, and must not be a way around the limit.
    bool const allowed = commands_.try_take();
    auto cmd = protocol::parse_command(text);
    if (!allowed) {
        protocol::command_error const limited{error_code::rate_limited, "too many commands", cmd ? cmd->ref : cmd.error().ref, {}};
        ctx_.metrics.error_sent(limited.code);
        return reply(protocol::error_frame(limited));
    }
    if (!cmd) {
        ctx_.metrics.error_sent(cmd.error().code);
        return reply(protocol::error_frame(cmd.error()));
    }
    if (stopped_commands_) {
        auto err = protocol::error_for(*cmd, error_code::unavailable, "server shutting down");
        if (auto const* rid = cmd->fields.if_contains("random_id"); rid && rid->is_string())
            err.random_id = std::string(rid->get_string());
        ctx_.metrics.error_sent(err.code);
        return reply(protocol::error_frame(err));
    }
    // A ping is answered at once, even behind a load: it is about the connection.
    if (cmd->op == "ping") return reply(protocol::pong_frame(cmd->ref));
    if (cmd->op == "auth.refresh") return refresh_token(*cmd);
    dispatch_command(std::move(*cmd));
}

void ws_session::dispatch_command(protocol::command cmd) {
    if (loading_) return waiting_.push_back(std::move(cmd));
    if (!ctx_.hub.needs_load(cmd)) return ctx_.hub.handle({actor_, shared_from_this()}, cmd);
    loading_ = true;
    ctx_.readers.post([self = shared_from_this(), cmd = std::move(cmd)] {
        self->ctx_.hub.handle({self->actor_, self}, cmd);
        asio::dispatch(self->ws_.get_executor(), [self] { self->resume_after_load(); });
    });
}

void ws_session::resume_after_load() {
    loading_ = false;
    while (!waiting_.empty() && !loading_) {
        auto cmd = std::move(waiting_.front());
        waiting_.pop_front();
        dispatch_command(std::move(cmd));
    }
    if (!loading_ && on_commands_stopped_) std::exchange(on_commands_stopped_, nullptr)();
}

void ws_session::reply(std::string frame) {
    enqueue({outbound_frame::kind::text, std::make_shared<std::string const>(std::move(frame))});
    flush();
}

void ws_session::deliver(std::shared_ptr<std::string const> frame) {
    {
        std::lock_guard lock(delivered_mutex_);
        delivered_.push_back(std::move(frame));
        if (delivered_.size() > 1) return; // the strand has not taken the last ones yet
    }
    asio::post(ws_.get_executor(), beast::bind_front_handler(&ws_session::take_delivered, shared_from_this()));
}

void ws_session::take_delivered() {
    {
        std::lock_guard lock(delivered_mutex_);
        taking_.swap(delivered_);
    }
    for (auto& frame : taking_) enqueue({outbound_frame::kind::text, std::move(frame)});
    taking_.clear();
    flush();
}

void ws_session::disconnect(relay::close_reason why) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), why] {
        switch (why) {
        case relay::close_reason::going_away:
            return self->close(websocket::close_code::going_away, "server shutting down");
        case relay::close_reason::over_limit:
            return self->close(websocket::close_code::policy_error, "too many connections");
        case relay::close_reason::slow_consumer:
            return self->close(websocket::close_code::policy_error, "slow consumer");
        }
    });
}

void ws_session::stop_commands(std::function<void()> stopped) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), stopped = std::move(stopped)]() mutable {
        self->stopped_commands_ = true;
        // Commands on a reader or waiting behind one were taken already: they still go to
        // the hub, and this connection has stopped once they have.
        if (self->loading_) self->on_commands_stopped_ = std::move(stopped);
        else stopped();
    });
}

void ws_session::enqueue(outbound_frame frame) {
    if (closing_) return;
    if (queue_.push(std::move(frame)) == outbound_queue::push_result::over_capacity) close_slow_consumer();
}

void ws_session::flush() {
    if (in_flight_ == 0 && may_write()) do_write();
}

bool ws_session::may_write() const {
    // Beast stops being open the moment it starts answering a peer's close (or fails
    // the connection itself), before this session hears of it: nothing may follow its
    // close frame.
    return !close_started_ && !queue_.empty() && ws_.is_open();
}

void ws_session::do_write() {
    write_started_ = clock::now();
    // Everything queued now goes in one write, up to a bound that keeps one connection's
    // turn on the loop short.
    in_flight_ = std::min(queue_.size(), max_frames_per_write);
    headers_.clear();
    gather_.clear();
    headers_.reserve(in_flight_); // the gather list points into it: no reallocation below
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < in_flight_; ++i) {
        auto const& frame = queue_.at(i);
        if (i > 0 && bytes >= max_bytes_per_write) {
            in_flight_ = i;
            break;
        }
        if (frame.kind == outbound_frame::kind::ping) {
            headers_.push_back(encode_frame_header(frame_header::ping, 0));
            gather_.emplace_back(headers_.back().bytes.data(), headers_.back().size);
            continue;
        }
        headers_.push_back(encode_frame_header(frame_header::text, frame.text->size()));
        gather_.emplace_back(headers_.back().bytes.data(), headers_.back().size);
        gather_.emplace_back(frame.text->data(), frame.text->size());
        bytes += frame.text->size();
    }
    ws_.next_layer().write_frames(gather_, beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
}

void ws_session::on_write(beast::error_code ec, std::size_t) {
    if (ec) return abandon();
    std::uint64_t texts = 0;
    for (std::size_t i = 0; i < in_flight_; ++i) {
        if (queue_.front().kind == outbound_frame::kind::text) ++texts;
        queue_.pop_front();
    }
    in_flight_ = 0;
    ctx_.metrics.messages_sent(texts);
    if (may_write()) return do_write();
    // Closing: enqueue() refuses, so once the queue is out the close frame follows it.
    if (closing_ && queue_.empty()) start_close_handshake();
}

void ws_session::arm_heartbeat() {
    auto const limits = ctx_.config.limits;
    auto const next_ping = last_ping_ + std::chrono::seconds(limits.ping_interval_s);
    auto const idle_deadline = last_heard_ + std::chrono::seconds(limits.idle_timeout_s);
    heartbeat_.expires_at(std::min(next_ping, idle_deadline));
    heartbeat_.async_wait(beast::bind_front_handler(&ws_session::on_heartbeat, shared_from_this()));
}

void ws_session::on_heartbeat(beast::error_code ec) {
    if (ec || closing_) return;
    auto const now = clock::now();
    auto const idle_timeout = std::chrono::seconds(ctx_.config.limits.idle_timeout_s);
    if (now - last_heard_ >= idle_timeout) {
        log::info("ws.idle_timeout", {{"conn", id_}});
        return close(websocket::close_code::going_away, "idle timeout");
    }
    // A client that keeps sending but never reads would otherwise hold a write (and its
    // buffers) forever without ever reaching the byte cap.
    if (!queue_.empty() && now - write_started_ >= idle_timeout) return close_slow_consumer();
    if (now - last_ping_ >= std::chrono::seconds(ctx_.config.limits.ping_interval_s)) {
        last_ping_ = now;
        enqueue({outbound_frame::kind::ping, nullptr});
        flush();
    }
    if (!closing_) arm_heartbeat();
}

} // namespace parley::net
