// The two ways to get a token without one (SPEC §1 anonymous visitors, §5.9 dev
// tokens), against the real binary.

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/tokens.hpp"

#include <parley/auth/token.hpp>
#include <parley/clock.hpp>
#include <parley/config/config.hpp>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace parley::test {
namespace {

namespace json = boost::json;
using auth::role;

/// demo: anonymous visitors, any origin; strict: anonymous visitors from its one
/// origin; closed: none. Three new visitors per address a minute.
std::string config_with(temp_dir const& data, bool dev_tokens) {
    return std::string("{\n") + "  \"storage\": {\"path\": \"" + data.str() + "/data\"},\n" +
           "  \"log\": {\"level\": \"debug\"},\n" + "  \"dev_tokens\": " + (dev_tokens ? "true" : "false") + ",\n" +
           "  \"sites\": [\n" + "    {\"id\": \"demo\", \"secret\": \"" + demo_secret +
           "\", \"anonymous_visitors\": true, \"anonymous_ttl_s\": 3600},\n" + "    {\"id\": \"strict\", \"secret\": \"" +
           strict_secret + "\", \"origins\": [\"https://shop.example\"], \"anonymous_visitors\": true},\n" +
           "    {\"id\": \"closed\", \"secret\": \"closed-secret-0123456789\"}\n" + "  ],\n" +
           "  \"limits\": {\"anonymous_per_ip_per_min\": 3}\n" + "}\n";
}

http_response post(unsigned short port, std::string const& target, header_list headers = {}, std::string body = {}) {
    http_connection c(port);
    return c.request("POST", target, headers, std::move(body));
}

json::object body_of(http_response const& res) {
    boost::system::error_code ec;
    auto v = json::parse(res.body(), ec);
    return !ec && v.is_object() ? v.as_object() : json::object{};
}

std::string error_code_of(http_response const& res) {
    auto b = body_of(res);
    auto const* e = b.if_contains("error");
    return e && e->is_object() && e->as_object().contains("code") ? std::string(e->as_object().at("code").as_string())
                                                                   : std::string{};
}

auth::token_verifier verifier() {
    return auth::token_verifier({config::site{"demo", demo_secret, {}}, config::site{"strict", strict_secret, {}}});
}

class anonymous_visitors_e2e : public ::testing::Test {
protected:
    void SetUp() override {
        server_ = std::make_unique<server_process>(config_with(data_, false));
        ASSERT_TRUE(server_->started()) << server_->log();
    }
    unsigned short port() const { return server_->port(); }

