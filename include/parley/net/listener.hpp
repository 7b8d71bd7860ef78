#pragma once

#include <parley/net/server_context.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

#include <memory>

namespace parley::net {

/// Accepts TCP connections and hands each to an http_session on its own strand.
class listener : public std::enable_shared_from_this<listener> {
public:
    listener(boost::asio::io_context& ioc, server_context& ctx);

    /// Binds and listens. @return the error (address in use, permission) on failure.
    boost::system::error_code bind(boost::asio::ip::tcp::endpoint const& endpoint);

    /// The bound endpoint; its port is the real one when 0 was asked for.
    boost::asio::ip::tcp::endpoint local_endpoint() const;

    void run();

    /// Stops accepting. @note Thread-safe: posts to the acceptor's strand.
    void stop();

private:
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ioc_;
    server_context& ctx_;
    boost::asio::ip::tcp::acceptor acceptor_;
    /// Waits before retrying a failed accept: out of file descriptors, an immediate
    /// retry fails again and spins a core.
    boost::asio::steady_timer retry_;
    std::chrono::milliseconds backoff_{0};
};

} // namespace parley::net
