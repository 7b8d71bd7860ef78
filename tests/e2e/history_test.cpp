// The read side over HTTP (SPEC §5.2, §5.4, §5.5): what was committed can be read
// back, with the same access rules as live delivery.

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <parley/clock.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace parley::test {
namespace {

using auth::role;
namespace json = boost::json;

/// A conversation of visitor `anna` with 6 parts: 4 visible ones and 2 notes.
class history_e2e : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        data_ = new temp_dir;
        server_ = new server_process(test_config(data_->str() + "/data"));
        ASSERT_TRUE(server_->started()) << server_->log();
        auto visitor = ws_client::open(server_->port(), visitor_token("anna"));
        auto operator_ = ws_client::open(server_->port(), make_token(role::operator_, "olga"));
        visitor->read_op("hello");
        operator_->read_op("hello");
        visitor->send_text(R"({"op":"conversation.start","random_id":"s1","department":"sales"})");
        cid_ = visitor->read_op("conversation.started")["conversation"].at("id").to_number<std::uint64_t>();
        auto const send = [&](ws_client& c, char const* type, int n) {
            c.send_text(json::serialize(json::object{{"op", "part.create"}, {"conversation", cid_}, {"type", type},
                                                     {"random_id", "r" + std::to_string(n)}, {"body", type}}));
            ids_.push_back(c.read_op("part.created")["part"].at("id").to_number<std::uint64_t>());
        };
        send(*visitor, "reply_user", 1);
        send(*operator_, "note", 2);
        send(*operator_, "reply_admin", 3);
        send(*visitor, "reply_user", 4);
        send(*operator_, "note", 5);
        send(*operator_, "reply_admin", 6);
    }
    static void TearDownTestSuite() {
        delete server_;
        delete data_;
    }

    static http_response get(std::string const& target, std::string const& token) {
        return http_get(server_->port(), target, {{"Authorization", "Bearer " + token}});
    }
    static json::value body(http_response const& res) { return json::parse(res.body()); }
    static std::vector<std::uint64_t> ids_of(http_response const& res) {
        std::vector<std::uint64_t> out;
        auto const doc = body(res);
        for (auto const& p : doc.as_array()) out.push_back(p.at("id").to_number<std::uint64_t>());
        return out;
    }
    static std::string parts_url(std::string const& query) {
        return "/v1/conversations/" + std::to_string(cid_) + "/parts" + query;
    }

    static inline temp_dir* data_ = nullptr;
    static inline server_process* server_ = nullptr;
    static inline std::uint64_t cid_ = 0;
    static inline std::vector<std::uint64_t> ids_;
};

TEST_F(history_e2e, conversation_by_id_with_access_rules) {
    auto const url = "/v1/conversations/" + std::to_string(cid_);
    auto staff = get(url, make_token(role::operator_, "olga"));
    ASSERT_EQ(staff.result_int(), 200) << staff.body();
    EXPECT_EQ(body(staff).at("message_count"), 4);
    EXPECT_TRUE(body(staff).as_object().contains("tags"));
    auto own = get(url, visitor_token("anna"));
    ASSERT_EQ(own.result_int(), 200);
    EXPECT_FALSE(body(own).as_object().contains("tags"));
    EXPECT_EQ(get(url, visitor_token("someone-else")).result_int(), 403);
    EXPECT_EQ(get(url, make_token(role::operator_, "olga", "strict")).result_int(), 404);
    EXPECT_EQ(http_get(server_->port(), url).result_int(), 401);
    EXPECT_EQ(get(url, make_token(role::operator_, "olga", "demo", -5)).result_int(), 401);
    EXPECT_EQ(get("/v1/conversations/999999", make_token(role::bot, "b")).result_int(), 404);
    // An id that is not one is a bad parameter, not a missing conversation.
    EXPECT_EQ(get("/v1/conversations/abc", make_token(role::bot, "b")).result_int(), 400);
    EXPECT_EQ(get("/v1/conversations/0", make_token(role::bot, "b")).result_int(), 400);
    http_connection c(server_->port());
    EXPECT_EQ(c.request("DELETE", url, {{"Authorization", "Bearer " + make_token(role::bot, "b")}}).result_int(), 405);
}

TEST_F(history_e2e, operators_in_other_departments_are_refused) {
    auth::token_claims claims{"demo", "support-only", role::operator_, std::nullopt,
                              std::vector<std::string>{"support"}, parley::now_unix() + 600};
    auto const token = auth::mint_token(claims, demo_secret).value();
    EXPECT_EQ(get("/v1/conversations/" + std::to_string(cid_), token).result_int(), 403);
}

TEST_F(history_e2e, parts_pages_by_after_before_and_limit) {
    auto const staff = make_token(role::operator_, "olga");
    EXPECT_EQ(ids_of(get(parts_url(""), staff)), ids_);
    EXPECT_EQ(ids_of(get(parts_url("?limit=2"), staff)), (std::vector{ids_[4], ids_[5]})) << "latest, in id order";
    EXPECT_EQ(ids_of(get(parts_url("?after=" + std::to_string(ids_[1]) + "&limit=2"), staff)),
              (std::vector{ids_[2], ids_[3]}));
    EXPECT_EQ(ids_of(get(parts_url("?before=" + std::to_string(ids_[4]) + "&limit=2"), staff)),
              (std::vector{ids_[2], ids_[3]}));
    EXPECT_EQ(ids_of(get(parts_url("?after=" + std::to_string(ids_[0]) + "&before=" + std::to_string(ids_[5]) +
                                   "&limit=3"),
                         staff)),
              (std::vector{ids_[1], ids_[2], ids_[3]}));
    for (auto bad : {"?limit=0", "?limit=501", "?after=x", "?before=-1"})
        EXPECT_EQ(get(parts_url(bad), staff).result_int(), 400) << bad;
}

TEST_F(history_e2e, visitors_never_get_notes_even_when_paging) {
    auto const visitor = visitor_token("anna");
    std::vector<std::uint64_t> const visible{ids_[0], ids_[2], ids_[3], ids_[5]};
    EXPECT_EQ(ids_of(get(parts_url(""), visitor)), visible);
    // Pages are full pages of what the visitor may see.
    EXPECT_EQ(ids_of(get(parts_url("?limit=2"), visitor)), (std::vector{ids_[3], ids_[5]}));
    EXPECT_EQ(ids_of(get(parts_url("?after=" + std::to_string(ids_[0]) + "&limit=2"), visitor)),
              (std::vector{ids_[2], ids_[3]}));
    EXPECT_EQ(get(parts_url(""), visitor).body().find("note"), std::string::npos);
}

TEST_F(history_e2e, events_for_staff_only) {
    auto const url = "/v1/conversations/" + std::to_string(cid_) + "/events";
    auto res = get(url, make_token(role::bot, "crm"));
    ASSERT_EQ(res.result_int(), 200);
    auto const events = body(res).as_array();
    ASSERT_GE(events.size(), 1u);
    EXPECT_EQ(events[0].at("event_type"), "visitor-chat-open");
    EXPECT_EQ(get(url, visitor_token("anna")).result_int(), 403);
}

} // namespace
} // namespace parley::test
