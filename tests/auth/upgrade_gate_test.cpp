#include <parley/net/upgrade_gate.hpp>

#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>

namespace parley::net {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

constexpr std::int64_t now = 1'700'000'000;

/// Site "strict" lists its browser origins; site "open" accepts any.
config::server_config make_config() {
    config::server_config cfg;
    cfg.sites.push_back(
        {"strict", "strict-secret-0123456789", {"https://shop.example", "https://m.shop.example"}});
    cfg.sites.push_back({"open", "open-secret-0123456789ab", {}});
    return cfg;
}

class upgrade_gate : public ::testing::Test {
protected:
    std::string token_for(std::string const& site, std::string const& sub,
                          std::int64_t exp = now + 600) const {
        auth::token_claims claims{site, sub, auth::role::visitor, std::nullopt, std::nullopt, exp};
        return auth::mint_token(claims, config::find_site(config_, site)->secret).value();
    }

    static api::http_request request(std::string const& target) {
        api::http_request req{http::verb::get, target, 11};
        req.set(http::field::host, "localhost");
        req.set(http::field::upgrade, "websocket");
        req.set(http::field::connection, "upgrade");
        return req;
    }

    expected<auth::actor, api::http_response> admit(api::http_request const& req) const {
        return admit_upgrade(req, verifier_, config_, now);
    }

    /// Checks the refusal is `status` with `{"error":{"code":code,...}}` and returns it.
    static api::http_response const&
    expect_refused(expected<auth::actor, api::http_response> const& r, unsigned status,
                   std::string const& code) {
        EXPECT_FALSE(r) << "admitted " << (r ? r->id : "");
        static api::http_response const none;
        if (r) return none;
        auto const& res = r.error();
        EXPECT_EQ(res.result_int(), status);
        EXPECT_TRUE(res[http::field::content_type].starts_with("application/json"));
        boost::system::error_code ec;
        auto const body = json::parse(res.body(), ec);
        EXPECT_FALSE(ec) << res.body();
        if (!ec) {
            auto const* err = body.as_object().if_contains("error");
            EXPECT_NE(err, nullptr) << res.body();
            if (err) {
                EXPECT_EQ(err->at("code").as_string(), code);
                EXPECT_TRUE(err->at("message").is_string());
            }
        }
        return res;
    }

    config::server_config config_ = make_config();
    auth::token_verifier verifier_{config_.sites};
};

TEST_F(upgrade_gate, token_from_query) {
    auto const who = admit(request("/v1/ws?token=" + token_for("open", "v-1")));
    ASSERT_TRUE(who);
    EXPECT_EQ(who->site, "open");
    EXPECT_EQ(who->id, "v-1");
}

TEST_F(upgrade_gate, token_from_bearer_header) {
    auto req = request("/v1/ws");
    req.set(http::field::authorization, "Bearer " + token_for("open", "v-2"));
    auto const who = admit(req);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->id, "v-2");
}

TEST_F(upgrade_gate, query_wins_over_header) {
    auto req = request("/v1/ws?x=1&token=" + token_for("open", "from-query"));
    req.set(http::field::authorization, "Bearer " + token_for("open", "from-header"));
    EXPECT_EQ(request_token(req), token_for("open", "from-query"));
    auto const who = admit(req);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->id, "from-query");

    // An invalid query token is not rescued by a valid header.
    auto bad = request("/v1/ws?token=not.a.token");
    bad.set(http::field::authorization, "Bearer " + token_for("open", "from-header"));
    expect_refused(admit(bad), 401, "unauthorized");
}

TEST_F(upgrade_gate, empty_query_token_falls_back_to_the_header) {
    auto req = request("/v1/ws?token=");
    req.set(http::field::authorization, "Bearer " + token_for("open", "from-header"));
    auto const who = admit(req);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->id, "from-header");
}

TEST_F(upgrade_gate, request_token_without_any_token_is_empty) {
    EXPECT_EQ(request_token(request("/v1/ws")), "");
    EXPECT_EQ(request_token(request("/v1/ws?tok=abc")), "");
    auto req = request("/v1/ws");
    req.set(http::field::authorization, "Basic dXNlcjpwdw==");
    EXPECT_EQ(request_token(req), "");
}

TEST_F(upgrade_gate, missing_token_is_401_with_challenge) {
    auto const admitted = admit(request("/v1/ws"));
    auto const& res = expect_refused(admitted, 401, "unauthorized");
    EXPECT_EQ(res[http::field::www_authenticate], "Bearer");
    EXPECT_NE(res.body().find(auth::describe(auth::token_error::missing)), std::string::npos);
}

TEST_F(upgrade_gate, expired_token_is_401) {
    auto const token = token_for("open", "v-1", now - 1);
    auto const admitted = admit(request("/v1/ws?token=" + token));
    auto const& res = expect_refused(admitted, 401, "unauthorized");
    EXPECT_EQ(res[http::field::www_authenticate], "Bearer");
    EXPECT_NE(res.body().find(auth::describe(auth::token_error::expired)), std::string::npos);
    // The refusal never echoes the token back.
    EXPECT_EQ(res.body().find(token), std::string::npos);
}

TEST_F(upgrade_gate, bad_tokens_are_401) {
    auto forged = token_for("open", "v-1");
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    for (auto const& token :
         {std::string("garbage"), forged, token_for("strict", "v-1").substr(1)}) {
        SCOPED_TRACE(token);
        auto const admitted = admit(request("/v1/ws?token=" + token));
        auto const& res = expect_refused(admitted, 401, "unauthorized");
        EXPECT_EQ(res[http::field::www_authenticate], "Bearer");
    }
    auto req = request("/v1/ws");
    req.set(http::field::authorization, "Bearer garbage");
    expect_refused(admit(req), 401, "unauthorized");
}

TEST_F(upgrade_gate, listed_origin_is_admitted) {
    for (auto origin : {"https://shop.example", "https://m.shop.example"}) {
        auto req = request("/v1/ws?token=" + token_for("strict", "v-1"));
        req.set(http::field::origin, origin);
        EXPECT_TRUE(admit(req)) << origin;
    }
}

TEST_F(upgrade_gate, other_origin_is_403) {
    for (auto origin :
         {"https://evil.example", "http://shop.example", "https://shop.example:8443"}) {
        SCOPED_TRACE(origin);
        auto req = request("/v1/ws?token=" + token_for("strict", "v-1"));
        req.set(http::field::origin, origin);
        expect_refused(admit(req), 403, "forbidden");
    }
}

TEST_F(upgrade_gate, no_origin_header_is_not_a_browser) {
    EXPECT_TRUE(admit(request("/v1/ws?token=" + token_for("strict", "bot-1"))));
}

TEST_F(upgrade_gate, site_without_origins_accepts_any_origin) {
    auto req = request("/v1/ws?token=" + token_for("open", "v-1"));
    req.set(http::field::origin, "https://anything.example");
    EXPECT_TRUE(admit(req));
}

TEST_F(upgrade_gate, token_is_checked_before_origin) {
    // A bad token from an allowed origin is still 401, not admitted.
    auto req = request("/v1/ws?token=" + token_for("strict", "v-1", now - 10));
    req.set(http::field::origin, "https://shop.example");
    expect_refused(admit(req), 401, "unauthorized");
}

} // namespace
} // namespace parley::net
