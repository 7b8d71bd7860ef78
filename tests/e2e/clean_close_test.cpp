// Closes under load (SPEC §3.4, §6): a client that is still sending when the server
// closes gets the close frame and every answer queued before it, never a reset; and on
// SIGTERM every part the server took is stored and acknowledged before the 1001; the
// ones it did not take are neither.

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <map>
#include <set>
#include <thread>

namespace parley::test {
namespace {

namespace json = boost::json;
using frame_kind = ws_client::frame_kind;

/// One visitor writing as fast as it can: bursts of part.create, reading what comes.
struct busy_writer {
    std::string name;
    std::uint64_t conversation = 0;
    std::set<std::string> acked;
    std::set<std::string> refused; ///< answered `unavailable` once shutdown began
    int sent = 0;
    int errors = 0;
    int other_errors = 0;
    ws_client::frame end; ///< how the connection ended

    void run(unsigned short port, std::atomic<bool> const& go) {
        auto c = ws_client::open(port, visitor_token(name));
        if (!c) return;
        if (c->read_json()["op"] != "hello") return;
        c->send_text(json::serialize(json::object{{"op", "conversation.start"}, {"random_id", name + "-start"}}));
        auto started = c->read_op("conversation.started");
        if (started.empty()) return;
        conversation = started["conversation"].as_object()["id"].to_number<std::uint64_t>();
        while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        for (;;) {
            for (int i = 0; i < 20; ++i, ++sent)
                c->send_text(json::serialize(json::object{{"op", "part.create"}, {"conversation", conversation},
                                                          {"type", "reply_user"}, {"random_id", name + "-" + std::to_string(sent)},
                                                          {"body", "busy " + std::to_string(sent)}}));
            for (;;) {
                auto f = c->read(std::chrono::milliseconds(2));
                if (f.kind == frame_kind::timeout) break;
                if (f.kind != frame_kind::message) {
                    end = f;
                    return;
                }
                auto v = json::parse(f.text).as_object();
                if (v["op"] == "part.created") acked.insert(std::string(v["part"].as_object()["random_id"].as_string()));
                if (v["op"] == "error") {
                    ++errors;
                    if (v["code"] == "unavailable" && v.contains("random_id"))
                        refused.insert(std::string(v["random_id"].as_string()));
                    else
                        ++other_errors;
                }
            }
        }
    }
};

TEST(clean_close, busy_writers_get_1001_and_every_acked_part_is_stored_after_sigterm) {
    temp_dir data;
    auto const config = test_config(data.str() + "/data", R"({"commands_per_s": 100000, "commands_burst": 100000})");
    std::vector<busy_writer> writers(4);
    {
        server_process server(config);
        ASSERT_TRUE(server.started()) << server.log();
        std::atomic<bool> go{false};
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < writers.size(); ++i) {
            writers[i].name = "busy" + std::to_string(i);
            threads.emplace_back([&, i] { writers[i].run(server.port(), go); });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        go = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
        server.signal(SIGTERM);
        for (auto& t : threads) t.join();
        EXPECT_EQ(server.wait_exit(std::chrono::seconds(10)), std::optional<int>(0)) << server.log();
    }
    for (auto const& w : writers) {
        ASSERT_NE(w.conversation, 0u) << w.name << " never started";
        EXPECT_EQ(w.end.kind, frame_kind::closed) << w.name << ": " << w.end.error << " (not a close frame)";
        EXPECT_EQ(w.end.close_code, 1001) << w.name;
        EXPECT_GT(w.acked.size(), 0u) << w.name << " got no ack at all";
        EXPECT_EQ(w.other_errors, 0) << w.name << ": errors other than unavailable with the part's random_id";
        for (auto const& rid : w.refused) EXPECT_EQ(w.acked.count(rid), 0u) << rid << " both acked and refused";
    }
    // After a restart: every acknowledged part is there, exactly once.
    server_process again(config);
    ASSERT_TRUE(again.started()) << again.log();
    auto const staff = make_token(auth::role::operator_, "op-audit");
    for (auto const& w : writers) {
        std::map<std::string, int> stored;
        // Staff see no random_id on history: the body carries the sequence number.
        for (auto const& p : whole_history(again.port(), w.conversation, staff)) ++stored[std::string(p.at("body").as_string())];
        for (auto const& rid : w.acked) {
            auto const n = rid.substr(rid.rfind('-') + 1);
            EXPECT_EQ(stored["busy " + n], 1) << w.name << ": acknowledged part " << rid << " stored " << stored["busy " + n] << " times";
        }
        // Everything the server took before the 1001 was answered: nothing stored unacknowledged,
        // nothing refused stored.
        EXPECT_EQ(stored.size(), w.acked.size()) << w.name << ": parts stored without their ack reaching the client";
        for (auto const& rid : w.refused) EXPECT_EQ(stored["busy " + rid.substr(rid.rfind('-') + 1)], 0) << rid << " refused but stored";
        std::cout << w.name << ": sent " << w.sent << ", acked " << w.acked.size() << ", refused " << w.refused.size()
                  << ", errors " << w.errors << "\n";
    }
}

/// Reads every frame left until the connection ends; pongs' refs go to `refs`.
ws_client::frame read_to_the_end(ws_client& c, std::vector<long>& refs) {
    for (;;) {
        auto f = c.read(std::chrono::seconds(10));
        if (f.kind != frame_kind::message) return f;
        auto v = json::parse(f.text).as_object();
        if (v["op"] == "pong") refs.push_back(std::stol(std::string(v["ref"].as_string())));
    }
}

TEST(clean_close, a_slow_consumer_still_sending_gets_its_answers_then_1008) {
    temp_dir data;
    server_process server(test_config(data.str() + "/data",
                                      R"({"commands_per_s": 1000000, "commands_burst": 1000000, "max_queue_bytes": 65536})"));
    ASSERT_TRUE(server.started()) << server.log();
    // The kernel's buffers fill before the server's queue does, and all of it is read
    // back after the close, within the server's patience with a slow reader. On loopback
    // those buffers grow to megabytes, more than a client under a sanitizer reads back in
    // that time: the client's socket is shaped like one on Ethernet, and its refs are of
    // the longest length allowed (64), so there are fewer, larger pongs to read.
    auto hog = std::move(ws_client::connect(server.port(), "/v1/ws?token=" + visitor_token("reads-late"), {},
                                            {.receive_buffer = 64 * 1024, .max_segment = 1460})
                             .client);
    ASSERT_TRUE(hog);
    ASSERT_EQ(hog->read_json()["op"], "hello");
    auto ping = [&](long ref) {
        auto const n = std::to_string(ref);
        hog->send_text(R"({"op":"ping","ref":")" + std::string(64 - n.size(), '0') + n + "\"}");
    };
    long sent = 0;
    while (!server.wait_for_log("ws.slow_consumer", 0ms)) {
        ASSERT_LT(sent, 2'000'000) << "never cut off";
        // Looked at often: from the close on, the client has 1.5 s to start reading.
        for (int i = 0; i < 100; ++i) ping(++sent);
    }
    // It goes on sending after the server has closed (megabytes, more than the socket
    // buffers hold): the server must keep reading, or both sides wait on each other.
    // For a bounded time, though: a client that reads nothing for 1.5 s is given up.
    auto const until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    for (int i = 0; i < 20000 && std::chrono::steady_clock::now() < until; ++i) ping(++sent);
    std::vector<long> refs;
    auto const end = read_to_the_end(*hog, refs);
    EXPECT_EQ(end.kind, frame_kind::closed) << end.error << " (not a close frame)";
    EXPECT_EQ(end.close_code, 1008);
    EXPECT_EQ(end.close_reason, "slow consumer");
    // Answers in order and none missing in between: a prefix of what it sent.
    ASSERT_FALSE(refs.empty());
    for (std::size_t i = 0; i < refs.size(); ++i) ASSERT_EQ(refs[i], static_cast<long>(i) + 1) << "pong " << i;
    EXPECT_LT(static_cast<long>(refs.size()), sent);
}

TEST(clean_close, a_connection_over_the_limit_still_sending_gets_1008) {
    temp_dir data;
    server_process server(test_config(data.str() + "/data",
                                      R"({"commands_per_s": 1000000, "commands_burst": 1000000, "connections_per_actor": 1})"));
    ASSERT_TRUE(server.started()) << server.log();
    auto const token = visitor_token("one-tab-only");
    auto first = ws_client::open_ready(server.port(), token);
    auto second = ws_client::open(server.port(), token);
    ASSERT_TRUE(first && second);
    std::string const pad(1000, 'q');
    for (int i = 0; i < 4000; ++i) second->send_text(R"({"op":"ping","ref":"x","pad":")" + pad + "\"}");
    std::vector<long> refs;
    auto const end = read_to_the_end(*second, refs);
    EXPECT_EQ(end.kind, frame_kind::closed) << end.error << " (not a close frame)";
    EXPECT_EQ(end.close_code, 1008);
    EXPECT_EQ(end.close_reason, "too many connections");
    EXPECT_TRUE(refs.empty());
}

} // namespace
} // namespace parley::test
