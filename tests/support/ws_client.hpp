#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace parley::test {

using header_list = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono_literals;

/// The client's socket as a real network would shape it (0 = the kernel's default).
/// Loopback's 64 KiB segments let the kernel buffer megabytes for a peer that does
/// not read; an Ethernet-sized segment and a fixed receive buffer (no autotuning)
/// bound that the same way on every machine.
struct ws_tcp_options {
    int receive_buffer = 0; ///< SO_RCVBUF, bytes
    int max_segment = 0;    ///< TCP_MAXSEG, bytes
};

/// A real WebSocket client (Beast) for end-to-end tests. Every call is bounded by a
/// timeout, so a misbehaving server fails a test instead of hanging it.
/// @note Single-threaded: drives its own io_context inside each call.
class ws_client {
public:
    /// Result of connect(): a client on 101, else the refusal's status and body.
    struct connect_result {
        std::unique_ptr<ws_client> client;
        unsigned status = 0; ///< 101 on success, the HTTP status otherwise, 0 if no answer
        std::string body;
    };

    /// Connects to 127.0.0.1:`port` and upgrades at `target` (e.g. "/v1/ws?token=...").
    static connect_result connect(unsigned short port, std::string const& target,
                                  header_list const& headers = {}, ws_tcp_options const& tcp = {});

    /// Shortcut: connect with `?token=` and expect success (ADD_FAILURE otherwise).
    static std::unique_ptr<ws_client> open(unsigned short port, std::string const& token);

    /// open(), then reads the `hello` (ADD_FAILURE if something else comes first).
    static std::unique_ptr<ws_client> open_ready(unsigned short port, std::string const& token);

    void send_text(std::string_view text);
    void send_binary(std::string_view data);
    /// Sends a raw text frame whose payload may be invalid UTF-8 (Beast does not check
    /// what it sends).
    void send_raw_text(std::string const& bytes) { send_text(bytes); }

    enum class frame_kind { message, closed, timeout, error };

    struct frame {
        frame_kind kind = frame_kind::timeout;
        std::string text;
        int close_code = 0;
        std::string close_reason;
        std::string error;
    };

    /// Waits for the next data frame (pings are answered by Beast while reading).
    frame read(std::chrono::milliseconds timeout = 5s);

    /// Reads the next frame and parses it as a JSON object; ADD_FAILURE if it is not one.
    boost::json::object read_json(std::chrono::milliseconds timeout = 5s);

    /// Reads until a frame whose `op` is `op` and returns it (empty on timeout or
    /// close). Frames read before it are appended to `skipped` when given.
    boost::json::object read_op(std::string_view op, std::vector<boost::json::object>* skipped = nullptr,
                                std::chrono::milliseconds timeout = 5s);

    /// Pings received from the server so far (counted while reading).
    unsigned pings_received() const { return pings_; }

    /// Clean close with 1000.
    void close();

    /// Sends a close frame with `code` (valid or not) and waits for the server's.
    /// @return the code the server closed with, or -1 if it did not answer with a close.
    int close_with(std::uint16_t code);

    /// Half-closes the TCP connection (FIN) without a WebSocket close: a client whose
    /// network went away mid-conversation.
    void shutdown_send();

    /// Drops the TCP connection with a reset (RST, no FIN, no close frame): a browser
    /// tab killed mid-conversation.
    void reset();

private:
    explicit ws_client(std::unique_ptr<boost::asio::io_context> ioc);
    bool run_until(bool const& done, std::chrono::milliseconds timeout);

    std::unique_ptr<boost::asio::io_context> ioc_;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::beast::flat_buffer buffer_;
    bool read_pending_ = false;
    bool read_done_ = false;
    boost::beast::error_code read_ec_;
    unsigned pings_ = 0;
};

} // namespace parley::test
