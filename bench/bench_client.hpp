#pragma once
// A WebSocket client for load generation: async, thousands per thread, any number of
// frames in flight, a callback per received message.
//
// It speaks the protocol itself on a plain socket instead of using Beast's stream:
// Beast reads at most ~1.5 KB per recv() and runs a composed operation per message,
// which cost the generator twice the user CPU per delivery in `fanout` (2,000
// connections on one core). Here one recv() takes as many frames as have arrived, and
// sends queued while a write is in flight go out together in the next write.

#include "ws_frame.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace parley::bench {

class bench_client : public std::enable_shared_from_this<bench_client> {
public:
    using on_frame = std::function<void(std::string_view)>;
    using on_ready = std::function<void(bool ok)>;
    using on_closed = std::function<void()>;

    bench_client(boost::asio::io_context& ioc, unsigned short port, std::string target);

    /// Connects, upgrades (`GET target`) and starts reading; `ready` runs once either
    /// way. `closed` runs if the connection ends without close() (the server closed it,
    /// or it broke). Pings are answered while reading.
    void start(on_ready ready, on_frame frame, on_closed closed = {});
    /// Sends one text message; ignored once the connection is closed (that was counted).
    void send(std::string_view message);
    /// Starts the closing handshake (code 1000).
    void close();

    /// Failed writes, protocol errors, and connections that ended while meant to be
    /// open (the server closed them, or the socket broke).
    std::uint64_t errors() const { return errors_; }
    /// Upgraded and not closed by either side.
    bool is_open() const { return open_; }

private:
    using socket_type = boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                                         boost::asio::io_context::executor_type>;

    void write_upgrade(on_ready ready);
    void read_upgrade(on_ready ready);
    void do_read();
    /// Hands every complete frame in the buffer to its handler. @return false when the
    /// connection is over (closed, or a protocol error).
    bool deliver_frames();
    void make_room(std::size_t frame_bytes);
    void queue(ws_frame::opcode op, std::string_view payload);
    void do_write();
    void fail(std::string const& why, char const* what);
    static void report(std::string const& why, char const* what);

    socket_type socket_;
    unsigned short port_;
    std::string target_;
    std::unique_ptr<char[]>
        in_; ///< received bytes [in_begin_, in_end_); not zeroed, so idle clients stay small
    std::size_t in_size_ = 0, in_begin_ = 0, in_end_ = 0;
    std::string fragments_;         ///< a message split over several frames, so far
    std::string pending_, writing_; ///< framed bytes waiting / being written
    bool write_active_ = false;
    std::uint32_t mask_;
    on_frame frame_;
    on_closed closed_;
    std::uint64_t errors_ = 0;
    bool open_ = false;
};

} // namespace parley::bench
