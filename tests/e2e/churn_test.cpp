// Connections that come and go under load, against the real binary: writers keep one
// conversation busy while operators subscribe to it and drop their TCP connections with
// a reset, as closing browser tabs do. The server must keep answering throughout and
// still shut down cleanly.

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <csignal>
#include <thread>

namespace parley::test {
namespace {

namespace json = boost::json;
using clock = std::chrono::steady_clock;

constexpr auto churn_time = 6s;
constexpr int writer_tabs = 3;
constexpr int churners = 3;

std::string frame(json::object o) { return json::serialize(o); }

std::uint64_t start_conversation(ws_client& c, std::string const& random_id) {
    c.send_text(frame({{"op", "conversation.start"}, {"random_id", random_id}}));
    auto started = c.read_op("conversation.started");
    if (started.empty()) return 0;
    return started["conversation"].as_object()["id"].to_number<std::uint64_t>();
}

/// Counts what the churn did, for the failure messages and the log.
struct tally {
    std::atomic<int> parts_acked{0};
    std::atomic<int> subscribes{0};
    std::atomic<int> resets{0};
    std::atomic<int> probes{0};
    std::atomic<int> failures{0};
    std::atomic<long> slowest_probe_ms{0};
    std::atomic<long> slowest_health_ms{0};

    void slowest(std::atomic<long>& slot, long ms) {
        for (long seen = slot; ms > seen && !slot.compare_exchange_weak(seen, ms);) {}
    }
};

TEST(churn, subscribers_resetting_during_fan_out_never_stall_the_server) {
    temp_dir data;
    server_process server(test_config(data.str() + "/data",
                                      R"({"commands_per_s": 100000, "commands_burst": 100000,
                                          "connections_per_actor": 1000})"));
    ASSERT_TRUE(server.started()) << server.log();
    auto const port = server.port();
    auto const visitor = visitor_token("busy-visitor");

    std::uint64_t cid = 0;
    {
        auto opener = ws_client::open(port, visitor);
        ASSERT_TRUE(opener);
        opener->read_op("hello");
        cid = start_conversation(*opener, "busy-start");
    }
    ASSERT_NE(cid, 0u);

    tally t;
    std::atomic<bool> stop{false};
    auto const deadline = clock::now() + churn_time;
    std::vector<std::thread> threads;

    // Three tabs of one visitor, each writing as fast as its parts are acknowledged.
    for (int tab = 0; tab < writer_tabs; ++tab)
        threads.emplace_back([&, tab] {
            auto c = ws_client::open(port, visitor);
            if (!c) return void(++t.failures);
            c->read_op("hello");
            for (int i = 0; !stop; ++i) {
                auto const rid = "tab" + std::to_string(tab) + "-" + std::to_string(i);
                c->send_text(frame({{"op", "part.create"}, {"conversation", cid}, {"type", "reply_user"},
                                    {"random_id", rid}, {"body", "hello " + rid}}));
                if (c->read_op("part.created", nullptr, 2s).empty()) return void(++t.failures);
                ++t.parts_acked;
            }
        });

    // Operators that subscribe, stay a few milliseconds, and vanish with a reset.
    for (int n = 0; n < churners; ++n)
        threads.emplace_back([&, n] {
            auto const token = make_token(auth::role::operator_, "churn-op-" + std::to_string(n));
            for (int i = 0; !stop; ++i) {
                auto c = ws_client::open(port, token);
                if (!c) return void(++t.failures);
                c->send_text(frame({{"op", "subscribe"}, {"conversation", cid}}));
                ++t.subscribes;
                std::this_thread::sleep_for(std::chrono::milliseconds(1 + (i % 5)));
                c->reset();
                ++t.resets;
            }
        });

    // A bystander in a conversation of its own: its parts must round-trip within a
    // second all along, and /healthz must answer.
    threads.emplace_back([&] {
        auto c = ws_client::open(port, visitor_token("bystander"));
        if (!c) return void(++t.failures);
        c->read_op("hello");
        auto const own = start_conversation(*c, "bystander-start");
        if (!own) return void(++t.failures);
        for (int i = 0; !stop; ++i) {
            auto const sent = clock::now();
            c->send_text(frame({{"op", "part.create"}, {"conversation", own}, {"type", "reply_user"},
                                {"random_id", "probe-" + std::to_string(i)}}));
            if (c->read_op("part.created", nullptr, 1s).empty()) {
                ADD_FAILURE() << "probe part " << i << " not acknowledged within 1 s";
                return void(++t.failures);
            }
            t.slowest(t.slowest_probe_ms, std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - sent).count());

            auto const asked = clock::now();
            http_connection health(port);
            if (!health.connected() || health.request("GET", "/healthz").result_int() != 200) {
                ADD_FAILURE() << "/healthz did not answer 200";
                return void(++t.failures);
            }
            t.slowest(t.slowest_health_ms, std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - asked).count());
            ++t.probes;
            std::this_thread::sleep_for(50ms);
        }
    });

    while (clock::now() < deadline && t.failures == 0) std::this_thread::sleep_for(50ms);
    stop = true;
    for (auto& th : threads) th.join();

    std::cout << "churn: " << t.parts_acked << " parts acked, " << t.subscribes << " subscribes, " << t.resets
              << " resets, " << t.probes << " probes; slowest probe " << t.slowest_probe_ms << " ms, slowest /healthz "
              << t.slowest_health_ms << " ms\n";
    EXPECT_EQ(t.failures, 0);
    EXPECT_GT(t.parts_acked, 0);
    EXPECT_GT(t.resets, 0);
    EXPECT_GT(t.probes, 0);

    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(5s), std::optional<int>(0)) << "SIGTERM must end the server within 5 s";
}

} // namespace
} // namespace parley::test
