#include "ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace parley::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

ws_client::ws_client(std::unique_ptr<asio::io_context> ioc) : ioc_(std::move(ioc)), ws_(*ioc_) {
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::ping) ++pings_;
    });
}

bool ws_client::run_until(bool const& done, std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    ioc_->restart();
    while (!done) {
        auto const left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) return false;
        if (ioc_->run_one_for(left) == 0 && !done) {
            if (ioc_->stopped()) ioc_->restart();
        }
    }
    return true;
}

ws_client::connect_result ws_client::connect(unsigned short port, std::string const& target,
                                             header_list const& headers, ws_tcp_options const& tcp_opts) {
    connect_result result;
    std::unique_ptr<ws_client> c(new ws_client(std::make_unique<asio::io_context>()));
    auto& tcp = beast::get_lowest_layer(c->ws_);
    bool done = false;
    beast::error_code ec;
    if (tcp_opts.receive_buffer != 0 || tcp_opts.max_segment != 0) {
        // Set before the handshake, which announces both to the server.
        tcp.socket().open(asio::ip::tcp::v4(), ec);
        if (!ec && tcp_opts.receive_buffer != 0)
            tcp.socket().set_option(asio::socket_base::receive_buffer_size(tcp_opts.receive_buffer), ec);
        if (ec) return result;
        if (tcp_opts.max_segment != 0 && ::setsockopt(tcp.socket().native_handle(), IPPROTO_TCP, TCP_MAXSEG,
                                                      &tcp_opts.max_segment, sizeof tcp_opts.max_segment) != 0)
            return result;
    }
    tcp.expires_after(5s);
    tcp.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                      [&](beast::error_code e) { ec = e, done = true; });
    if (!c->run_until(done, 6s) || ec) return result;
    tcp.expires_never();

    c->ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        for (auto const& [name, value] : headers) req.set(name, value);
    }));
    websocket::response_type res;
    done = false;
    c->ws_.async_handshake(res, "127.0.0.1:" + std::to_string(port), target,
                           [&](beast::error_code e) { ec = e, done = true; });
    if (!c->run_until(done, 6s)) return result;
    result.status = res.result_int();
    result.body = res.body();
    if (!ec && result.status == 101) result.client = std::move(c);
    return result;
}

std::unique_ptr<ws_client> ws_client::open(unsigned short port, std::string const& token) {
    auto r = connect(port, "/v1/ws?token=" + token);
    if (!r.client) ADD_FAILURE() << "upgrade refused with " << r.status << ": " << r.body;
    return std::move(r.client);
}

std::unique_ptr<ws_client> ws_client::open_ready(unsigned short port, std::string const& token) {
    auto c = open(port, token);
    if (c && c->read_json()["op"] != "hello") ADD_FAILURE() << "the first frame was not hello";
    return c;
}

void ws_client::send_text(std::string_view text) {
    bool done = false;
    beast::error_code ec;
    ws_.text(true);
    ws_.async_write(asio::buffer(text.data(), text.size()), [&](beast::error_code e, std::size_t) {
        ec = e, done = true;
    });
    run_until(done, 5s);
}

void ws_client::send_binary(std::string_view data) {
    bool done = false;
    ws_.binary(true);
    ws_.async_write(asio::buffer(data.data(), data.size()), [&](beast::error_code, std::size_t) { done = true; });
    run_until(done, 5s);
}

ws_client::frame ws_client::read(std::chrono::milliseconds timeout) {
    // A read that timed out stays pending and is picked up by the next call, so no
    // frame is ever lost between calls.
    if (!read_pending_) {
        read_pending_ = true;
        read_done_ = false;
        ws_.async_read(buffer_, [this](beast::error_code e, std::size_t) {
            read_ec_ = e;
            read_done_ = true;
        });
    }
    frame f;
    if (!run_until(read_done_, timeout)) return f;
    read_pending_ = false;
    if (read_ec_ == websocket::error::closed) {
        f.kind = frame_kind::closed;
        f.close_code = ws_.reason().code;
        f.close_reason = std::string(ws_.reason().reason.c_str());
    } else if (read_ec_) {
        f.kind = frame_kind::error;
        f.error = read_ec_.message();
        f.close_code = ws_.reason().code;
    } else {
        f.kind = frame_kind::message;
        f.text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
    }
    return f;
}

boost::json::object ws_client::read_json(std::chrono::milliseconds timeout) {
    auto f = read(timeout);
    if (f.kind != frame_kind::message) {
        ADD_FAILURE() << "expected a message, got kind " << static_cast<int>(f.kind) << " close "
                      << f.close_code << " " << f.error;
        return {};
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(f.text, ec);
    if (ec || !v.is_object()) {
        ADD_FAILURE() << "not a JSON object: " << f.text;
        return {};
    }
    return std::move(v.get_object());
}

boost::json::object ws_client::read_op(std::string_view op, std::vector<boost::json::object>* skipped,
                                       std::chrono::milliseconds timeout) {
    for (;;) {
        auto f = read_json(timeout);
        if (f.empty()) return f;
        if (auto const* o = f.if_contains("op"); o && o->is_string() && o->get_string() == op) return f;
        if (skipped) skipped->push_back(std::move(f));
    }
}

int ws_client::close_with(std::uint16_t code) {
    bool done = false;
    beast::error_code ec;
    ws_.async_close(websocket::close_reason(code), [&](beast::error_code e) { ec = e, done = true; });
    if (!run_until(done, 3s) || ec) return -1;
    return ws_.reason().code;
}

void ws_client::close() {
    bool done = false;
    ws_.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    run_until(done, 3s);
}

} // namespace parley::test

namespace parley::test {

void ws_client::shutdown_send() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void ws_client::reset() {
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

} // namespace parley::test
