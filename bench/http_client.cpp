#include "http_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace parley::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

http_client::http_client(asio::io_context& ioc, unsigned short port, std::string authorization)
    : stream_(ioc), port_(port) {
    request_.method(http::verb::get);
    request_.version(11);
    request_.set(http::field::host, "127.0.0.1");
    request_.set(http::field::authorization, authorization);
}

void http_client::connect(std::function<void(bool ok)> ready) {
    stream_.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                          [self = shared_from_this(), ready](beast::error_code ec) {
                              if (!ec)
                                  self->stream_.socket().set_option(asio::ip::tcp::no_delay(true));
                              ready(!ec);
                          });
}

void http_client::get(std::string_view target, on_response done) {
    done_ = std::move(done);
    request_.target(target);
    http::async_write(
        stream_, request_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_written(ec); });
}

void http_client::on_written(beast::error_code ec) {
    if (ec) return finish(0, ec.message());
    parser_.emplace();
    // The largest page (500 parts of 10,000 characters each) is over Beast's default 8 MB.
    parser_->body_limit(64 * 1024 * 1024);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code rec, std::size_t) { self->on_read(rec); });
}

void http_client::on_read(beast::error_code ec) {
    if (ec) return finish(0, ec.message());
    auto const& res = parser_->get();
    finish(static_cast<unsigned>(res.result_int()), res.body());
}

void http_client::finish(unsigned status, std::string_view body) {
    // Moved out first: the handler usually calls get(), which sets the next one.
    auto done = std::move(done_);
    done_ = nullptr;
    done(status, body);
}

std::string_view http_client::header(std::string_view name) const {
    if (!parser_) return {};
    auto const& res = parser_->get();
    auto it = res.find(name);
    return it == res.end() ? std::string_view{} : std::string_view(it->value());
}

void http_client::close() {
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
}

} // namespace parley::bench
