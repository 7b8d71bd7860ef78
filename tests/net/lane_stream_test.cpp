// The shared write lane under a WebSocket: Beast's writes and the session's batched
// frames never interleave on the socket, even when a write cannot finish at once.

#include <parley/net/lane_stream.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/websocket/error.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// A connected pair on 127.0.0.1 with small buffers, so a large write stays in flight
/// until the reader drains it.
struct socket_pair {
    asio::io_context ioc;
    tcp::socket client{ioc};
    std::unique_ptr<lane_stream> server;

    socket_pair() {
        tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        client.open(tcp::v4());
        client.set_option(asio::socket_base::receive_buffer_size(4096));
        client.connect(acceptor.local_endpoint());
        tcp::socket accepted(ioc);
        acceptor.accept(accepted);
        accepted.set_option(asio::socket_base::send_buffer_size(4096));
        server = std::make_unique<lane_stream>(std::move(accepted));
    }

    /// Everything the client receives until `bytes` have arrived.
    std::string read(std::size_t bytes) {
        std::string got(bytes, '\0');
        boost::system::error_code ec;
        asio::async_read(client, asio::buffer(got), [&](boost::system::error_code e, std::size_t) { ec = e; });
        ioc.run();
        EXPECT_FALSE(ec) << ec.message();
        return got;
    }
};

TEST(lane_stream, beast_write_waits_for_the_frames_on_the_socket) {
    socket_pair p;
    std::string const frames(2 * 1024 * 1024, 'f'); // far more than the socket buffers hold
    std::string const control = "PONG";
    std::vector<asio::const_buffer> gather{asio::buffer(frames)};
    std::vector<std::string> order;
    p.server->write_frames(gather, [&](boost::system::error_code ec, std::size_t n) {
        EXPECT_FALSE(ec);
        EXPECT_EQ(n, frames.size());
        order.push_back("frames");
    });
    p.server->async_write_some(asio::buffer(control), [&](boost::system::error_code ec, std::size_t n) {
        EXPECT_FALSE(ec);
        EXPECT_EQ(n, control.size()) << "written whole, as Beast's frame writes must be";
        order.push_back("beast");
    });
    auto const got = p.read(frames.size() + control.size());
    EXPECT_EQ(got, frames + control) << "the control frame landed inside the batch";
    EXPECT_EQ(order, (std::vector<std::string>{"frames", "beast"}));
}

TEST(lane_stream, frames_wait_for_beasts_write_on_the_socket) {
    socket_pair p;
    std::string const beast_bytes(2 * 1024 * 1024, 'b');
    std::string const frames = "FRAMES";
    std::vector<asio::const_buffer> gather{asio::buffer(frames)};
    std::vector<std::string> order;
    p.server->async_write_some(asio::buffer(beast_bytes), [&](boost::system::error_code ec, std::size_t n) {
        EXPECT_FALSE(ec);
        EXPECT_EQ(n, beast_bytes.size());
        order.push_back("beast");
    });
    p.server->write_frames(gather, [&](boost::system::error_code ec, std::size_t) {
        EXPECT_FALSE(ec);
        order.push_back("frames");
    });
    auto const got = p.read(beast_bytes.size() + frames.size());
    EXPECT_EQ(got, beast_bytes + frames);
    EXPECT_EQ(order, (std::vector<std::string>{"beast", "frames"}));
}

TEST(lane_stream, a_failed_write_still_lets_the_waiting_one_finish) {
    socket_pair p;
    std::string const frames(2 * 1024 * 1024, 'f');
    std::vector<asio::const_buffer> gather{asio::buffer(frames)};
    boost::system::error_code frames_ec, beast_ec;
    bool beast_done = false;
    p.server->write_frames(gather, [&](boost::system::error_code ec, std::size_t) { frames_ec = ec; });
    p.server->async_write_some(asio::buffer(frames.data(), 10), [&](boost::system::error_code ec, std::size_t) {
        beast_ec = ec;
        beast_done = true;
    });
    p.ioc.poll();
    p.client.close(); // the peer goes away mid-write
    p.server->next_layer().socket().close();
    p.ioc.run();
    EXPECT_TRUE(frames_ec);
    EXPECT_TRUE(beast_done) << "a write waiting behind a failed one is not stranded";
    EXPECT_TRUE(beast_ec);
}

TEST(lane_stream, many_buffers_arrive_whole_and_in_order_across_partial_writes) {
    socket_pair p;
    // More buffers than one writev takes, each larger than the socket buffers hold.
    std::vector<std::string> parts;
    std::vector<asio::const_buffer> gather;
    std::string expected;
    for (int i = 0; i < 300; ++i) parts.push_back(std::string(static_cast<std::size_t>(100 + i * 37), static_cast<char>('a' + i % 26)));
    for (auto const& part : parts) {
        gather.push_back(asio::buffer(part));
        expected += part;
    }
    std::size_t reported = 0;
    p.server->write_frames(gather, [&](boost::system::error_code ec, std::size_t n) {
        EXPECT_FALSE(ec);
        reported = n;
    });
    EXPECT_EQ(p.read(expected.size()), expected);
    EXPECT_EQ(reported, expected.size());
}

TEST(lane_stream, nothing_follows_beasts_close_frame) {
    socket_pair p;
    unsigned char const close_frame[] = {0x88, 0x02, 0x03, 0xE9}; // close, code 1001
    std::string const frames = "late data";
    std::vector<asio::const_buffer> gather{asio::buffer(frames)};
    boost::system::error_code frames_ec;
    bool frames_done = false;
    p.server->async_write_some(asio::buffer(close_frame), [](boost::system::error_code, std::size_t) {});
    p.server->write_frames(gather, [&](boost::system::error_code ec, std::size_t) {
        frames_ec = ec;
        frames_done = true;
    });
    auto const got = p.read(sizeof close_frame);
    EXPECT_EQ(got, std::string(reinterpret_cast<char const*>(close_frame), sizeof close_frame));
    EXPECT_TRUE(frames_done);
    EXPECT_EQ(frames_ec, boost::beast::websocket::error::closed);
    // And nothing else came after the close frame.
    p.server->next_layer().socket().shutdown(tcp::socket::shutdown_send);
    char extra = 0;
    boost::system::error_code ec;
    p.client.read_some(asio::buffer(&extra, 1), ec);
    EXPECT_EQ(ec, asio::error::eof);
}

} // namespace
} // namespace parley::net
