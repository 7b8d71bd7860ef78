// parley-bench must keep working: short runs of its scenarios against the real server,
// a few hundred messages each, every one acknowledged and delivered once and in order.

#include "support/server_process.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>

namespace parley::test {
namespace {

/// A server whose per-connection command limit does not get in the generator's way.
std::string bench_config(temp_dir const& data) {
    return test_config(data.str() + "/data",
                       R"({"commands_per_s": 100000, "commands_burst": 100000})");
}

/// Runs `parley-bench SCENARIO --port P --config F --server-pid PID ARGS...` and checks that
/// it exited 0 with one clean JSON line. @return that line.
boost::json::object run_clean(server_process const& server, std::string const& scenario,
                              std::vector<std::string> args) {
    std::vector<std::string> all{scenario,
                                 "--port",
                                 std::to_string(server.port()),
                                 "--config",
                                 server.config_path(),
                                 "--server-pid",
                                 std::to_string(server.pid())};
    all.insert(all.end(), args.begin(), args.end());
    auto r = run_program(PARLEY_BENCH_BINARY, all, std::chrono::seconds(60));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    boost::system::error_code ec;
    auto parsed = boost::json::parse(r.out, ec);
    if (ec || !parsed.is_object()) {
        ADD_FAILURE() << "not one JSON object: " << r.out << r.err;
        return {};
    }
    auto result = parsed.as_object();
    EXPECT_EQ(result["scenario"], scenario.c_str());
    for (auto key : {"errors", "lost", "duplicated", "reordered"})
        EXPECT_EQ(result[key], 0) << key << ": " << r.err;
    EXPECT_GT(result["server_rss_kib"].to_number<std::int64_t>(), 0);
    return result;
}

TEST(bench_smoke, pairs_delivers_everything_once_and_in_order) {
    temp_dir data;
    server_process server(bench_config(data));
    ASSERT_TRUE(server.started()) << server.log();
    auto result =
        run_clean(server, "pairs",
                  {"--conversations", "5", "--window", "2", "--warmup", "0", "--duration", "1"});
    ASSERT_FALSE(result.empty());
    EXPECT_GT(result["committed_parts_per_s"].to_number<double>(), 0.0);
    EXPECT_GT(result["delivered_msgs_per_s"].to_number<double>(), 0.0);
}

TEST(bench_smoke, openloop_keeps_its_rate_without_loss) {
    temp_dir data;
    server_process server(bench_config(data));
    ASSERT_TRUE(server.started()) << server.log();
    auto result =
        run_clean(server, "openloop",
                  {"--conversations", "5", "--rate", "300", "--warmup", "0", "--duration", "1"});
    ASSERT_FALSE(result.empty());
    EXPECT_GT(result["achieved_rate"].to_number<double>(), 200.0);
    EXPECT_GT(result["delivered_msgs_per_s"].to_number<double>(), 0.0);
    EXPECT_GT(result["p99_us"].to_number<std::int64_t>(), 0);
}

TEST(bench_smoke, fanout_reaches_every_subscriber_once_and_in_order) {
    temp_dir data;
    server_process server(bench_config(data));
    ASSERT_TRUE(server.started()) << server.log();
    auto result = run_clean(server, "fanout",
                            {"--senders", "3", "--subscribers", "20", "--window", "2", "--warmup",
                             "0", "--duration", "1"});
    ASSERT_FALSE(result.empty());
    auto const committed = result["committed_parts_per_s"].to_number<double>();
    EXPECT_GT(committed, 0.0);
    // Every part reaches all 20 subscribers; the measured window cuts a few in flight.
    EXPECT_GT(result["delivered_msgs_per_s"].to_number<double>(), committed * 15);
}

TEST(bench_smoke, history_reads_exactly_the_pages_it_wrote) {
    temp_dir data;
    server_process server(bench_config(data));
    ASSERT_TRUE(server.started()) << server.log();
    auto result = run_clean(server, "history",
                            {"--fill-conversations", "20", "--fill-parts", "30", "--connections", "4",
                             "--limit", "10", "--warmup", "0", "--duration", "1"});
    ASSERT_FALSE(result.empty());
    EXPECT_EQ(result["conversations_read"], 20);
    EXPECT_GT(result["requests_per_s"].to_number<double>(), 0.0);
}

TEST(bench_smoke, list_fill_then_list_answers_every_day_exactly) {
    temp_dir data;
    auto const config = bench_config(data);
    auto const config_file = data.str() + "/fill.json";
    std::ofstream(config_file) << config;
    // Three days of conversations, one every ten minutes.
    auto filled = run_program(PARLEY_BENCH_BINARY,
                              {"list-fill", "--config", config_file, "--conversations", "432", "--spacing", "600"},
                              std::chrono::seconds(60));
    ASSERT_EQ(filled.exit_code, 0) << filled.out << filled.err;

    server_process server(config);
    ASSERT_TRUE(server.started()) << server.log();
    auto result = run_clean(server, "list",
                            {"--conversations", "432", "--spacing", "600", "--connections", "4", "--per", "20",
                             "--warmup", "0", "--duration", "1"});
    ASSERT_FALSE(result.empty());
    EXPECT_GT(result["requests_per_s"].to_number<double>(), 0.0);
    // 144 a day, of which every 10th is finished and a third of the rest assigned.
    auto const matches = result["matches_per_request"].to_number<double>();
    EXPECT_GT(matches, 80.0);
    EXPECT_LT(matches, 90.0);
    EXPECT_GT(result["keys_read_per_request"].to_number<double>(), 0.0);
}

TEST(bench_smoke, list_refuses_a_store_that_does_not_hold_what_it_expects) {
    temp_dir data;
    server_process server(bench_config(data));
    ASSERT_TRUE(server.started()) << server.log();
    // Nothing was filled: every answer is an empty page, and each one is an error.
    std::vector<std::string> args{"list", "--port", std::to_string(server.port()), "--config", server.config_path(),
                                  "--conversations", "432", "--spacing", "600", "--connections", "1",
                                  "--warmup", "0", "--duration", "1"};
    auto r = run_program(PARLEY_BENCH_BINARY, args, std::chrono::seconds(60));
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("bad list response"), std::string::npos) << r.err;
}

} // namespace
} // namespace parley::test
