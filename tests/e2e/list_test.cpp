// GET /v1/conversations against the real binary on a store of 100,000 conversations,
// written beforehand exactly as the relay writes them (record, counters, index entries).

#include "listing_store.hpp"

#include <parley/clock.hpp>

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/tokens.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace parley::test {
namespace {

using auth::role;
namespace json = boost::json;

constexpr std::size_t conversations = 100'000;
/// One conversation a minute from bench::listing_t0.
constexpr std::int64_t minute = 60'000;
constexpr std::int64_t t0 = bench::listing_t0;

class list_e2e : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        data_ = new temp_dir();
        auto const path = data_->str() + "/data";
        auto failed = bench::fill_listing_store(path, conversations, minute);
        ASSERT_FALSE(failed) << *failed;
        server_ = new server_process(test_config(path));
        token_ = new std::string(make_token(role::operator_, "olga"));
    }
    static void TearDownTestSuite() {
        delete server_;
        delete data_;
        delete token_;
    }

    static http_response list(std::string const& query, std::string const& token = *token_) {
        return http_get(server_->port(), "/v1/conversations" + query, {{"Authorization", "Bearer " + token}});
    }

    static std::uint64_t keys_read() {
        auto const text = http_get(server_->port(), "/metrics").body();
        std::string const name = "parley_store_keys_read_total ";
        auto at = text.find("\n" + name);
        EXPECT_NE(at, std::string::npos);
        return at == std::string::npos ? 0 : std::stoull(text.substr(at + 1 + name.size()));
    }

    static json::array ids_of(http_response const& res) {
        json::array ids;
        auto const body = json::parse(res.body());
        for (auto const& c : body.as_array()) ids.push_back(c.at("id"));
        return ids;
    }

    static inline temp_dir* data_ = nullptr;
    static inline server_process* server_ = nullptr;
    static inline std::string* token_ = nullptr;
};

TEST_F(list_e2e, a_one_hour_created_at_range_reads_what_it_matches_not_the_store) {
    // Hour 1000 after t0: conversations 60000..60059 (created on the minute), 60 matches.
    auto const from = "2026-12-12T16:00:00.000Z", to = "2026-12-12T16:59:59.999Z";
    auto const before = keys_read();
    auto res = list(std::string("?created_at[from]=") + from + "&created_at[to]=" + to + "&per=20");
    auto const read = keys_read() - before;
    ASSERT_EQ(res.result_int(), 200) << res.body();
    EXPECT_EQ(res["X-Total-Count"], "60");
    auto const ids = ids_of(res);
    ASSERT_EQ(ids.size(), 20u);
    EXPECT_EQ(ids.front(), 60059); // newest first
    // The count walks the 60 entries, the page 20 of them, then 20 records and their
    // counters are read: O(matches), nothing like the 100,000 in the store.
    EXPECT_LE(read, 60u + 20u + 2 * 20u + 10u) << "keys read: " << read;
    EXPECT_NE(res[boost::beast::http::field::link].find("page=2"), std::string_view::npos);
}

TEST_F(list_e2e, the_narrowest_of_several_filters_drives_the_scan) {
    auto const before = keys_read();
    // status[]=queued matches ~60,000; tag[]=vip 1,000; id[] three.
    auto res = list("?status[]=finished&tag[]=vip&id[]=100&id[]=200&id[]=201");
    auto const read = keys_read() - before;
    ASSERT_EQ(res.result_int(), 200) << res.body();
    EXPECT_EQ(res["X-Total-Count"], "2"); // 201 is not tagged
    EXPECT_EQ(ids_of(res), (json::array{200, 100}));
    EXPECT_LE(read, 40u) << "keys read: " << read;
}

TEST_F(list_e2e, filters_sort_and_pages_agree_with_the_data) {
    // Rated 5 (i % 4 == 0 and i % 5 == 4): i % 20 == 4; with message_count 4..4: i % 40 == 4.
    auto res = list("?rating[from]=5&message_count[from]=4&message_count[to]=4&sort_column=id&sort_direction=ASC&per=3");
    ASSERT_EQ(res.result_int(), 200) << res.body();
    EXPECT_EQ(res["X-Total-Count"], std::to_string(conversations / 40));
    EXPECT_EQ(ids_of(res), (json::array{4, 44, 84}));
    auto last = list("?rating[from]=5&message_count[from]=4&message_count[to]=4&sort_column=id&sort_direction=ASC&per=3&page=834");
    ASSERT_EQ(last.result_int(), 200);
    EXPECT_EQ(ids_of(last), (json::array{99964})); // 2500 matches: the last page holds one
    EXPECT_TRUE(last[boost::beast::http::field::link].empty());
    auto past = list("?rating[from]=5&message_count[from]=4&message_count[to]=4&per=3&page=835");
    EXPECT_EQ(past.body(), "[]");
}

