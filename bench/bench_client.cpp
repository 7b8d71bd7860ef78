#include "bench_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>

namespace parley::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

bench_client::bench_client(asio::io_context& ioc, unsigned short port, std::string target)
    : ws_(ioc), port_(port), target_(std::move(target)) {}

void bench_client::start(on_ready ready, on_frame frame) {
    frame_ = std::move(frame);
    auto self = shared_from_this();
    beast::get_lowest_layer(ws_).async_connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
        [self, ready](beast::error_code ec) {
            if (ec) return ready(false);
            beast::get_lowest_layer(self->ws_).socket().set_option(asio::ip::tcp::no_delay(true));
            self->ws_.async_handshake("127.0.0.1", self->target_, [self, ready](beast::error_code hec) {
                if (hec) return ready(false);
                self->open_ = true;
                self->do_read();
                ready(true);
            });
        });
}

void bench_client::do_read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) {
            if (self->open_) ++self->errors_;
            self->open_ = false;
            return;
        }
        auto const data = self->buffer_.cdata();
        self->frame_(std::string_view(static_cast<char const*>(data.data()), data.size()));
        self->buffer_.consume(self->buffer_.size());
        self->do_read();
    });
}

void bench_client::send(std::string frame) {
    outbox_.push_back(std::move(frame));
    if (outbox_.size() == 1) do_write();
}

void bench_client::do_write() {
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) {
            ++self->errors_;
            self->outbox_.clear();
            return;
        }
        self->outbox_.pop_front();
        if (!self->outbox_.empty()) self->do_write();
    });
}

void bench_client::close() {
    if (!open_) return;
    open_ = false;
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {});
}

} // namespace parley::bench
