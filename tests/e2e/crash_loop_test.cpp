// kill -9 under load, twenty times (SPEC §3.3): every acknowledged part is in the history
// exactly once, ids only grow across restarts, a retry is recognised after any number of
// crashes, and a part that was never acknowledged is stored at most once however often
// it is resent with its random_id.

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

constexpr int cycles = 20;
constexpr int writers_count = 3;

/// A visitor that writes through every crash and resends what was not acknowledged.
struct crash_writer {
    std::string name;
    std::uint64_t conversation = 0;
    int next = 0;
    std::set<std::string> pending;                ///< sent, no ack yet: resent after each restart
    std::map<std::string, std::uint64_t> acked;   ///< random_id -> part id
    std::vector<std::pair<int, std::uint64_t>> fresh_ids; ///< (cycle, id) of first acks
    std::vector<std::string> problems;

    void send_part(ws_client& c, std::string const& rid) {
        c.send_text(json::serialize(json::object{{"op", "part.create"}, {"conversation", conversation},
                                                 {"type", "reply_user"}, {"random_id", rid}, {"body", rid}}));
    }

    /// @return false when the connection ended.
    bool take(ws_client& c, int cycle, std::chrono::milliseconds wait) {
        for (;;) {
            auto f = c.read(wait);
            if (f.kind == frame_kind::timeout) return true;
            if (f.kind != frame_kind::message) return false;
            auto v = json::parse(f.text).as_object();
            if (v["op"] == "conversation.started") conversation = v["conversation"].as_object()["id"].to_number<std::uint64_t>();
            if (v["op"] != "part.created") continue;
            auto const rid = std::string(v["part"].as_object()["random_id"].as_string());
            auto const id = v["part"].as_object()["id"].to_number<std::uint64_t>();
            bool const duplicate = v.contains("duplicate");
            pending.erase(rid);
            if (auto known = acked.find(rid); known != acked.end()) {
                if (known->second != id) problems.push_back(rid + " acked as " + std::to_string(known->second) + " then " + std::to_string(id));
                if (!duplicate) problems.push_back(rid + " stored a second time");
            } else {
                acked[rid] = id;
                if (!duplicate) fresh_ids.emplace_back(cycle, id);
            }
            wait = std::chrono::milliseconds(1);
        }
    }

    void run(unsigned short port, int cycle, std::atomic<bool> const& stop) {
        auto c = ws_client::open(port, visitor_token(name));
        if (!c || c->read(std::chrono::seconds(2)).kind != frame_kind::message) return; // hello
        if (conversation == 0) {
            // The same random_id every time until it is acknowledged: one conversation.
            c->send_text(json::serialize(json::object{{"op", "conversation.start"}, {"random_id", name + "-start"}}));
            for (int i = 0; i < 200 && conversation == 0; ++i)
                if (!take(*c, cycle, std::chrono::milliseconds(10))) return;
            if (conversation == 0) return;
        }
        for (auto const& rid : pending) send_part(*c, rid);
        while (!stop) {
            for (int i = 0; i < 5; ++i) {
                auto rid = name + "-" + std::to_string(next++);
                pending.insert(rid);
                send_part(*c, rid);
            }
            if (!take(*c, cycle, std::chrono::milliseconds(2))) return;
        }
    }
};

TEST(crash_loop, twenty_kill_9_under_load_lose_nothing_acked_and_double_nothing) {
    temp_dir data;
    auto const config = test_config(data.str() + "/data", R"({"commands_per_s": 100000, "commands_burst": 100000})");
    std::vector<crash_writer> writers(writers_count);
    for (int i = 0; i < writers_count; ++i) writers[i].name = "crash" + std::to_string(i);

    for (int cycle = 0; cycle < cycles; ++cycle) {
        server_process server(config);
        ASSERT_TRUE(server.started()) << "cycle " << cycle << ": " << server.log();
        std::atomic<bool> stop{false};
        std::vector<std::thread> threads;
        for (auto& w : writers) threads.emplace_back([&, cycle] { w.run(server.port(), cycle, stop); });
        // A different moment in the write stream each time.
        std::this_thread::sleep_for(std::chrono::milliseconds(150 + (cycle * 37) % 120));
        server.signal(SIGKILL);
        ASSERT_TRUE(server.wait_exit(std::chrono::seconds(5))) << "cycle " << cycle;
        stop = true;
        for (auto& t : threads) t.join();
    }

    // One last run resends everything still unacknowledged, until it is.
    server_process last(config);
    ASSERT_TRUE(last.started()) << last.log();
    std::atomic<bool> stop{true};
    for (auto& w : writers) {
        if (w.conversation == 0) w.run(last.port(), cycles, stop); // with `stop` set: only starts it
        auto c = ws_client::open(last.port(), visitor_token(w.name));
        ASSERT_TRUE(c);
        c->read_json();
        for (auto const& rid : w.pending) w.send_part(*c, rid);
        for (int i = 0; i < 100 && !w.pending.empty(); ++i) w.take(*c, cycles, std::chrono::milliseconds(20));
    }

    auto const staff = make_token(auth::role::operator_, "op-audit");
    std::size_t total = 0;
    for (auto const& w : writers) {
        SCOPED_TRACE(w.name);
        ASSERT_NE(w.conversation, 0u);
        EXPECT_TRUE(w.problems.empty()) << w.problems.front();
        EXPECT_TRUE(w.pending.empty()) << w.pending.size() << " parts never acknowledged, even after the last run";
        std::map<std::string, int> stored;
        std::uint64_t previous = 0;
        for (auto const& p : whole_history(last.port(), w.conversation, staff)) {
            auto const id = p.at("id").to_number<std::uint64_t>();
            EXPECT_GT(id, previous) << "history out of order";
            previous = id;
            ++stored[std::string(p.at("body").as_string())];
        }
        for (auto const& [rid, id] : w.acked) EXPECT_EQ(stored[rid], 1) << rid << " (id " << id << ")";
        for (auto const& [body, n] : stored) EXPECT_EQ(n, 1) << body << " stored " << n << " times";
        // Ids only grow across restarts: every first ack of a cycle is above all earlier cycles'.
        std::uint64_t highest_before = 0, highest_now = 0;
        int current = -1;
        for (auto const& [cycle, id] : w.fresh_ids) {
            if (cycle != current) highest_before = std::max(highest_before, highest_now), current = cycle;
            EXPECT_GT(id, highest_before) << "cycle " << cycle << " reused an id";
            highest_now = std::max(highest_now, id);
        }
        total += w.acked.size();
    }
    std::cout << "crash loop: " << cycles << " kills, " << total << " parts acknowledged\n";
    EXPECT_GT(total, std::size_t{cycles * writers_count}) << "the writers hardly wrote";
}

} // namespace
} // namespace parley::test