TEST_F(list_e2e, raw_and_percent_encoded_brackets_mean_the_same) {
    auto raw = list("?status[]=finished&department[]=support&per=5");
    auto encoded = list("?status%5B%5D=finished&department%5B%5D=support&per=5");
    ASSERT_EQ(raw.result_int(), 200) << raw.body();
    EXPECT_EQ(raw.body(), encoded.body());
    EXPECT_EQ(raw["X-Total-Count"], std::to_string(conversations / 10));
    // The next page keeps every other parameter.
    auto const link = std::string(raw[boost::beast::http::field::link]);
    EXPECT_NE(link.find("status%5B%5D=finished"), std::string::npos) << link;
    EXPECT_NE(link.find("department%5B%5D=support"), std::string::npos) << link;
    EXPECT_NE(link.find("per=5"), std::string::npos) << link;
    EXPECT_NE(link.find("page=2>; rel=\"next\""), std::string::npos) << link;
}

TEST_F(list_e2e, operators_of_some_departments_and_visitors_see_only_theirs) {
    auth::token_claims claims{"demo", "sam", role::operator_, std::nullopt, std::vector<std::string>{"sales"},
                              parley::now_unix() + 600};
    auto const token = auth::mint_token(claims, demo_secret).value();
    auto sales = list("?per=200", token);
    ASSERT_EQ(sales.result_int(), 200) << sales.body();
    EXPECT_EQ(sales["X-Total-Count"], std::to_string(conversations / 2));
    auto const sales_page = json::parse(sales.body());
    for (auto const& c : sales_page.as_array()) EXPECT_EQ(c.at("department"), "sales");
    auto asked_other = list("?department[]=support", token);
    EXPECT_EQ(asked_other["X-Total-Count"], "0");

    auto own = list("", visitor_token("v-42"));
    ASSERT_EQ(own.result_int(), 200) << own.body();
    EXPECT_EQ(own["X-Total-Count"], std::to_string(conversations / 5000));
    auto const own_page = json::parse(own.body());
    for (auto const& c : own_page.as_array()) {
        EXPECT_EQ(c.at("visitor").at("id"), "v-42");
        EXPECT_FALSE(c.as_object().contains("tags"));
    }
    // Asking for someone else's gives nothing, not theirs.
    EXPECT_EQ(list("?visitor_id[]=v-43", visitor_token("v-42"))["X-Total-Count"], "0");
    EXPECT_EQ(list("?tag[]=vip", visitor_token("v-42")).result_int(), 403);
    // Another site's token sees none of these.
    EXPECT_EQ(list("", make_token(role::operator_, "olga", "strict", 3600, strict_secret))["X-Total-Count"], "0");
}

TEST_F(list_e2e, every_malformed_parameter_is_a_400_naming_it) {
    std::vector<std::pair<std::string, std::string>> cases{
        {"?per=0", "per"},
        {"?per=201", "per"},
        {"?per=ten", "per"},
        {"?page=0", "page"},
        {"?sort_column=name", "sort_column"},
        {"?sort_direction=SIDEWAYS", "sort_direction"},
        {"?created_at[from]=yesterday", "created_at[from]"},
        {"?created_at[to]=2026-02-30", "created_at[to]"},
        {"?updated_at[from]=2026-11-21T25:00:00Z", "updated_at[from]"},
        {"?rating[from]=6", "rating[from]"},
        {"?message_count[to]=-1", "message_count[to]"},
        {"?id[]=abc", "id[]"},
        {"?status[]=lost", "status[]"},
        {"?colour=red", "colour"},
        {"?status=queued", "status"},
        {"?page=1&page=2", "page"},
        {"?created_at[from]=2026-11-02&created_at[to]=2026-11-01", "created_at[from]"},
        {"?per=%zz", ""},
    };
    for (auto const& [query, name] : cases) {
        auto res = list(query);
        EXPECT_EQ(res.result_int(), 400) << query;
        auto const message = std::string(json::parse(res.body()).at("error").at("message").as_string());
        EXPECT_TRUE(message.starts_with(name)) << query << ": " << message;
    }
}

} // namespace
} // namespace parley::test
