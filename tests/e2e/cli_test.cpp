// The `parley` command line as a user runs it: exit codes and messages.

#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

#include <parley/auth/token.hpp>
#include <parley/version.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace parley::test {
namespace {

std::int64_t now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class cli : public ::testing::Test {
protected:
    temp_dir dir;
    std::string config = dir.write("parley.json", test_config(dir.str() + "/data")).string();
};

TEST_F(cli, token_mints_a_token_the_server_accepts) {
    auto r = run_parley({"token", "--config", config, "--site", "demo", "--role", "operator", "--sub",
                         "op-7", "--name", "Olga", "--departments", "sales,support", "--ttl", "120"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string token = r.out.substr(0, r.out.find('\n'));
    auth::token_verifier verifier(std::vector<config::site>{{"demo", demo_secret, {}}});
    auto who = verifier.verify(token, now());
    ASSERT_TRUE(who.has_value());
    EXPECT_EQ(who->id, "op-7");
    EXPECT_EQ(who->role, auth::role::operator_);
    ASSERT_TRUE(who->departments);
    EXPECT_EQ(who->departments->size(), 2u);
    // The TTL is honoured: the token is refused once it is past.
    EXPECT_FALSE(verifier.verify(token, now() + 121).has_value());
}

TEST_F(cli, token_refuses_bad_arguments_with_exit_code_2) {
    EXPECT_EQ(run_parley({"token", "--config", config, "--site", "nope", "--role", "visitor", "--sub", "a"}).exit_code, 2);
    EXPECT_EQ(run_parley({"token", "--config", config, "--site", "demo", "--role", "admin", "--sub", "a"}).exit_code, 2);
    EXPECT_EQ(run_parley({"token", "--config", config, "--site", "demo", "--role", "visitor"}).exit_code, 2);
    EXPECT_EQ(run_parley({"token", "--config", config, "--site", "demo", "--role", "visitor", "--sub", "a",
                          "--ttl", "soon"}).exit_code, 2);
    EXPECT_EQ(run_parley({"token", "--config", config, "--site", "demo", "--role", "visitor", "--sub", "a",
                          "--departments", "x"}).exit_code, 2);
}

TEST_F(cli, serve_stops_on_a_bad_value_naming_the_key) {
    auto bad = dir.write("bad.json", R"({"listen": {"port": 70000}})");
    auto r = run_parley({"serve", "--config", bad.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("listen.port: expected integer 1..65535"), std::string::npos) << r.err;
}

TEST_F(cli, serve_stops_on_an_unknown_key) {
    auto bad = dir.write("bad.json", "// comment\n{\"limits\": {\"max_frame_byte\": 1000}}");
    auto r = run_parley({"serve", "--config", bad.string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown key: limits.max_frame_byte"), std::string::npos) << r.err;
}

TEST_F(cli, serve_stops_on_a_missing_config_file_or_bad_override) {
    auto missing = run_parley({"serve", "--config", dir.str() + "/absent.json"});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("absent.json"), std::string::npos) << missing.err;
    auto listen = run_parley({"serve", "--config", config, "--listen", "127.0.0.1:99999"});
    EXPECT_EQ(listen.exit_code, 2);
    EXPECT_NE(listen.err.find("--listen"), std::string::npos) << listen.err;
}

TEST_F(cli, unknown_command_and_version) {
    EXPECT_EQ(run_parley({"frobnicate"}).exit_code, 2);
    EXPECT_EQ(run_parley({}).exit_code, 2);
    auto v = run_parley({"--version"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_NE(v.out.find(std::string(version)), std::string::npos);
}

} // namespace
} // namespace parley::test
