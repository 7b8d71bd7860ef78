// relay::apply_part on the conversation aggregate (SPEC §2.3): counters, message times,
// answered/employees, response times, reopening and the last ids.

#include <parley/auth/actor.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/protocol/part_type.hpp>
#include <parley/relay/lifecycle.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace parley::relay {
namespace {

using protocol::part_type;

auth::actor make_actor(auth::role role, std::string id) {
    auth::actor a;
    a.site = "shop";
    a.role = role;
    a.id = std::move(id);
    a.name = "Name of " + a.id;
    return a;
}

auth::actor const visitor = make_actor(auth::role::visitor, "v-1");
auth::actor const op = make_actor(auth::role::operator_, "op-1");
auth::actor const other_op = make_actor(auth::role::operator_, "op-2");
auth::actor const bot = make_actor(auth::role::bot, "bot-1");

/// A fresh queued conversation of `visitor`, created at t = 0.
protocol::conversation fresh() {
    protocol::conversation c;
    c.id = 1;
    c.site = "shop";
    c.visitor = person_of(visitor);
    return c;
}

/// Applies a part with the next id; the author is the role that may create `type`.
part_effect apply(protocol::conversation& c, part_type type, std::int64_t at_ms,
                  auth::actor const* author = nullptr) {
    if (!author) {
        author = &bot;
        if (type == part_type::reply_user || type == part_type::vote) author = &visitor;
        if (type == part_type::reply_admin || type == part_type::article || type == part_type::note)
            author = &op;
    }
    return apply_part(c, type, *author, c.last_part_id + 1, at_ms, std::nullopt);
}

std::vector<std::string> ids_of(std::vector<protocol::person> const& people) {
    std::vector<std::string> ids;
    for (auto const& p : people)
        ids.push_back(p.id);
    return ids;
}

TEST(apply_part, message_count_counts_text_types_only) {
    struct expectation {
        part_type type;
        bool counts;
    };
    std::vector<expectation> const table = {
        {part_type::reply_user, true},
        {part_type::reply_admin, true},
        {part_type::article, true},
        {part_type::auto_reply, true},
        {part_type::chat_bot_admin, true},
        {part_type::chat_bot_user, true},
        {part_type::note, false},
        {part_type::service, false},
        {part_type::vote, false},
        {part_type::assigned, false},
        {part_type::closed, false},
        {part_type::delayed, false},
        {part_type::tag_added, false},
        {part_type::tag_deleted, false},
        {part_type::channel_changed, false},
    };
    for (auto const& [type, counts] : table) {
        auto c = fresh();
        apply(c, type, 1000);
        EXPECT_EQ(c.message_count, counts ? 1u : 0u) << protocol::to_string(type);
    }
}

TEST(apply_part, first_and_last_message_times_follow_text_parts) {
    auto c = fresh();
    apply(c, part_type::note, 500);
    EXPECT_FALSE(c.first_msg_sent_at);
    EXPECT_FALSE(c.last_msg_sent_at);
    apply(c, part_type::reply_user, 1000);
    EXPECT_EQ(c.first_msg_sent_at, 1000);
    EXPECT_EQ(c.last_msg_sent_at, 1000);
    apply(c, part_type::reply_admin, 2000);
    EXPECT_EQ(c.first_msg_sent_at, 1000);
    EXPECT_EQ(c.last_msg_sent_at, 2000);
    apply(c, part_type::note, 3000);
    EXPECT_EQ(c.last_msg_sent_at, 2000) << "a note is not a message";
    EXPECT_EQ(c.updated_at, 3000);
}

TEST(apply_part, operator_reply_sets_answered_and_employees_once_in_order) {
    auto c = fresh();
    apply(c, part_type::reply_user, 1000);
    apply(c, part_type::note, 1500);
    EXPECT_FALSE(c.answered) << "neither a visitor message nor a note is an answer";
    EXPECT_TRUE(c.employees.empty());

    apply(c, part_type::reply_admin, 2000, &other_op);
    EXPECT_TRUE(c.answered);
    apply(c, part_type::article, 3000, &op);
    apply(c, part_type::reply_admin, 4000, &other_op);
    apply(c, part_type::reply_admin, 5000, &op);
    EXPECT_EQ(ids_of(c.employees), (std::vector<std::string>{"op-2", "op-1"}));
    EXPECT_EQ(c.employees.front().name, "Name of op-2");
}

TEST(apply_part, bot_reply_answers_without_becoming_an_employee) {
    auto c = fresh();
    apply(c, part_type::reply_user, 1000);
    apply(c, part_type::auto_reply, 2000);
    EXPECT_TRUE(c.answered);
    EXPECT_TRUE(c.employees.empty());
}

TEST(apply_part, response_times_measure_the_wait_for_an_operator) {
    auto c = fresh();
    auto json = protocol::to_json(c, protocol::audience::staff, 0);
    EXPECT_TRUE(json.at("average_response_time").is_null());

    apply(c, part_type::reply_user, 1000);
    apply(c, part_type::reply_user, 2000); // still waiting since the first
    apply(c, part_type::reply_admin, 4000);
    EXPECT_EQ(c.response_count, 1u);
    EXPECT_EQ(c.response_longest_ms, 3000);

    apply(c, part_type::reply_admin, 5000); // nobody was waiting: not a response
    EXPECT_EQ(c.response_count, 1u);

    apply(c, part_type::reply_user, 10000);
    apply(c, part_type::reply_admin, 20000);
    EXPECT_EQ(c.response_count, 2u);
    EXPECT_EQ(c.response_total_ms, 13000);
    EXPECT_EQ(c.response_longest_ms, 10000);
    json = protocol::to_json(c, protocol::audience::staff, 20000);
    EXPECT_EQ(json.at("average_response_time"), 6);
    EXPECT_EQ(json.at("longest_response_time"), 10);
}

TEST(apply_part, visitor_message_reopens_a_finished_conversation_to_its_assignee) {
    auto c = fresh();
    c.status = "finished";
    c.assignee = person_of(op);
    c.ends_at = 5000;
    auto const effect = apply(c, part_type::reply_user, 6000);
    EXPECT_TRUE(effect.reopened);
    EXPECT_EQ(c.status, "assigned");
    ASSERT_TRUE(c.assignee);
    EXPECT_EQ(c.assignee->id, "op-1");
    EXPECT_FALSE(c.ends_at);
}

TEST(apply_part, visitor_message_reopens_an_unassigned_conversation_to_the_queue) {
    auto c = fresh();
    c.status = "finished";
    c.ends_at = 5000;
    auto const effect = apply(c, part_type::reply_user, 6000);
    EXPECT_TRUE(effect.reopened);
    EXPECT_EQ(c.status, "queued");
    EXPECT_FALSE(c.ends_at);
}

TEST(apply_part, only_a_visitor_message_reopens) {
    auto c = fresh();
    c.status = "finished";
    c.ends_at = 5000;
    EXPECT_FALSE(apply(c, part_type::reply_admin, 6000).reopened);
    EXPECT_FALSE(apply(c, part_type::note, 6000).reopened);
    EXPECT_FALSE(apply(c, part_type::vote, 7000).reopened);
    EXPECT_EQ(c.status, "finished");
    EXPECT_EQ(c.ends_at, 5000);

    auto open = fresh();
    EXPECT_FALSE(apply(open, part_type::reply_user, 1000).reopened) << "it was not finished";
    EXPECT_EQ(open.status, "queued");
}

TEST(apply_part, notes_and_tags_do_not_advance_last_visitor_part_id) {
    auto c = fresh();
    apply_part(c, part_type::reply_user, visitor, 5, 1000, std::nullopt);
    EXPECT_EQ(c.last_part_id, 5u);
    EXPECT_EQ(c.last_visitor_part_id, 5u);
    apply_part(c, part_type::note, op, 6, 2000, std::nullopt);
    apply_part(c, part_type::tag_added, op, 7, 3000, std::nullopt);
    EXPECT_EQ(c.last_part_id, 7u);
    EXPECT_EQ(c.last_visitor_part_id, 5u);
    apply_part(c, part_type::reply_admin, op, 8, 4000, std::nullopt);
    EXPECT_EQ(c.last_visitor_part_id, 8u);
}

TEST(apply_part, vote_sets_the_rating) {
    auto c = fresh();
    apply_part(c, part_type::vote, visitor, 1, 1000, 2);
    apply_part(c, part_type::vote, visitor, 2, 2000, 4);
    EXPECT_EQ(c.rating, 4);
    apply(c, part_type::reply_user, 3000);
    EXPECT_EQ(c.rating, 4) << "only a vote changes the rating";
}

} // namespace
} // namespace parley::relay
