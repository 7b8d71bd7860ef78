// parley-bench must keep working: a short pairs run against the real server, a few
// hundred messages, every one acknowledged and delivered once and in order.

#include "support/server_process.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace parley::test {
namespace {

TEST(bench_smoke, pairs_delivers_everything_once_and_in_order) {
    temp_dir data;
    server_process server(test_config(data.str() + "/data", R"({"commands_per_s": 100000, "commands_burst": 100000})"));
    ASSERT_TRUE(server.started()) << server.log();
    auto r = run_program(PARLEY_BENCH_BINARY,
                         {"pairs", "--port", std::to_string(server.port()), "--config", server.config_path(),
                          "--conversations", "5", "--window", "2", "--warmup", "0", "--duration", "1",
                          "--server-pid", std::to_string(server.pid())},
                         std::chrono::seconds(60));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto const result = boost::json::parse(r.out).as_object();
    EXPECT_EQ(result.at("scenario"), "pairs");
    EXPECT_GT(result.at("committed_parts_per_s").to_number<double>(), 0.0);
    for (auto key : {"errors", "lost", "duplicated", "reordered"}) EXPECT_EQ(result.at(key), 0) << key;
    EXPECT_GT(result.at("server_rss_kib").to_number<std::int64_t>(), 0);
}

} // namespace
} // namespace parley::test
