// A WebSocket connection never outlives its token (SPEC §3.2 `auth.refresh`, §3.4):
// at `exp` the server closes with 4001 unless the client handed it a fresh token for
// the same actor first, and a refused token leaves the connection on its old one.

#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace parley::test {
namespace {

using auth::role;
using frame_kind = ws_client::frame_kind;

class token_lifetime : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        data_ = new temp_dir;
        server_ = new server_process(test_config(data_->str() + "/data"));
        ASSERT_TRUE(server_->started()) << server_->log();
    }
    static void TearDownTestSuite() {
        delete server_;
        delete data_;
    }

    static std::unique_ptr<ws_client> open_ready(std::string const& token) {
        return ws_client::open_ready(server_->port(), token);
    }

    static boost::json::object refresh(ws_client& c, std::string const& token) {
        c.send_text(boost::json::serialize(boost::json::object{{"op", "auth.refresh"}, {"token", token}, {"ref", "r"}}));
        return c.read_json();
    }

    static void expect_alive(ws_client& c) {
        c.send_text(R"({"op":"ping","ref":"alive"})");
        auto pong = c.read_json();
        EXPECT_EQ(pong["op"], "pong");
        EXPECT_EQ(pong["ref"], "alive");
    }

    static void expect_expired_close(ws_client& c, std::chrono::milliseconds within) {
        auto const f = c.read(within);
        ASSERT_EQ(f.kind, frame_kind::closed) << "got " << f.text << f.error;
        EXPECT_EQ(f.close_code, 4001);
        EXPECT_EQ(f.close_reason, "token expired");
    }

    static std::string operator_token(std::string const& sub, std::optional<std::vector<std::string>> departments,
                                      long ttl_s) {
        auth::token_claims claims;
        claims.site = "demo";
        claims.sub = sub;
        claims.role = role::operator_;
        claims.departments = std::move(departments);
        claims.expires_at = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count() + ttl_s;
        return auth::mint_token(claims, demo_secret).value_or("");
    }

    static temp_dir* data_;
    static server_process* server_;
};

temp_dir* token_lifetime::data_ = nullptr;
server_process* token_lifetime::server_ = nullptr;

TEST_F(token_lifetime, a_connection_is_closed_with_4001_when_its_token_expires) {
    auto c = open_ready(make_token(role::visitor, "lifetime-1", "demo", 2));
    ASSERT_TRUE(c);
    expect_alive(*c);
    expect_expired_close(*c, std::chrono::seconds(4));
}

TEST_F(token_lifetime, a_refreshed_connection_outlives_its_first_token_and_ends_with_the_second) {
    auto c = open_ready(make_token(role::visitor, "lifetime-2", "demo", 2));
    ASSERT_TRUE(c);
    auto ok = refresh(*c, make_token(role::visitor, "lifetime-2", "demo", 5));
    EXPECT_EQ(ok["op"], "ok") << boost::json::serialize(ok);
    EXPECT_EQ(ok["ref"], "r");
    // Past the first token's exp: still open.
    auto const quiet = c->read(std::chrono::milliseconds(3000));
    ASSERT_EQ(quiet.kind, frame_kind::timeout) << "closed with " << quiet.close_code;
    expect_alive(*c);
    expect_expired_close(*c, std::chrono::seconds(4));
}

TEST_F(token_lifetime, a_refused_token_is_unauthorized_and_the_connection_keeps_its_old_one) {
    auto c = open_ready(make_token(role::visitor, "lifetime-3", "demo", 3));
    ASSERT_TRUE(c);
    struct attempt {
        char const* what;
        std::string token;
    };
    attempt const refused[] = {
        {"another visitor", make_token(role::visitor, "someone-else", "demo", 600)},
        {"another role, same sub", make_token(role::operator_, "lifetime-3", "demo", 600)},
        {"another site, same sub", make_token(role::visitor, "lifetime-3", "strict", 600)},
        {"expired", make_token(role::visitor, "lifetime-3", "demo", -10)},
        {"signed with another secret", make_token(role::visitor, "lifetime-3", "demo", 600, "not-the-secret-0123456789")},
        {"not a token", "garbage"},
    };
    for (auto const& a : refused) {
        auto const answer = refresh(*c, a.token);
        EXPECT_EQ(answer.at("op"), "error") << a.what;
        EXPECT_EQ(answer.contains("code") ? answer.at("code") : nullptr, "unauthorized") << a.what;
        EXPECT_EQ(answer.at("ref"), "r") << a.what;
        auto const text = boost::json::serialize(answer);
        EXPECT_EQ(text.find(a.token), std::string::npos) << "the answer repeats the token: " << a.what;
    }
    c->send_text(R"({"op":"auth.refresh","ref":"m"})");
    auto missing = c->read_json();
    EXPECT_EQ(missing["op"], "error");
    EXPECT_EQ(missing["code"], "bad_request");
    expect_alive(*c);
    // None of them moved the end.
    expect_expired_close(*c, std::chrono::seconds(5));
    EXPECT_EQ(server_->log().find("lifetime-3"), std::string::npos) << "the log names the actor";
}

TEST_F(token_lifetime, an_operator_cannot_change_departments_by_refreshing) {
    auto c = open_ready(operator_token("op-lifetime", std::vector<std::string>{"sales"}, 600));
    ASSERT_TRUE(c);
    for (auto const& other : {std::optional<std::vector<std::string>>{}, std::optional(std::vector<std::string>{"sales", "returns"})}) {
        auto const answer = refresh(*c, operator_token("op-lifetime", other, 600));
        EXPECT_EQ(answer.at("op"), "error");
        EXPECT_EQ(answer.at("code"), "unauthorized");
    }
    EXPECT_EQ(refresh(*c, operator_token("op-lifetime", std::vector<std::string>{"sales"}, 900)).at("op"), "ok");
}

} // namespace
} // namespace parley::test
