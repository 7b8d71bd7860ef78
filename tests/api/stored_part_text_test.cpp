// The stored-text path of history pages must serve exactly what parsing each part,
// checking its type and deriving its `read` would serve.

#include <parley/api/stored_part_text.hpp>
#include <parley/protocol/part.hpp>
#include <parley/protocol/part_type.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace parley::api {
namespace {

namespace json = boost::json;
using protocol::part_type;

auth::actor author(auth::role r, std::string name) {
    auth::actor a;
    a.site = "demo";
    a.id = "a-" + name;
    a.role = r;
    a.name = std::move(name);
    return a;
}

/// What the parsing path serves: nullopt when hidden.
std::optional<json::value> parsed_way(std::string const& stored, protocol::conversation const& c, bool visitor) {
    auto part = json::parse(stored);
    auto const type = protocol::type_of(part.as_object());
    if (visitor && (!type || !protocol::visible_to_visitor(*type))) return std::nullopt;
    protocol::derive_read(part.as_object(), c);
    return part;
}

struct stored_case {
    std::string what;
    std::string text;
};

std::vector<stored_case> stored_parts() {
    std::vector<stored_case> out;
    auto add = [&](std::string what, std::uint64_t id, part_type type, auth::actor const& by, json::object content,
                   bool first = false) {
        out.push_back({std::move(what), json::serialize(protocol::make_part(id, 9, 1'700'000'000, type,
                                                                            std::move(content), by, "widget", first))});
    };
    auto const visitor = author(auth::role::visitor, "Vera");
    auto const op = author(auth::role::operator_, R"(Olga "the" ,"read":true)");
    auto const bot = author(auth::role::bot, "bot");
    add("visitor reply", 5, part_type::reply_user, visitor, {{"body", "hello"}}, true);
    add("operator reply", 6, part_type::reply_admin, op, {{"body", R"(quotes " and ,"type":"note" inside)"}});
    add("note", 7, part_type::note, op, {{"body", "internal"}});
    add("tag", 8, part_type::tag_added, op, {{"body", "vip"}});
    add("bot reply", 12, part_type::chat_bot_admin, bot, {{"body", "beep"}});
    add("meta_data with read and type keys", 13, part_type::reply_user, visitor,
        {{"body", "x"}, {"meta_data", json::object{{"read", true}, {"type", "note"}, {"from", {{"role", "bot"}}}}}});
    add("unread visitor reply", 40, part_type::reply_user, visitor, {{"body", "later"}});
    // An edited part: parsed, changed and written again, as part.update does.
    auto edited = json::parse(out[1].text).as_object();
    edited["edited"] = 1'700'000'100;
    edited["body"] = "changed";
    out.push_back({"edited", json::serialize(edited)});
    // A part whose stored read is true, as a record rewritten after derive_read.
    auto read_true = json::parse(out[0].text).as_object();
    read_true["read"] = true;
    out.push_back({"stored read true", json::serialize(read_true)});
    return out;
}

TEST(stored_part_text, serves_what_parsing_serves_to_visitors_and_staff) {
    protocol::conversation c;
    c.id = 9;
    c.operator_read_up_to = 13;
    c.visitor_read_up_to = 6;
    for (auto const& p : stored_parts())
        for (bool visitor : {false, true}) {
            SCOPED_TRACE(p.what + (visitor ? " (visitor)" : " (staff)"));
            std::string out = "[";
            auto const r = append_stored_part(p.text, c, visitor, out);
            auto const want = parsed_way(p.text, c, visitor);
            ASSERT_NE(r, stored_part_result::unrecognized);
            if (!want) {
                EXPECT_EQ(r, stored_part_result::hidden);
                EXPECT_EQ(out, "[");
                continue;
            }
            ASSERT_EQ(r, stored_part_result::served);
            EXPECT_EQ(json::parse(out.substr(1)), *want);
        }
}

TEST(stored_part_text, a_text_of_another_layout_is_left_to_the_parser) {
    protocol::conversation c;
    for (std::string text : {R"({"conversation":9,"id":1,"type":"reply_user","read":false})",
                             R"({"id":1,"type":"reply_user","from":{"role":"visitor"}})",
                             R"({"id":1,"type":"what","from":{"role":"visitor"},"read":false})",
                             R"({"id":1,"type":"note","from":{"role":"operator"},"read":false,"extra":1})",
                             R"({"id":x,"type":"note","from":{"role":"operator"},"read":false})", R"(not json)"}) {
        std::string out;
        EXPECT_EQ(append_stored_part(text, c, false, out), stored_part_result::unrecognized) << text;
        EXPECT_TRUE(out.empty());
    }
}

} // namespace
} // namespace parley::api
