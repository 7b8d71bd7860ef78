#pragma once

#include <boost/asio/compose.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace parley::net {

/// The TCP stream under a session's WebSocket: one lane that Beast's own writes (the
/// upgrade response, pongs, the close frame) and the session's batched frames take in
/// turn.
///
/// Why: Beast writes one message per call, so a connection with twenty frames queued
/// made twenty `sendmsg` calls; the session now encodes its text frames itself and
/// writes a whole queue in one. Beast still answers pings on its own from inside
/// reads, so both must share the socket without ever interleaving mid-frame. Every
/// write here is written whole before the next one starts, and a write that arrives
/// while another is on the socket waits its turn (Beast's first: they are control
/// frames).
/// @note Used only on its connection's strand.
class lane_stream {
public:
    using next_layer_type = boost::beast::tcp_stream;
    using executor_type = next_layer_type::executor_type;
    using completion = std::function<void(boost::system::error_code, std::size_t)>;

    explicit lane_stream(boost::asio::ip::tcp::socket&& socket) : stream_(std::move(socket)) {}

    executor_type get_executor() noexcept { return stream_.get_executor(); }
    next_layer_type& next_layer() noexcept { return stream_; }
    next_layer_type const& next_layer() const noexcept { return stream_; }

    template <class MutableBuffers, class Token>
    auto async_read_some(MutableBuffers const& buffers, Token&& token) {
        return stream_.async_read_some(buffers, std::forward<Token>(token));
    }

    /// Beast's writes. Writes everything (a valid `write_some`), after the write already
    /// on the socket, if any.
    template <class ConstBuffers, class Token>
    auto async_write_some(ConstBuffers const& buffers, Token&& token) {
        return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
            beast_write<ConstBuffers>{*this, buffers}, token, stream_);
    }

    /// The session's frames, already encoded; `buffers` must stay untouched until `done`
    /// runs. @note At most one at a time.
    void write_frames(std::vector<boost::asio::const_buffer> const& buffers, completion done) {
        if (busy_) {
            waiting_frames_ = [this, &buffers, done = std::move(done)]() mutable { start_frames(buffers, std::move(done)); };
            return;
        }
        start_frames(buffers, std::move(done));
    }

private:
    template <class ConstBuffers> struct beast_write {
        lane_stream& lane;
        ConstBuffers buffers;
        enum { fresh, waiting, writing } state = fresh;

        template <class Self> void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
            switch (state) {
            case fresh:
                if (lane.busy_) {
                    state = waiting;
                    // A move-only operation, parked in a copyable function.
                    lane.waiting_beast_ = [op = std::make_shared<Self>(std::move(self))]() mutable { (*op)(); };
                    return;
                }
                [[fallthrough]];
            case waiting:
                state = writing;
                lane.busy_ = true;
                boost::asio::async_write(lane.stream_, buffers, std::move(self));
                return;
            case writing:
                lane.finished();
                self.complete(ec, n);
                return;
            }
        }
    };

    void start_frames(std::vector<boost::asio::const_buffer> const& buffers, completion done) {
        busy_ = true;
        boost::asio::async_write(stream_, buffers,
                                 [this, done = std::move(done)](boost::system::error_code ec, std::size_t n) {
                                     finished();
                                     done(ec, n);
                                 });
    }

    /// The socket is free: the next waiting write goes, Beast's control frames first.
    void finished() {
        busy_ = false;
        std::function<void()> next;
        if (waiting_beast_) next = std::exchange(waiting_beast_, nullptr);
        else if (waiting_frames_) next = std::exchange(waiting_frames_, nullptr);
        if (next) next();
    }

    next_layer_type stream_;
    bool busy_ = false;
    std::function<void()> waiting_beast_;
    std::function<void()> waiting_frames_;
};

// Beast's WebSocket close finds these by argument-dependent lookup.
inline void teardown(boost::beast::role_type role, lane_stream& s, boost::system::error_code& ec) {
    using boost::beast::websocket::teardown;
    teardown(role, s.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, lane_stream& s, TeardownHandler&& handler) {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, s.next_layer(), std::forward<TeardownHandler>(handler));
}

} // namespace parley::net
