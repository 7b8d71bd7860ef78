// Conversation commands through the real binary (SPEC §3.2, §2.3 lifecycle).

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace parley::test {
namespace {

using auth::role;
namespace json = boost::json;

std::string cmd(json::object o) { return json::serialize(o); }

/// A visitor with an open conversation, an operator subscribed to it, and an operator
/// panel on the inbox.
class commands_e2e : public ::testing::Test {
protected:
    void SetUp() override {
        server_ = std::make_unique<server_process>(test_config(data_.str() + "/data"));
        ASSERT_TRUE(server_->started()) << server_->log();
        visitor_ = open(visitor_token("anna"));
        operator_ = open(make_token(role::operator_, "olga", "demo", 600, {}, "Olga"));
        inbox_ = open(make_token(role::operator_, "panel"));
        inbox_->send_text(R"({"op":"subscribe","inbox":true})");
        inbox_->read_op("subscribed");
        visitor_->send_text(R"({"op":"conversation.start","random_id":"s1"})");
        cid_ = visitor_->read_op("conversation.started")["conversation"].at("id").to_number<std::uint64_t>();
        operator_->send_text(cmd({{"op", "subscribe"}, {"conversation", cid_}}));
        operator_->read_op("subscribed");
        inbox_->read_op("event"); // visitor-chat-open
    }
    std::unique_ptr<ws_client> open(std::string const& token) {
        auto c = ws_client::open(server_->port(), token);
        c->read_op("hello");
        return c;
    }
    json::object part(ws_client& c, char const* type, char const* rid, char const* body = "text") {
        c.send_text(cmd({{"op", "part.create"}, {"conversation", cid_}, {"type", type}, {"random_id", rid}, {"body", body}}));
        return c.read_op("part.created")["part"].as_object();
    }

    temp_dir data_;
    std::unique_ptr<server_process> server_;
    std::unique_ptr<ws_client> visitor_, operator_, inbox_;
    std::uint64_t cid_ = 0;
};

TEST_F(commands_e2e, assign_then_close_then_reopen_follows_the_lifecycle) {
    operator_->send_text(cmd({{"op", "conversation.assign"}, {"conversation", cid_}, {"ref", "a"}}));
    auto assigned = operator_->read_op("conversation");
    EXPECT_EQ(assigned["ref"], "a");
    EXPECT_EQ(assigned["conversation"].at("status"), "assigned");
    EXPECT_EQ(assigned["conversation"].at("assignee").at("id"), "olga");
    EXPECT_FALSE(assigned["conversation"].at("queue_duration").is_null());
    auto assigned_part = visitor_->read_op("part");
    EXPECT_EQ(assigned_part["part"].at("type"), "assigned");
    EXPECT_EQ(assigned_part["part"].at("assignee").at("id"), "olga");
    EXPECT_EQ(visitor_->read_op("conversation")["conversation"].at("status"), "assigned");
    EXPECT_EQ(inbox_->read_op("conversation")["conversation"].at("status"), "assigned");

    part(*operator_, "reply_admin", "a1");
    visitor_->send_text(cmd({{"op", "conversation.close"}, {"conversation", cid_}}));
    auto closed = visitor_->read_op("conversation");
    EXPECT_EQ(closed["conversation"].at("status"), "finished");
    EXPECT_EQ(closed["conversation"].at("result"), "success");
    EXPECT_FALSE(closed["conversation"].at("ends_at").is_null());
    // The operator's own reply came back as part.created; the next part is the close.
    EXPECT_EQ(operator_->read_op("part")["part"].at("type"), "closed");
    EXPECT_EQ(operator_->read_op("conversation")["conversation"].at("status"), "finished");
    std::vector<json::object> before;
    EXPECT_EQ(inbox_->read_op("event", &before)["event"].at("event_type"), "visitor-chat-close");

    // Writing into a finished conversation reopens it, back to its assignee.
    part(*visitor_, "reply_user", "again");
    auto reopened = inbox_->read_op("event");
    EXPECT_EQ(reopened["event"].at("event_type"), "visitor-chat-reopen");
    auto now = operator_->read_op("conversation");
    EXPECT_EQ(now["conversation"].at("status"), "assigned");
    EXPECT_EQ(now["conversation"].at("assignee").at("id"), "olga");
}

TEST_F(commands_e2e, transfer_moves_department_and_writes_an_event) {
    operator_->send_text(cmd({{"op", "conversation.transfer"}, {"conversation", cid_}, {"department", "billing"}}));
    EXPECT_EQ(operator_->read_op("conversation")["conversation"].at("department"), "billing");
    auto moved = inbox_->read_op("event");
    EXPECT_EQ(moved["event"].at("event_type"), "visitor-chat-move");
    EXPECT_EQ(moved["event"].at("employee").at("id"), "olga");
    operator_->send_text(cmd({{"op", "conversation.transfer"}, {"conversation", cid_}}));
    EXPECT_EQ(operator_->read_op("error")["code"], "bad_request");
    visitor_->send_text(cmd({{"op", "conversation.assign"}, {"conversation", cid_}}));
    EXPECT_EQ(visitor_->read_op("error")["code"], "forbidden");
}

TEST_F(commands_e2e, tags_are_for_staff_eyes_only) {
    operator_->send_text(cmd({{"op", "conversation.tag"}, {"conversation", cid_}, {"add", json::array{"vip", "refund"}}}));
    auto tagged = operator_->read_op("conversation");
    EXPECT_EQ(tagged["conversation"].at("tags"), (json::array{"vip", "refund"}));
    EXPECT_EQ(operator_->read_op("part")["part"].at("type"), "tag_added");
    // The visitor gets the conversation without tags and never a tag part.
    auto seen = visitor_->read_op("conversation");
    EXPECT_FALSE(seen["conversation"].as_object().contains("tags"));
    auto reply = part(*operator_, "reply_admin", "after-tags");
    EXPECT_EQ(visitor_->read_op("part")["part"].at("id"), reply.at("id"));
    operator_->send_text(cmd({{"op", "conversation.tag"}, {"conversation", cid_}, {"remove", json::array{"vip"}}}));
    EXPECT_EQ(operator_->read_op("conversation")["conversation"].at("tags"), (json::array{"refund"}));
}

TEST_F(commands_e2e, edit_and_remove_by_the_rules) {
    auto mine = part(*visitor_, "reply_user", "v1", "my card is 4111");
    auto const id = mine.at("id").to_number<std::uint64_t>();
    operator_->read_op("part");
    visitor_->send_text(cmd({{"op", "part.edit"}, {"conversation", cid_}, {"id", id}, {"body", "fixed"}, {"ref", "e"}}));
    auto edited = visitor_->read_op("part.updated");
    EXPECT_EQ(edited["ref"], "e");
    EXPECT_EQ(edited["part"].at("body"), "fixed");
    EXPECT_FALSE(edited["part"].at("edited").is_null());
    EXPECT_EQ(operator_->read_op("part.updated")["part"].at("body"), "fixed");

    operator_->send_text(cmd({{"op", "part.edit"}, {"conversation", cid_}, {"id", id}, {"body", "hijacked"}}));
    EXPECT_EQ(operator_->read_op("error")["code"], "forbidden");
    operator_->send_text(cmd({{"op", "part.remove"}, {"conversation", cid_}, {"id", id}}));
    auto removed = operator_->read_op("part.updated");
    EXPECT_EQ(removed["part"].at("body"), "");
    EXPECT_FALSE(removed["part"].at("removed").is_null());
    EXPECT_EQ(removed["part"].at("type"), "reply_user");
    // Stored that way: the history shows it removed.
    auto history = http_get(server_->port(), "/v1/conversations/" + std::to_string(cid_) + "/parts",
                            {{"Authorization", "Bearer " + visitor_token("anna")}});
    EXPECT_EQ(history.body().find("4111"), std::string::npos);
    EXPECT_EQ(history.body().find("fixed"), std::string::npos);
}

TEST_F(commands_e2e, typing_read_and_reported_events) {
    visitor_->send_text(cmd({{"op", "typing"}, {"conversation", cid_}, {"ref", "t"}}));
    EXPECT_EQ(visitor_->read_op("ok")["ref"], "t");
    EXPECT_EQ(operator_->read_op("typing")["from"].at("id"), "anna");

    auto reply = part(*operator_, "reply_admin", "hello");
    visitor_->read_op("part");
    visitor_->send_text(cmd({{"op", "read"}, {"conversation", cid_}, {"up_to", reply.at("id")}}));
    visitor_->read_op("ok");
    auto read = operator_->read_op("read");
    EXPECT_EQ(read["by"], "visitor");
    EXPECT_EQ(read["up_to"], reply.at("id"));
    auto history = http_get(server_->port(), "/v1/conversations/" + std::to_string(cid_) + "/parts",
                            {{"Authorization", "Bearer " + make_token(role::operator_, "olga")}});
    EXPECT_EQ(json::parse(history.body()).as_array().back().at("read"), true);

    visitor_->send_text(cmd({{"op", "event"}, {"conversation", cid_}, {"event_type", "visitor-navigate"}, {"page", "/pricing"}}));
    visitor_->read_op("ok");
    auto event = operator_->read_op("event");
    EXPECT_EQ(event["event"].at("event_type"), "vistor-navigate") << "stored in the reference spelling";
    EXPECT_EQ(event["event"].at("page"), "/pricing");
    visitor_->send_text(cmd({{"op", "event"}, {"conversation", cid_}, {"event_type", "visitor-chat-open"}}));
    EXPECT_EQ(visitor_->read_op("error")["code"], "bad_request") << "server-written events cannot be reported";
}

} // namespace
} // namespace parley::test
