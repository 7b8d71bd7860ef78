// HTTP request parsing as an attacker would try it (request smuggling, memory): a body
// the server cannot frame exactly is refused and the connection closed, so it is never
// read as a second request; chunk extensions and trailers count against the limits.

#include "support/http_client.hpp"
#include "support/server_process.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

namespace parley::test {
namespace {

/// A complete request that must never be answered when it hides inside another's body.
constexpr char const* smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

class http_parsing : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        data_ = new temp_dir;
        server_ = new server_process(test_config(data_->str() + "/data", R"({"max_http_body_bytes": 65536})"));
        ASSERT_TRUE(server_->started()) << server_->log();
    }
    static void TearDownTestSuite() {
        delete server_;
        delete data_;
    }
    static unsigned short port() { return server_->port(); }

    /// Sends `request`, expects one refusal with `status`, then the server's close and nothing else.
    static void expect_refused_and_closed(std::string const& request, unsigned status, std::string const& what) {
        http_connection c(port());
        auto const res = c.raw(request);
        EXPECT_EQ(res.result_int(), status) << what;
        EXPECT_EQ(c.buffered(), 0u) << what << ": a second response followed";
        EXPECT_TRUE(c.closed_by_server()) << what << ": the connection stayed open";
    }

    /// Peak resident memory of the server (kB).
    static long peak_rss_kb() {
        std::ifstream status("/proc/" + std::to_string(server_->pid()) + "/status");
        std::string line;
        while (std::getline(status, line))
            if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
        return -1;
    }

    static inline temp_dir* data_ = nullptr;
    static inline server_process* server_ = nullptr;
};

TEST_F(http_parsing, a_transfer_encoding_other_than_exactly_chunked_is_refused_and_closes) {
    for (std::string te : {"xchunked", "chunked, chunked", "identity", "gzip", "gzip, chunked", "chunked, gzip",
                           "chunkedx", "chunked;q=1", "\"chunked\""}) {
        expect_refused_and_closed("POST /v1/conversations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te +
                                      "\r\n\r\n" + smuggled,
                                  400, "Transfer-Encoding: " + te);
    }
    // Two Transfer-Encoding lines, and one beside a Content-Length.
    expect_refused_and_closed("POST /v1/conversations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + std::string(smuggled),
                              400, "two Transfer-Encoding lines");
    expect_refused_and_closed("POST /v1/conversations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + std::string(smuggled),
                              400, "Content-Length and Transfer-Encoding");
    expect_refused_and_closed("POST /v1/conversations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                              "Content-Length: 6\r\n\r\n123456" + std::string(smuggled),
                              400, "two different Content-Lengths");
    EXPECT_EQ(http_get(port(), "/healthz").result_int(), 200);
}

TEST_F(http_parsing, exactly_chunked_is_read_as_one_body) {
    http_connection c(port());
    auto const res = c.raw("POST /v1/conversations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "2\r\n{}\r\n0\r\n\r\n");
    EXPECT_EQ(res.result_int(), 401); // read whole, answered by the route (no token)
}

TEST_F(http_parsing, obs_fold_header_lines_are_refused) {
    expect_refused_and_closed("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: one\r\n  two\r\n\r\n", 400, "space fold");
    expect_refused_and_closed("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: one\r\n\ttwo\r\n\r\n", 400, "tab fold");
}

TEST_F(http_parsing, an_http_1_1_request_needs_exactly_one_host) {
    expect_refused_and_closed("GET /healthz HTTP/1.1\r\n\r\n", 400, "no Host");
    expect_refused_and_closed("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "two Hosts");
    http_connection c(port());
    EXPECT_EQ(c.raw("GET /healthz HTTP/1.0\r\n\r\n").result_int(), 200) << "HTTP/1.0 has no Host requirement";
}

TEST_F(http_parsing, oversized_headers_get_431) {
    expect_refused_and_closed("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n",
                              431, "one 64 KiB header");
    std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 2000; ++i) many += "X-H" + std::to_string(i) + ": 0123456789\r\n";
    expect_refused_and_closed(many + "\r\n", 431, "2,000 small headers");
}

TEST_F(http_parsing, chunk_extensions_and_trailers_count_against_the_limits) {
    // Extensions: one chunk header of 1 MiB, never ending.
    expect_refused_and_closed("POST /v1/conversations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "1;ext=" + std::string(1024 * 1024, 'e') + "\r\nx\r\n0\r\n\r\n",
                              400, "a 1 MiB chunk extension");
    // Many chunks whose extensions together pass the body limit (64 KiB here).
    std::string many = "POST /v1/conversations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 200; ++i) many += "1;e=" + std::string(1000, 'e') + "\r\nx\r\n";
    expect_refused_and_closed(many + "0\r\n\r\n", 413, "200 chunks with 1 kB extensions each");
    // Trailers: a trailer block past the header limit (16 KiB), and one field of 70 KiB
    // (which made Beast throw and end the process).
    auto const trailer = [](std::size_t n) {
        return "POST /v1/conversations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "1\r\nx\r\n0\r\nX-Trailer: " + std::string(n, 't') + "\r\n\r\n";
    };
    expect_refused_and_closed(trailer(20 * 1024), 431, "a 20 KiB trailer");
    expect_refused_and_closed(trailer(70 * 1024), 400, "a 70 KiB trailer field");
    EXPECT_EQ(http_get(port(), "/healthz").result_int(), 200);
}

TEST_F(http_parsing, endless_chunk_extensions_on_parallel_connections_do_not_grow_memory) {
    auto const before = peak_rss_kb();
    ASSERT_GT(before, 0);
    auto flood = [] {
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::socket s(ioc);
        boost::system::error_code ec;
        s.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
        if (ec) return;
        std::string const head = "POST /v1/conversations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;e=";
        boost::asio::write(s, boost::asio::buffer(head), ec);
        std::string const piece(64 * 1024, 'e');
        // 64 MiB of one extension, or until the server gives up on it.
        for (int i = 0; i < 1024 && !ec; ++i) boost::asio::write(s, boost::asio::buffer(piece), ec);
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back(flood);
    for (auto& t : threads) t.join();
    auto const after = peak_rss_kb();
    EXPECT_LT(after - before, 32 * 1024) << "peak RSS grew from " << before << " kB to " << after << " kB";
    EXPECT_EQ(http_get(port(), "/healthz").result_int(), 200);
}

} // namespace
} // namespace parley::test
