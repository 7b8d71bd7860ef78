#include <parley/net/http_session.hpp>
#include <parley/net/listener.hpp>
#include <parley/telemetry/log.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>

namespace parley::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

listener::listener(asio::io_context& ioc, server_context& ctx)
    : ioc_(ioc), ctx_(ctx), acceptor_(asio::make_strand(ioc)), retry_(acceptor_.get_executor()) {}

boost::system::error_code listener::bind(tcp::endpoint const& endpoint) {
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    return ec;
}

tcp::endpoint listener::local_endpoint() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec);
}

void listener::run() { do_accept(); }

void listener::stop() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ignored;
        self->acceptor_.close(ignored);
        self->retry_.cancel();
    });
}

void listener::do_accept() {
    // Each connection gets its own strand, so its handlers never run concurrently.
    acceptor_.async_accept(asio::make_strand(ioc_),
                           [self = shared_from_this()](auto ec, tcp::socket socket) {
                               self->on_accept(ec, std::move(socket));
                           });
}

void listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
        backoff_ = std::chrono::milliseconds(0);
        // Frames are small and latency matters: without this, Nagle holds a frame
        // written behind an unacknowledged one until the peer's delayed ACK (~40 ms).
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<http_session>(std::move(socket), ctx_)->run();
        return do_accept();
    }
    // Out of file descriptors and the like: wait 10 ms, doubling up to 1 s, logging once
    // per wait rather than once per failed attempt.
    backoff_ = std::clamp(backoff_ * 2, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
    log::warn("net.accept_failed", {{"error", ec.message()}, {"retry_ms", std::int64_t{backoff_.count()}}});
    retry_.expires_after(backoff_);
    retry_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
        if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
    });
}

} // namespace parley::net
