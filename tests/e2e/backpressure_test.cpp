// Clients that stop reading must cost the server a bounded amount and must not keep a
// connection alive forever (SPEC §3.4 `max_queue_bytes`, §4 "a slow connection never
// delays delivery to the others").

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace parley::test {
namespace {

/// Open visitor connections according to /metrics, or -1.
int visitors_connected(unsigned short port) {
    auto body = http_get(port, "/metrics").body();
    std::string const key = "parley_connections{role=\"visitor\"} ";
    auto pos = body.find(key);
    return pos == std::string::npos ? -1 : std::stoi(body.substr(pos + key.size()));
}

/// Sends pings without reading the pongs, enough to fill both sockets' buffers so the
/// server's write to this client is stuck, while staying under a large queue cap.
/// `bystander`, when given, keeps reading meanwhile, as a live client would.
void stall_the_servers_writes(ws_client& hog, ws_client* bystander = nullptr) {
    std::string const ping = R"({"op":"ping","ref":")" + std::string(60, 'p') + "\"}";
    for (int i = 0; i < 200000; ++i) {
        hog.send_text(ping);
        if (bystander && i % 2000 == 0) {
            EXPECT_EQ(bystander->read(1ms).kind, ws_client::frame_kind::timeout);
        }
    }
}

/// A queue cap far above what stall_the_servers_writes() queues, so only the behaviour
/// under test can end the connection.
std::string roomy_limits(int idle_timeout_s) {
    return R"({"max_queue_bytes": 268435456, "commands_per_s": 1000000, "commands_burst": 1000000,
              "ping_interval_s": 1, "idle_timeout_s": )" +
           std::to_string(idle_timeout_s) + "}";
}

TEST(backpressure, a_client_that_vanishes_mid_write_is_released) {
    temp_dir data;
    server_process server(test_config(data.str() + "/data", roomy_limits(600)));
    ASSERT_TRUE(server.started()) << server.log();
    auto hog = ws_client::open(server.port(), visitor_token("vanishing"));
    ASSERT_TRUE(hog);
    stall_the_servers_writes(*hog);
    ASSERT_EQ(visitors_connected(server.port()), 1);

    hog->shutdown_send();
    int connected = 1;
    for (int i = 0; i < 200 && connected != 0; ++i) {
        std::this_thread::sleep_for(50ms);
        connected = visitors_connected(server.port());
    }
    EXPECT_EQ(connected, 0) << "the session must not outlive its peer";
}

TEST(backpressure, a_client_that_sends_but_never_reads_is_closed_below_the_cap) {
    temp_dir data;
    server_process server(test_config(data.str() + "/data", roomy_limits(5)));
    ASSERT_TRUE(server.started()) << server.log();
    auto reader = ws_client::open(server.port(), visitor_token("reader"));
    auto hog = ws_client::open(server.port(), visitor_token("talks-never-listens"));
    ASSERT_TRUE(reader && hog);
    EXPECT_EQ(reader->read_json()["op"], "hello");
    stall_the_servers_writes(*hog, reader.get());
    // Keep talking, so it is never idle; only the stuck write can give it away. The
    // reader keeps reading (and so answers the server's pings) as a live client does.
    bool closed = false;
    for (int i = 0; i < 60 && !closed; ++i) {
        hog->send_text(R"({"op":"ping"})");
        EXPECT_EQ(reader->read(1ms).kind, ws_client::frame_kind::timeout);
        closed = server.wait_for_log("ws.slow_consumer", 250ms);
    }
    EXPECT_TRUE(closed);
    // The reader was never held back.
    reader->send_text(R"({"op":"ping","ref":"ok"})");
    EXPECT_EQ(reader->read_json()["ref"], "ok");
}

} // namespace
} // namespace parley::test
