#pragma once
// A WebSocket client for load generation: async, many per thread, a write queue so any
// number of frames can be in flight, and a callback per received frame.

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace parley::bench {

class bench_client : public std::enable_shared_from_this<bench_client> {
public:
    using on_frame = std::function<void(std::string_view)>;
    using on_ready = std::function<void(bool ok)>;

    bench_client(boost::asio::io_context& ioc, unsigned short port, std::string target);

    /// Connects, upgrades and starts reading; `ready` runs once either way.
    void start(on_ready ready, on_frame frame);
    void send(std::string frame);
    void close();

    std::uint64_t errors() const { return errors_; }

private:
    void do_read();
    void do_write();

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    unsigned short port_;
    std::string target_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::string> outbox_;
    on_frame frame_;
    std::uint64_t errors_ = 0;
    bool open_ = false;
};

} // namespace parley::bench
