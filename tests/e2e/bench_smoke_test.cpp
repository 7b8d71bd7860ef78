// parley-bench must keep working: short runs of its scenarios against the real server,
// a few hundred messages each, every one acknowledged and delivered once and in order.

#include "support/server_process.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

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

} // namespace
} // namespace parley::test