    temp_dir data_;
    std::unique_ptr<server_process> server_;
};

TEST_F(anonymous_visitors_e2e, a_new_visitor_gets_an_id_and_a_token_that_works) {
    auto res = post(port(), "/v1/sites/demo/visitors");
    ASSERT_EQ(res.result_int(), 201) << res.body();
    auto b = body_of(res);
    auto const id = std::string(b.at("visitor").at("id").as_string());
    EXPECT_TRUE(std::regex_match(id, std::regex("anon-[A-Za-z0-9_-]{22}"))) << id;
    auto const token = std::string(b.at("token").as_string());
    auto who = verifier().verify(token, now_unix());
    ASSERT_TRUE(who);
    EXPECT_EQ(who->id, id);
    EXPECT_EQ(who->site, "demo");
    EXPECT_EQ(who->role, role::visitor);
    // expires_at is an ISO time one anonymous_ttl_s (an hour here) from now.
    auto const expires = std::string(b.at("expires_at").as_string());
    auto const now = now_unix();
    EXPECT_TRUE(expires == iso8601((now + 3600) * 1000) || expires == iso8601((now + 3599) * 1000)) << expires;

    auto list = http_get(port(), "/v1/conversations", {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(list.result_int(), 200) << list.body();

    auto again = post(port(), "/v1/sites/demo/visitors");
    ASSERT_EQ(again.result_int(), 201);
    EXPECT_NE(std::string(body_of(again).at("visitor").at("id").as_string()), id);
}

TEST_F(anonymous_visitors_e2e, sites_without_anonymous_visitors_answer_404_on_both) {
    for (auto const* target : {"/v1/sites/closed/visitors", "/v1/sites/closed/visitors/renew",
                               "/v1/sites/nowhere/visitors", "/v1/sites/nowhere/visitors/renew"}) {
        auto res = post(port(), target);
        EXPECT_EQ(res.result_int(), 404) << target;
        EXPECT_EQ(error_code_of(res), "not_found") << target;
    }
}

TEST_F(anonymous_visitors_e2e, only_post_is_accepted) {
    auto res = http_get(port(), "/v1/sites/demo/visitors");
    EXPECT_EQ(res.result_int(), 405);
    EXPECT_EQ(res[boost::beast::http::field::allow], "POST");
}

TEST_F(anonymous_visitors_e2e, a_site_with_origins_refuses_other_pages) {
    EXPECT_EQ(post(port(), "/v1/sites/strict/visitors").result_int(), 403);
    auto other = post(port(), "/v1/sites/strict/visitors", {{"Origin", "https://evil.example"}});
    EXPECT_EQ(other.result_int(), 403);
    EXPECT_EQ(error_code_of(other), "forbidden");
    EXPECT_TRUE(other[boost::beast::http::field::access_control_allow_origin].empty());
    auto own = post(port(), "/v1/sites/strict/visitors", {{"Origin", "https://shop.example"}});
    EXPECT_EQ(own.result_int(), 201) << own.body();
    EXPECT_EQ(own[boost::beast::http::field::access_control_allow_origin], "https://shop.example");
}

TEST_F(anonymous_visitors_e2e, one_address_gets_at_most_the_limit_a_minute) {
    int created = 0, refused = 0;
    for (int i = 0; i < 5; ++i) {
        auto res = post(port(), "/v1/sites/demo/visitors");
        if (res.result_int() == 201) ++created;
        if (res.result_int() == 429) {
            ++refused;
            EXPECT_EQ(error_code_of(res), "rate_limited");
        }
    }
    // A minute boundary between the calls can give one more.
    EXPECT_GE(created, 3);
    EXPECT_LE(created, 4);
    EXPECT_EQ(created + refused, 5);
}

TEST_F(anonymous_visitors_e2e, renew_keeps_the_visitor_and_moves_the_expiry) {
    auto first = body_of(post(port(), "/v1/sites/demo/visitors"));
    auto const token = std::string(first.at("token").as_string());
    auto res = post(port(), "/v1/sites/demo/visitors/renew", {{"Authorization", "Bearer " + token}});
    ASSERT_EQ(res.result_int(), 200) << res.body();
    auto b = body_of(res);
    EXPECT_EQ(b.at("visitor").at("id"), first.at("visitor").at("id"));
    auto who = verifier().verify(std::string(b.at("token").as_string()), now_unix());
    ASSERT_TRUE(who);
    EXPECT_EQ(who->id, std::string(first.at("visitor").at("id").as_string()));
    EXPECT_GE(std::string(b.at("expires_at").as_string()), std::string(first.at("expires_at").as_string()));
}

TEST_F(anonymous_visitors_e2e, renew_refuses_every_other_token) {
    auto const target = "/v1/sites/demo/visitors/renew";
    auto none = post(port(), target);
    EXPECT_EQ(none.result_int(), 401);
    EXPECT_EQ(none[boost::beast::http::field::www_authenticate], "Bearer");
    EXPECT_EQ(post(port(), target, {{"Authorization", "Bearer " + make_token(role::visitor, "anon-x", "demo", -10)}})
                  .result_int(),
              401);
    // A visitor the site's backend named, an operator, another site's anonymous visitor.
    for (auto const& token : {make_token(role::visitor, "customer-7"), make_token(role::operator_, "anon-olga"),
                              make_token(role::visitor, "anon-abc", "strict")}) {
        auto res = post(port(), target, {{"Authorization", "Bearer " + token}});
        EXPECT_EQ(res.result_int(), 403) << res.body();
    }
}

class dev_tokens_e2e : public ::testing::Test {
protected:
    void start(bool enabled) {
        server_ = std::make_unique<server_process>(config_with(data_, enabled));
        ASSERT_TRUE(server_->started()) << server_->log();
    }
    http_response ask(std::string body, header_list headers = {}) {
        headers.emplace_back("Content-Type", "application/json");
        return post(server_->port(), "/v1/dev/token", headers, std::move(body));
    }

    temp_dir data_;
    std::unique_ptr<server_process> server_;
};

TEST_F(dev_tokens_e2e, signs_what_it_is_asked_for_on_that_sites_secret) {
    start(true);
    auto res = ask(R"({"site":"demo","role":"operator","sub":"olga","name":"Olga","departments":["sales"]})");
    ASSERT_EQ(res.result_int(), 200) << res.body();
    auto who = verifier().verify(std::string(body_of(res).at("token").as_string()), now_unix());
    ASSERT_TRUE(who);
    EXPECT_EQ(who->id, "olga");
    EXPECT_EQ(who->role, role::operator_);
    EXPECT_EQ(who->name, std::optional<std::string>("Olga"));
    EXPECT_EQ(who->departments, std::optional<std::vector<std::string>>(std::vector<std::string>{"sales"}));
    // Valid for a day, not longer.
    EXPECT_FALSE(verifier().verify(std::string(body_of(res).at("token").as_string()), now_unix() + 86401));

    auto strict = ask(R"({"site":"strict","role":"visitor","sub":"v-1"})");
    ASSERT_EQ(strict.result_int(), 200);
    EXPECT_EQ(verifier().verify(std::string(body_of(strict).at("token").as_string()), now_unix())->site, "strict");
}

TEST_F(dev_tokens_e2e, bad_bodies_are_400_naming_the_field) {
    start(true);
    struct bad {
        std::string body, field;
    };
    for (auto const& b : std::vector<bad>{{"not json", "body"},
                                          {"[1]", "body"},
                                          {R"({"role":"visitor","sub":"v"})", "site"},
                                          {R"({"site":"nowhere","role":"visitor","sub":"v"})", "site"},
                                          {R"({"site":"demo","role":"admin","sub":"v"})", "role"},
                                          {R"({"site":"demo","role":"visitor","sub":""})", "sub"},
                                          {R"({"site":"demo","role":"visitor","sub":"v","name":7})", "name"},
                                          {R"({"site":"demo","role":"visitor","sub":"v","departments":["a"]})", "departments"},
                                          {R"({"site":"demo","role":"operator","sub":"o","departments":"a"})", "departments"},
                                          {R"({"site":"demo","role":"visitor","sub":"v","exp":1})", "exp"}}) {
        auto res = ask(b.body);
        EXPECT_EQ(res.result_int(), 400) << b.body;
        auto const message = std::string(body_of(res).at("error").at("message").as_string());
        EXPECT_TRUE(message.starts_with(b.field + ":")) << b.body << " → " << message;
    }
}

TEST_F(dev_tokens_e2e, without_dev_tokens_it_is_an_unknown_path) {
    start(false);
    auto const body = R"({"site":"demo","role":"operator","sub":"olga"})";
    EXPECT_EQ(ask(body).result_int(), 401); // the token first, as on any path
    auto res = ask(body, {{"Authorization", "Bearer " + make_token(role::operator_, "olga")}});
    EXPECT_EQ(res.result_int(), 404);
    EXPECT_EQ(error_code_of(res), "not_found");
}

TEST(production_example_config, has_no_dev_tokens_nor_anonymous_visitors) {
    std::ifstream in(PARLEY_SOURCE_DIR "/config/production.example.json");
    std::stringstream text;
    text << in.rdbuf();
    auto cfg = config::parse_config(text.str());
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_FALSE(cfg->dev_tokens);
    ASSERT_FALSE(cfg->sites.empty());
    for (auto const& s : cfg->sites) {
        EXPECT_FALSE(s.anonymous_visitors) << s.id;
        EXPECT_FALSE(s.origins.empty()) << s.id;
    }

    // And a server started on it answers 404 there.
    temp_dir data;
    auto config = text.str();
    auto const at = config.find("/var/lib/parley");
    ASSERT_NE(at, std::string::npos);
    config.replace(at, std::string("/var/lib/parley").size(), data.str() + "/data");
    server_process server(config);
    ASSERT_TRUE(server.started()) << server.log();
    auto res = post(server.port(), "/v1/dev/token", {{"Content-Type", "application/json"}},
                    R"({"site":"shop","role":"operator","sub":"olga"})");
    EXPECT_EQ(res.result_int(), 401);
    auto const shop_token = make_token(role::operator_, "olga", "shop", 3600, "replace-with-a-long-random-secret");
    res = post(server.port(), "/v1/dev/token",
               {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + shop_token}},
               R"({"site":"shop","role":"operator","sub":"olga"})");
    EXPECT_EQ(res.result_int(), 404) << res.body();
    EXPECT_EQ(post(server.port(), "/v1/sites/shop/visitors").result_int(), 404);
}

} // namespace
} // namespace parley::test
