// Start-up and shutdown of the real binary: signals, the data dir's epoch and lock.

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

namespace parley::test {
namespace {

using frame_kind = ws_client::frame_kind;

std::string epoch_of(server_process const& s) {
    auto c = ws_client::open(s.port(), visitor_token());
    if (!c) return {};
    auto hello = c->read_json();
    return std::string(hello["server"].as_object().at("epoch").as_string());
}

void expect_clean_exit_on(int sig) {
    temp_dir data;
    server_process server(test_config(data.str() + "/data"));
    ASSERT_TRUE(server.started()) << server.log();
    auto visitor = ws_client::open(server.port(), visitor_token("leaving"));
    ASSERT_TRUE(visitor);
    EXPECT_EQ(visitor->read_json()["op"], "hello");
    http_connection idle_http(server.port());
    ASSERT_EQ(idle_http.request("GET", "/healthz").result_int(), 200);

    server.signal(sig);
    auto f = visitor->read(5s);
    EXPECT_EQ(f.kind, frame_kind::closed);
    EXPECT_EQ(f.close_code, 1001);
    // SPEC §6: exit 0 within 5 s, even with an idle keep-alive connection open.
    EXPECT_EQ(server.wait_exit(5s), std::optional<int>(0)) << server.log();
    // The exit can be seen before the reader of its stderr has the last line.
    EXPECT_TRUE(server.wait_for_log("server.stopped", 2s)) << server.log();
}

TEST(lifecycle, sigterm_closes_websockets_with_1001_and_exits_0) { expect_clean_exit_on(SIGTERM); }

TEST(lifecycle, sigint_does_the_same) { expect_clean_exit_on(SIGINT); }

TEST(lifecycle, epoch_is_fixed_by_the_data_directory) {
    temp_dir data;
    std::string first;
    {
        server_process server(test_config(data.str() + "/data"));
        ASSERT_TRUE(server.started()) << server.log();
        first = epoch_of(server);
        server.signal(SIGTERM);
        ASSERT_EQ(server.wait_exit(5s), std::optional<int>(0));
    }
    ASSERT_EQ(first.size(), 16u);
    {
        server_process again(test_config(data.str() + "/data"));
        ASSERT_TRUE(again.started()) << again.log();
        EXPECT_EQ(epoch_of(again), first) << "restart on the same data dir keeps the epoch";
    }
    temp_dir other;
    server_process fresh(test_config(other.str() + "/data"));
    ASSERT_TRUE(fresh.started()) << fresh.log();
    EXPECT_NE(epoch_of(fresh), first) << "a new data dir gets a new epoch";
}

TEST(lifecycle, a_data_dir_in_use_stops_startup_with_exit_2) {
    temp_dir data;
    server_process first(test_config(data.str() + "/data"));
    ASSERT_TRUE(first.started()) << first.log();
    server_process second(test_config(data.str() + "/data"));
    EXPECT_FALSE(second.started());
    EXPECT_EQ(second.wait_exit(10s), std::optional<int>(2));
    EXPECT_NE(second.log().find("in use by another process"), std::string::npos) << second.log();
    // The first server is unharmed.
    EXPECT_EQ(http_get(first.port(), "/readyz").result_int(), 200);
}

TEST(lifecycle, an_address_in_use_stops_startup_with_exit_2) {
    temp_dir data;
    server_process first(test_config(data.str() + "/a"));
    ASSERT_TRUE(first.started()) << first.log();
    auto r = run_parley({"serve", "--config", first.config_path(), "--data", data.str() + "/b", "--listen",
                         "127.0.0.1:" + std::to_string(first.port())});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("net.bind_failed"), std::string::npos) << r.err;
}

TEST(lifecycle, data_flag_overrides_the_storage_path) {
    temp_dir data;
    server_process server(test_config(data.str() + "/from-config"), {"--data", data.str() + "/from-flag"});
    ASSERT_TRUE(server.started()) << server.log();
    EXPECT_TRUE(std::filesystem::exists(data.path() / "from-flag" / "CURRENT"));
    EXPECT_FALSE(std::filesystem::exists(data.path() / "from-config"));
}

TEST(lifecycle, a_watched_server_that_keeps_moving_is_left_alone) {
    // One second of watchdog: idle spells and ordinary traffic must never look stuck.
    temp_dir data;
    auto config = test_config(data.str() + "/data");
    config.insert(config.find('{') + 1, "\n  \"watchdog_s\": 1,");
    server_process server(config);
    ASSERT_TRUE(server.started()) << server.log();
    std::this_thread::sleep_for(1500ms);
    auto visitor = ws_client::open(server.port(), visitor_token("watched"));
    ASSERT_TRUE(visitor);
    EXPECT_EQ(visitor->read_json()["op"], "hello");
    visitor->send_text(R"({"op":"conversation.start","random_id":"w-1"})");
    EXPECT_EQ(visitor->read_op("conversation.started").empty(), false);
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(http_get(server.port(), "/healthz").result_int(), 200);
    EXPECT_EQ(server.log().find("watchdog.stuck"), std::string::npos) << server.log();
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(5s), std::optional<int>(0)) << server.log();
}

} // namespace
} // namespace parley::test
