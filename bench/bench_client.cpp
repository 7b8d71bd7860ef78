#include "bench_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstring>
#include <random>

namespace parley::bench {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

/// Enough for a burst of queued deliveries per recv(); grown for a bigger frame.
constexpr std::size_t initial_buffer = 32 * 1024;

std::uint32_t random_mask() {
    static std::mt19937 gen(std::random_device{}());
    return static_cast<std::uint32_t>(gen());
}

} // namespace

bench_client::bench_client(asio::io_context& ioc, unsigned short port, std::string target)
    : socket_(ioc.get_executor()), port_(port), target_(std::move(target)), mask_(random_mask()) {}

void bench_client::start(on_ready ready, on_frame frame, on_closed closed) {
    frame_ = std::move(frame);
    closed_ = std::move(closed);
    socket_.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                          [self = shared_from_this(), ready](error_code ec) {
                              if (ec) return report(ec.message(), "connect"), ready(false);
                              self->socket_.set_option(asio::ip::tcp::no_delay(true), ec);
                              self->write_upgrade(ready);
                          });
}

void bench_client::write_upgrade(on_ready ready) {
    // The key is fixed: the server is ours, and its answer is checked by status.
    writing_ = "GET ";
    writing_ += target_;
    writing_ += " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    asio::async_write(socket_, asio::buffer(writing_),
                      [self = shared_from_this(), ready](error_code ec, std::size_t) {
                          self->writing_.clear();
                          if (ec) return report(ec.message(), "handshake"), ready(false);
                          self->in_.reset(new char[initial_buffer]);
                          self->in_size_ = initial_buffer;
                          self->read_upgrade(ready);
                      });
}

void bench_client::read_upgrade(on_ready ready) {
    socket_.async_read_some(asio::buffer(in_.get() + in_end_, in_size_ - in_end_),
                            [self = shared_from_this(), ready](error_code ec, std::size_t n) {
                                if (ec) return report(ec.message(), "handshake"), ready(false);
                                self->in_end_ += n;
                                std::string_view got(self->in_.get(), self->in_end_);
                                auto const end = got.find("\r\n\r\n");
                                if (end == std::string_view::npos) {
                                    if (self->in_end_ == self->in_size_)
                                        return report("response too long", "handshake"),
                                               ready(false);
                                    return self->read_upgrade(ready);
                                }
                                if (!got.starts_with("HTTP/1.1 101 ")) {
                                    report(std::string(got.substr(0, got.find('\r'))), "handshake");
                                    return ready(false);
                                }
                                // Bytes after the response are already frames (the hello).
                                self->in_begin_ = end + 4;
                                self->open_ = true;
                                ready(true);
                                if (self->deliver_frames()) self->do_read();
                            });
}

void bench_client::do_read() {
    socket_.async_read_some(asio::buffer(in_.get() + in_end_, in_size_ - in_end_),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                                if (ec) {
                                    if (self->open_) self->fail(ec.message(), "read");
                                    self->socket_.close(ec);
                                    return;
                                }
                                self->in_end_ += n;
                                if (self->deliver_frames()) self->do_read();
                            });
}

bool bench_client::deliver_frames() {
    for (;;) {
        std::string_view avail(in_.get() + in_begin_, in_end_ - in_begin_);
        ws_frame::header h;
        auto const status = ws_frame::parse(avail, h);
        if (status == ws_frame::parse_status::invalid) {
            fail("invalid frame from the server", "read");
            socket_.close();
            return false;
        }
        if (status == ws_frame::parse_status::need_more ||
            avail.size() - h.header_bytes < h.payload_bytes) {
            make_room(status == ws_frame::parse_status::ok ? h.header_bytes + h.payload_bytes : 16);
            return true;
        }
        auto const payload = avail.substr(h.header_bytes, h.payload_bytes);
        in_begin_ += h.header_bytes + h.payload_bytes;
        using ws_frame::opcode;
        switch (h.op) {
        case opcode::text:
        case opcode::binary:
            if (h.fin) {
                frame_(payload);
            } else {
                fragments_.assign(payload);
            }
            break;
        case opcode::continuation:
            fragments_ += payload;
            if (h.fin) frame_(fragments_);
            break;
        case opcode::ping:
            queue(opcode::pong, payload);
            break;
        case opcode::pong:
            break;
        case opcode::close: {
            bool const unexpected = open_;
            open_ = false;
            if (unexpected) {
                std::string why = "closed by the server";
                if (payload.size() >= 2) {
                    why += ' ';
                    why += std::to_string((static_cast<std::uint8_t>(payload[0]) << 8) |
                                          static_cast<std::uint8_t>(payload[1]));
                    why += ' ';
                    why += payload.substr(2);
                }
                fail(why, "read");
                queue(opcode::close, payload.substr(0, 2));
                if (closed_) closed_();
            } else {
                socket_.close();
            }
            return false;
        }
        default:
            fail("unknown opcode", "read");
            return false;
        }
    }
}

void bench_client::make_room(std::size_t frame_bytes) {
    auto const kept = in_end_ - in_begin_;
    if (kept == 0) {
        in_begin_ = in_end_ = 0;
    } else if (in_begin_ > 0 && in_size_ - in_end_ < std::max<std::size_t>(frame_bytes, 4096)) {
        std::memmove(in_.get(), in_.get() + in_begin_, kept);
        in_begin_ = 0;
        in_end_ = kept;
    }
    if (frame_bytes > in_size_) {
        auto bigger = std::make_unique<char[]>(frame_bytes);
        std::memcpy(bigger.get(), in_.get() + in_begin_, in_end_ - in_begin_);
        in_end_ -= in_begin_;
        in_begin_ = 0;
        in_ = std::move(bigger);
        in_size_ = frame_bytes;
    }
}

void bench_client::send(std::string_view message) {
    if (open_) queue(ws_frame::opcode::text, message);
}

void bench_client::queue(ws_frame::opcode op, std::string_view payload) {
    ws_frame::append_client_frame(pending_, op, payload, mask_);
    if (!write_active_) do_write();
}

// One write in flight; whatever was queued meanwhile goes out in the next one.
void bench_client::do_write() {
    write_active_ = true;
    writing_.swap(pending_);
    asio::async_write(socket_, asio::buffer(writing_),
                      [self = shared_from_this()](error_code ec, std::size_t) {
                          self->writing_.clear();
                          self->write_active_ = false;
                          if (ec) {
                              if (self->open_) self->fail(ec.message(), "write");
                              self->pending_.clear();
                              return;
                          }
                          if (!self->pending_.empty()) self->do_write();
                      });
}

void bench_client::close() {
    if (!open_) return;
    open_ = false;
    char const normal[2] = {0x03, static_cast<char>(0xE8)}; // 1000
    queue(ws_frame::opcode::close, std::string_view(normal, 2));
}

void bench_client::fail(std::string const& why, char const* what) {
    ++errors_;
    report(why, what);
}

void bench_client::report(std::string const& why, char const* what) {
    // The first few only: when the server drops thousands of connections, a few lines say it.
    static int reported = 0;
    if (reported++ < 3) std::fprintf(stderr, "parley-bench: %s: %s\n", what, why.c_str());
}

} // namespace parley::bench
