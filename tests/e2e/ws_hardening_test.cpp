// The WebSocket as an attacker would try it: malformed frames cost as much as commands,
// ids are 1..128 characters without control characters wherever a client names one, and
// close codes outside RFC 6455's ranges are a protocol error.

#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace parley::test {
namespace {

using auth::role;
namespace json = boost::json;

class ws_hardening : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        data_ = new temp_dir;
        server_ = new server_process(test_config(data_->str() + "/data", R"({"commands_per_s": 1000, "commands_burst": 1000})"));
        ASSERT_TRUE(server_->started()) << server_->log();
    }
    static void TearDownTestSuite() {
        delete server_;
        delete data_;
    }

    static std::unique_ptr<ws_client> open_ready(std::string const& token) {
        return ws_client::open_ready(server_->port(), token);
    }

    static inline temp_dir* data_ = nullptr;
    static inline server_process* server_ = nullptr;
};

TEST(ws_rate_limit, malformed_frames_count_against_the_command_rate) {
    temp_dir data;
    server_process server(test_config(data.str() + "/data", R"({"commands_per_s": 1, "commands_burst": 4})"));
    ASSERT_TRUE(server.started()) << server.log();
    auto c = ws_client::open(server.port(), visitor_token("flooder"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->read_json()["op"], "hello");
    for (int i = 0; i < 8; ++i) c->send_text("{not json");
    int bad = 0, limited = 0;
    for (int i = 0; i < 8; ++i) {
        auto f = c->read_json();
        if (f["code"] == "bad_request") ++bad;
        if (f["code"] == "rate_limited") ++limited;
    }
    EXPECT_EQ(bad, 4) << "the burst";
    EXPECT_EQ(limited, 4) << "past the burst, malformed or not";
    // A valid command right after is limited too: the garbage used the budget.
    c->send_text(R"({"op":"ping","ref":"after"})");
    auto f = c->read_json();
    EXPECT_EQ(f["code"], "rate_limited");
    EXPECT_EQ(f["ref"], "after");
}

TEST_F(ws_hardening, operator_ids_in_commands_are_1_to_128_characters_without_controls) {
    auto v = open_ready(visitor_token("ids-visitor"));
    ASSERT_TRUE(v);
    v->send_text(R"({"op":"conversation.start","random_id":"ids-1","ref":"s"})");
    auto started = v->read_op("conversation.started");
    ASSERT_TRUE(started.contains("conversation"));
    auto const id = started["conversation"].as_object()["id"];

    auto op = open_ready(make_token(role::operator_, "op-ids"));
    ASSERT_TRUE(op);
    std::string const too_long(129, 'o');
    for (std::string const& bad : {std::string(), std::string("op\n22"), std::string("op\x01"), std::string("op\x7f"),
                                   std::string("op\xc2\x85"), too_long}) {
        for (char const* verb : {"conversation.assign", "conversation.transfer"}) {
            op->send_text(json::serialize(json::object{{"op", verb}, {"conversation", id}, {"operator", bad}, {"ref", "bad"}}));
            auto f = op->read_json();
            EXPECT_EQ(f["op"], "error") << verb << " with " << json::serialize(json::value(bad));
            EXPECT_EQ(f["code"], "bad_request") << verb << " with " << json::serialize(json::value(bad));
        }
    }
    op->send_text(json::serialize(json::object{{"op", "conversation.assign"}, {"conversation", id}, {"operator", std::string(128, 'o')}, {"ref", "ok"}}));
    EXPECT_EQ(op->read_op("conversation")["conversation"].as_object()["assignee"].as_object()["id"], json::value(std::string(128, 'o')))
        << "128 characters are allowed";
}

TEST_F(ws_hardening, a_bot_names_its_visitor_with_a_valid_id) {
    auto bot = open_ready(make_token(role::bot, "bot-ids"));
    ASSERT_TRUE(bot);
    for (std::string const& bad : {std::string(), std::string("tg\r\n1"), std::string(129, 'v')}) {
        bot->send_text(json::serialize(json::object{{"op", "conversation.start"}, {"random_id", "b-" + std::to_string(bad.size())},
                                                    {"visitor", json::object{{"id", bad}}}, {"ref", "b"}}));
        auto f = bot->read_json();
        EXPECT_EQ(f["code"], "bad_request") << json::serialize(json::value(bad));
    }
}

TEST_F(ws_hardening, a_token_sub_with_control_characters_is_refused) {
    auto const refused = ws_client::connect(server_->port(), "/v1/ws?token=" + make_token(role::visitor, "v\n1"));
    EXPECT_EQ(refused.status, 401u);
    auto const tab = ws_client::connect(server_->port(), "/v1/ws?token=" + make_token(role::visitor, "v\t1"));
    EXPECT_EQ(tab.status, 401u);
}

TEST_F(ws_hardening, close_codes_outside_rfc_6455_ranges_are_answered_1002) {
    for (std::uint16_t code : {5000, 65535, 999, 1004, 1005, 1006, 1015, 2999}) {
        auto c = open_ready(visitor_token("closer"));
        ASSERT_TRUE(c);
        EXPECT_EQ(c->close_with(code), 1002) << "close code " << code;
    }
    for (std::uint16_t code : {1000, 3000, 4999}) {
        auto c = open_ready(visitor_token("closer"));
        ASSERT_TRUE(c);
        EXPECT_EQ(c->close_with(code), code) << "a valid close code is echoed: " << code;
    }
}

} // namespace
} // namespace parley::test
