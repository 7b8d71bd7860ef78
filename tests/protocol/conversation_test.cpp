// The conversation aggregate's wire and stored forms, and what the server derives.

#include <parley/protocol/conversation.hpp>
#include <parley/protocol/part.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace parley::protocol {
namespace {

namespace json = boost::json;

conversation sample() {
    conversation c;
    c.id = 42;
    c.site = "demo";
    c.visitor = {"v-1", "Anna"};
    c.status = "assigned";
    c.department = "sales";
    c.assignee = person{"op-1", "Olga"};
    c.employees = {{"op-1", "Olga"}, {"op-2", std::nullopt}};
    c.tags = {"vip"};
    c.message_count = 5;
    c.created_at = 1'700'000'000'000;
    c.updated_at = 1'700'000'090'000;
    c.assigned_at = 1'700'000'030'000;
    c.first_msg_sent_at = 1'700'000'001'000;
    c.last_msg_sent_at = 1'700'000'080'000;
    c.answered = true;
    c.response_count = 2;
    c.response_total_ms = 30'000;
    c.response_longest_ms = 20'000;
    c.rating = 4;
    c.widget["entry_page"] = "https://shop.example/";
    c.widget["visit_count"] = 3;
    c.search_engine = "google";
    c.search_query = "red shoes";
    c.last_part_id = 77;
    c.last_visitor_part_id = 70;
    c.visitor_read_up_to = 60;
    c.operator_read_up_to = 65;
    return c;
}

TEST(conversation_json, derived_fields_and_timestamps) {
    auto const o = to_json(sample(), audience::staff, 1'700'000'100'000);
    EXPECT_EQ(o.at("created_at"), "2023-11-14T22:13:20.000Z");
    EXPECT_EQ(o.at("queue_duration"), 30);
    EXPECT_EQ(o.at("average_response_time"), 15);
    EXPECT_EQ(o.at("longest_response_time"), 20);
    EXPECT_EQ(o.at("duration"), 100) << "open conversations last until now";
    EXPECT_EQ(o.at("result"), "success");
    EXPECT_EQ(o.at("ends_at"), nullptr);
    EXPECT_EQ(o.at("entry_page"), "https://shop.example/");
    EXPECT_EQ(o.at("city"), nullptr);
    EXPECT_EQ(o.at("tags"), (json::array{"vip"}));
    EXPECT_FALSE(o.contains("_state"));
}

TEST(conversation_json, visitors_do_not_see_tags) {
    EXPECT_FALSE(to_json(sample(), audience::visitor, 0).contains("tags"));
}

TEST(conversation_json, stored_form_round_trips_exactly) {
    auto const c = sample();
    auto const back = from_stored(to_stored(c));
    ASSERT_TRUE(back);
    EXPECT_EQ(to_stored(*back), to_stored(c));
    EXPECT_EQ(back->visitor_read_up_to, 60u);
    EXPECT_EQ(back->operator_read_up_to, 65u);
    EXPECT_EQ(back->last_visitor_part_id, 70u);
    EXPECT_EQ(back->response_longest_ms, 20'000);
    EXPECT_EQ(back->employees.size(), 2u);
    EXPECT_FALSE(back->employees[1].name);
}

TEST(conversation_json, unreadable_records_are_refused_not_thrown) {
    EXPECT_FALSE(from_stored(""));
    EXPECT_FALSE(from_stored("[1,2]"));
    EXPECT_FALSE(from_stored(R"({"id":1})"));
    EXPECT_FALSE(from_stored(R"({"visitor":{"id":"v"},"_state":7})"));
}

TEST(search_from_referer, known_engines_and_their_query_parameter) {
    auto g = search_from_referer("https://www.google.com/search?q=red+shoes&hl=en");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->first, "google");
    EXPECT_EQ(g->second, "red shoes");
    EXPECT_EQ(search_from_referer("https://yandex.ru/search/?text=%D0%B7%D0%BE%D0%BD%D1%82")->second, "зонт");
    EXPECT_EQ(search_from_referer("https://www.bing.com/search?q=parley")->first, "bing");
    EXPECT_EQ(search_from_referer("https://duckduckgo.com/?q=chat")->first, "duckduckgo");
}

TEST(search_from_referer, anything_else_is_nothing) {
    EXPECT_FALSE(search_from_referer("https://shop.example/?q=shoes"));
    EXPECT_FALSE(search_from_referer("https://www.google.com/maps"));
    EXPECT_FALSE(search_from_referer("not a url"));
    EXPECT_FALSE(search_from_referer(""));
}

TEST(derive_read, from_the_read_cursors) {
    auto const c = sample();
    auto visitor_part = json::object{{"id", 64}, {"type", "reply_user"}, {"from", json::object{{"role", "visitor"}}}};
    derive_read(visitor_part, c);
    EXPECT_EQ(visitor_part.at("read"), true) << "operators read up to 65";
    auto operator_part = json::object{{"id", 64}, {"type", "reply_admin"}, {"from", json::object{{"role", "operator"}}}};
    derive_read(operator_part, c);
    EXPECT_EQ(operator_part.at("read"), false) << "the visitor read up to 60";
    auto broken = json::object{{"type", "reply_user"}};
    derive_read(broken, c); // no id: left alone, no throw
    EXPECT_FALSE(broken.contains("read"));
}

} // namespace
} // namespace parley::protocol
