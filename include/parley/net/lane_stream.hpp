#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <array>
#include <cstdint>
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
/// writes a whole queue with one gathered write (32 frames per `sendmsg`). Beast still
/// answers pings on its own from inside reads, so both must share the socket without
/// ever interleaving mid-frame. Every write here is written whole before the next one
/// starts, and a write that arrives while another is on the socket waits its turn
/// (Beast's first: they are control frames).
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

    /// Bytes written so far, Beast's and the session's: a close waiting on a slow reader
    /// sees from it whether the reader is still taking anything.
    std::uint64_t bytes_written() const noexcept { return bytes_written_; }

    /// The session's frames, already encoded; `buffers` must stay untouched until `done`
    /// runs. Once Beast has written a close frame nothing more may follow it (RFC 6455
    /// §5.5.1): `done` then gets `websocket::error::closed`. @note At most one at a time.
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
        /// What Beast asked to write, when something else went in its place.
        std::size_t size = 0;

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
                if (starts_close_frame(buffers)) {
                    lane.sealed_ = true;
                    if (echoes_invalid_code(buffers)) {
                        size = boost::asio::buffer_size(buffers);
                        boost::asio::async_write(lane.stream_, boost::asio::buffer(protocol_error_close), std::move(self));
                        return;
                    }
                }
                boost::asio::async_write(lane.stream_, buffers, std::move(self));
                return;
            case writing:
                lane.bytes_written_ += n;
                lane.finished();
                self.complete(ec, ec || size == 0 ? n : size);
                return;
            }
        }
    };

    /// Whether Beast is writing a close frame: FIN and opcode 8, no extension bits.
    template <class ConstBuffers> static bool starts_close_frame(ConstBuffers const& buffers) {
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
            boost::asio::const_buffer b(*it);
            if (b.size() > 0) return *static_cast<unsigned char const*>(b.data()) == 0x88;
        }
        return false;
    }

    /// Beast answers a peer's close frame with the peer's own code, and it takes codes of
    /// 5000 and above as valid. RFC 6455 §7.4 has no such codes: they are a protocol
    /// error, and parley never sends one itself.
    template <class ConstBuffers> static bool echoes_invalid_code(ConstBuffers const& buffers) {
        std::array<unsigned char, 4> head{};
        if (boost::asio::buffer_copy(boost::asio::buffer(head), buffers) < head.size()) return false;
        if ((head[1] & 0x7F) < 2) return false; // no code at all
        return (head[2] << 8 | head[3]) >= 5000;
    }

    /// A close frame with 1002 (protocol error) and no reason.
    static constexpr std::array<unsigned char, 4> protocol_error_close{0x88, 0x02, 0x03, 0xEA};

    void start_frames(std::vector<boost::asio::const_buffer> const& buffers, completion done) {
        if (sealed_) {
            boost::asio::post(stream_.get_executor(), [done = std::move(done)] {
                done(boost::beast::websocket::error::closed, 0);
            });
            return finished();
        }
        busy_ = true;
        frames_ = &buffers;
        next_ = 0;
        offset_ = 0;
        written_ = 0;
        frames_done_ = std::move(done);
        write_more_frames();
    }

    /// asio::async_write gathers at most 16 buffers per call (8 frames); the socket takes
    /// up to 64, so the batch is written in windows of that size.
    void write_more_frames() {
        window_.clear();
        for (auto i = next_; i < frames_->size() && window_.size() < max_gather; ++i)
            window_.push_back((*frames_)[i] + (i == next_ ? offset_ : 0));
        stream_.async_write_some(window_, [this](boost::system::error_code ec, std::size_t n) {
            written_ += n;
            bytes_written_ += n;
            while (n > 0 && next_ < frames_->size()) {
                auto const left = (*frames_)[next_].size() - offset_;
                if (n < left) {
                    offset_ += n;
                    break;
                }
                n -= left;
                ++next_;
                offset_ = 0;
            }
            if (!ec && next_ < frames_->size()) return write_more_frames();
            auto done = std::move(frames_done_);
            frames_done_ = nullptr;
            finished();
            done(ec, written_);
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

    /// Buffers a writev takes at most (IOV_MAX is far above; Asio's own cap is 64).
    static constexpr std::size_t max_gather = 64;

    next_layer_type stream_;
    bool busy_ = false;
    /// Beast wrote a close frame: the session's frames may not follow.
    bool sealed_ = false;
    /// The batch being written: where it has got to, and whom to tell.
    std::vector<boost::asio::const_buffer> const* frames_ = nullptr;
    std::size_t next_ = 0;
    std::size_t offset_ = 0;
    std::size_t written_ = 0;
    std::uint64_t bytes_written_ = 0;
    std::vector<boost::asio::const_buffer> window_;
    completion frames_done_;
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
