// The per-part counters record: what it carries, and that it never misreads.

#include <parley/protocol/conversation_counters.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace parley::protocol {
namespace {

conversation busy() {
    conversation c;
    c.id = 9;
    c.site = "demo";
    c.visitor = {"v-1", "Anna"};
    c.status = "assigned";
    c.updated_at = 1'700'000'090'000;
    c.last_part_id = 77;
    c.last_visitor_part_id = 70;
    c.message_count = 5;
    c.first_msg_sent_at = 1'700'000'001'000;
    c.last_msg_sent_at = 1'700'000'080'000;
    c.awaiting_reply_since = 1'700'000'085'000;
    c.response_count = 2;
    c.response_total_ms = 30'000;
    c.response_longest_ms = 20'000;
    c.rating = -1; // negative values survive the unsigned encoding
    c.visitor_read_up_to = 60;
    c.operator_read_up_to = 65;
    c.answered = true;
    return c;
}

TEST(conversation_counters, overlay_restores_every_counter_and_leaves_the_rest) {
    auto const source = busy();
    conversation target;
    target.id = 9;
    target.status = "finished";
    target.tags = {"vip"};
    target.first_msg_sent_at = 1; // present in the target, present in the record: overwritten
    ASSERT_TRUE(apply_counters(target, encode_counters(source)));
    EXPECT_EQ(target.updated_at, source.updated_at);
    EXPECT_EQ(target.last_part_id, 77u);
    EXPECT_EQ(target.last_visitor_part_id, 70u);
    EXPECT_EQ(target.message_count, 5u);
    EXPECT_EQ(target.first_msg_sent_at, source.first_msg_sent_at);
    EXPECT_EQ(target.last_msg_sent_at, source.last_msg_sent_at);
    EXPECT_EQ(target.awaiting_reply_since, source.awaiting_reply_since);
    EXPECT_EQ(target.response_count, 2u);
    EXPECT_EQ(target.response_total_ms, 30'000);
    EXPECT_EQ(target.response_longest_ms, 20'000);
    EXPECT_EQ(target.rating, -1);
    EXPECT_EQ(target.visitor_read_up_to, 60u);
    EXPECT_EQ(target.operator_read_up_to, 65u);
    EXPECT_TRUE(target.answered);
    EXPECT_EQ(target.status, "finished") << "status is the record's, not the counters'";
    EXPECT_EQ(target.tags, std::vector<std::string>{"vip"});
}

TEST(conversation_counters, absent_optionals_stay_absent) {
    conversation source;
    source.last_part_id = 3;
    conversation target = busy();
    ASSERT_TRUE(apply_counters(target, encode_counters(source)));
    EXPECT_FALSE(target.first_msg_sent_at);
    EXPECT_FALSE(target.last_msg_sent_at);
    EXPECT_FALSE(target.awaiting_reply_since);
    EXPECT_FALSE(target.rating);
    EXPECT_FALSE(target.answered);
    EXPECT_EQ(target.last_part_id, 3u);
}

TEST(conversation_counters, refuses_what_it_did_not_write) {
    auto const good = encode_counters(busy());
    auto target = busy();
    target.message_count = 123;
    for (auto const& bad : {std::string(), good.substr(1), good + "x", std::string("{\"message_count\":1}")}) {
        EXPECT_FALSE(apply_counters(target, bad)) << bad.size();
        EXPECT_EQ(target.message_count, 123u) << "a refused record changes nothing";
    }
    auto other_version = good;
    other_version[0] = 2;
    EXPECT_FALSE(apply_counters(target, other_version));
}

} // namespace
} // namespace parley::protocol
