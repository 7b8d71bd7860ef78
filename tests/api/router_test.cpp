#include <parley/api/router.hpp>

#include "support/temp_dir.hpp"

#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <string>

namespace parley::api {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

class router_test : public ::testing::Test {
protected:
    router_test() {
        dir_.write("web/index.html", "<h1>home</h1>");
        dir_.write("web/app.js", "console.log(1);");
        dir_.write("web/style.css", "p{}");
        dir_.write("web/operator/index.html", "<h1>panel</h1>");
        dir_.write("secret", "TOP SECRET");
    }

    static http_request request(http::verb method, std::string const& target,
                                unsigned version = 11) {
        http_request req{method, target, version};
        req.set(http::field::host, "localhost");
        return req;
    }

    http_response get(std::string const& target) const { return handle(request(http::verb::get, target)); }

    /// These endpoints answer at once: nothing here reads the store.
    http_response handle(http_request req) const {
        std::optional<http_response> answer;
        router_.handle(std::move(req), [&](http_response res) { answer = std::move(res); });
        EXPECT_TRUE(answer);
        return answer ? std::move(*answer) : http_response{};
    }

    /// The `error.code` of a JSON error body, or "<not an error body>".
    static std::string error_code_of(http_response const& res) {
        boost::system::error_code ec;
        auto const doc = json::parse(res.body(), ec);
        if (ec || !doc.is_object()) return "<not an error body>";
        auto const* err = doc.get_object().if_contains("error");
        if (!err || !err->is_object() || !err->get_object().contains("code"))
            return "<not an error body>";
        return std::string(err->get_object().at("code").as_string());
    }

    static bool is_json(http_response const& res) {
        return res[http::field::content_type] == json_content_type;
    }

    test::temp_dir dir_;
    telemetry::metrics metrics_;
    static_files files_{dir_.path() / "web"};
    std::atomic<bool> ready_{true};
    router router_{metrics_, files_, [this] { return ready_.load(); }};
};

TEST_F(router_test, healthz_is_200_json) {
    auto const res = get("/healthz");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_TRUE(is_json(res));
    EXPECT_EQ(json::parse(res.body()), json::parse(R"({"status":"ok"})"));
    EXPECT_EQ(res[http::field::content_length], std::to_string(res.body().size()));
}

TEST_F(router_test, readyz_follows_the_ready_flag) {
    auto const ready = get("/readyz");
    EXPECT_EQ(ready.result_int(), 200);
    EXPECT_TRUE(is_json(ready));

    ready_.store(false);
    auto const not_ready = get("/readyz");
    EXPECT_EQ(not_ready.result_int(), 503);
    EXPECT_TRUE(is_json(not_ready));
    EXPECT_EQ(error_code_of(not_ready), "unavailable");

    ready_.store(true);
    EXPECT_EQ(get("/readyz").result_int(), 200);
}

TEST_F(router_test, metrics_is_prometheus_text) {
    metrics_.connection_opened(auth::role::visitor);
    metrics_.connection_opened(auth::role::visitor);
    metrics_.connection_opened(auth::role::bot);
    auto const res = get("/metrics");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res[http::field::content_type].starts_with("text/plain; version=0.0.4"));
    auto const& body = res.body();
    EXPECT_NE(body.find("# TYPE parley_build_info gauge\n"), std::string::npos);
    EXPECT_NE(body.find("parley_build_info{version=\""), std::string::npos);
    EXPECT_NE(body.find("parley_connections{role=\"visitor\"} 2\n"), std::string::npos) << body;
    EXPECT_NE(body.find("parley_connections{role=\"operator\"} 0\n"), std::string::npos) << body;
    EXPECT_NE(body.find("parley_connections{role=\"bot\"} 1\n"), std::string::npos) << body;
    EXPECT_TRUE(body.ends_with("\n"));
}

TEST_F(router_test, service_endpoints_refuse_other_methods) {
    for (auto const* path : {"/healthz", "/readyz", "/metrics"}) {
        for (auto method : {http::verb::post, http::verb::put, http::verb::delete_}) {
            SCOPED_TRACE(std::string(path) + " " + std::string(http::to_string(method)));
            auto const res = handle(request(method, path));
            EXPECT_EQ(res.result_int(), 405);
            EXPECT_EQ(res[http::field::allow], "GET, HEAD");
            EXPECT_TRUE(is_json(res));
        }
    }
}

TEST_F(router_test, unknown_v1_paths_are_json_404_for_any_method) {
    for (auto method : {http::verb::get, http::verb::post, http::verb::delete_, http::verb::head}) {
        for (auto const* path : {"/v1/anything", "/v1/conversations/nope/x", "/v1", "/v1/"}) {
            SCOPED_TRACE(std::string(path) + " " + std::string(http::to_string(method)));
            auto const res = handle(request(method, path));
            EXPECT_EQ(res.result_int(), 404);
            EXPECT_TRUE(is_json(res));
            if (method == http::verb::head)
                EXPECT_TRUE(res.body().empty());
            else
                EXPECT_EQ(error_code_of(res), "not_found");
        }
    }
}

TEST_F(router_test, ws_endpoint_without_upgrade) {
    auto const res = get("/v1/ws?token=x");
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(error_code_of(res), "bad_request");
    auto const post = handle(request(http::verb::post, "/v1/ws"));
    EXPECT_EQ(post.result_int(), 405);
    EXPECT_EQ(post[http::field::allow], "GET");
}

TEST_F(router_test, head_has_length_but_no_body) {
    auto const full = get("/healthz");
    auto const res = handle(request(http::verb::head, "/healthz"));
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res.body().empty());
    EXPECT_EQ(res[http::field::content_length], std::to_string(full.body().size()));
    EXPECT_NE(full.body().size(), 0u);

    auto const file = handle(request(http::verb::head, "/web/app.js"));
    EXPECT_EQ(file.result_int(), 200);
    EXPECT_TRUE(file.body().empty());
    EXPECT_EQ(file[http::field::content_length],
              std::to_string(std::string("console.log(1);").size()));
}

TEST_F(router_test, head_errors_have_no_body_either) {
    // A body after a HEAD response would be read as the start of the next response.
    for (auto const* target : {"/v1/anything", "/web/missing.js", "/web/../secret", "/readyz"}) {
        SCOPED_TRACE(target);
        ready_.store(false);
        auto const full = get(target);
        auto const res = handle(request(http::verb::head, target));
        EXPECT_EQ(res.result_int(), full.result_int());
        EXPECT_GE(res.result_int(), 400u);
        EXPECT_TRUE(res.body().empty()) << res.body();
        EXPECT_EQ(res[http::field::content_length], std::to_string(full.body().size()));
    }
    auto const ws = handle(request(http::verb::head, "/v1/ws"));
    EXPECT_EQ(ws.result_int(), 405);
    EXPECT_TRUE(ws.body().empty()) << ws.body();
}

TEST_F(router_test, static_files_with_their_content_type) {
    auto const js = get("/web/app.js");
    EXPECT_EQ(js.result_int(), 200);
    EXPECT_EQ(js.body(), "console.log(1);");
    EXPECT_EQ(js[http::field::content_type], "text/javascript; charset=utf-8");
    EXPECT_EQ(js["X-Content-Type-Options"], "nosniff");

    auto const index = get("/");
    EXPECT_EQ(index.result_int(), 200);
    EXPECT_EQ(index.body(), "<h1>home</h1>");
    EXPECT_EQ(index[http::field::content_type], "text/html; charset=utf-8");

    EXPECT_EQ(get("/web/style.css")[http::field::content_type], "text/css; charset=utf-8");
}

TEST_F(router_test, static_files_refuse_writes) {
    auto const res = handle(request(http::verb::post, "/web/app.js"));
    EXPECT_EQ(res.result_int(), 405);
    EXPECT_EQ(res[http::field::allow], "GET, HEAD");
}

TEST_F(router_test, traversal_and_missing_are_404) {
    for (auto const* target :
         {"/web/../secret", "/web/%2e%2e/secret", "/web/missing.js", "/nope"}) {
        SCOPED_TRACE(target);
        auto const res = get(target);
        EXPECT_EQ(res.result_int(), 404);
        EXPECT_EQ(error_code_of(res), "not_found");
        EXPECT_EQ(res.body().find("TOP SECRET"), std::string::npos);
    }
}

TEST_F(router_test, malformed_target_is_400) {
    auto const res = get("not-a-path");
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(error_code_of(res), "bad_request");
}

TEST_F(router_test, keep_alive_mirrors_the_request) {
    EXPECT_TRUE(get("/healthz").keep_alive()); // HTTP/1.1 default

    auto close = request(http::verb::get, "/healthz");
    close.keep_alive(false);
    EXPECT_FALSE(handle(close).keep_alive());

    auto const old = request(http::verb::get, "/healthz", 10);
    auto const old_res = handle(old);
    EXPECT_FALSE(old_res.keep_alive());
    EXPECT_EQ(old_res.version(), 10u);

    auto old_keep = request(http::verb::get, "/nope", 10);
    old_keep.keep_alive(true);
    EXPECT_TRUE(handle(old_keep).keep_alive());
}

TEST_F(router_test, web_files_carry_an_etag_and_answer_304_when_unchanged) {
    auto const first = get("/web/app.js");
    auto const tag = std::string(first[http::field::etag]);
    ASSERT_EQ(tag.size(), 18u) << tag;
    EXPECT_EQ(first[http::field::cache_control], "no-cache");
    auto again = request(http::verb::get, "/web/app.js");
    again.set(http::field::if_none_match, tag);
    auto const res = handle(std::move(again));
    EXPECT_EQ(res.result_int(), 304);
    EXPECT_TRUE(res.body().empty());
    EXPECT_EQ(res[http::field::etag], tag);
    // Another file, or the same one changed, is another tag.
    EXPECT_NE(get("/web/style.css")[http::field::etag], tag);
    dir_.write("web/app.js", "console.log(2);");
    auto changed = request(http::verb::get, "/web/app.js");
    changed.set(http::field::if_none_match, tag);
    EXPECT_EQ(handle(std::move(changed)).result_int(), 200);
}

TEST_F(router_test, the_operator_panel_page_has_a_content_security_policy) {
    auto const panel = get("/web/operator/");
    EXPECT_EQ(panel.result_int(), 200);
    auto const policy = std::string(panel["Content-Security-Policy"]);
    EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << policy;
    EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
    EXPECT_TRUE(get("/web/app.js")["Content-Security-Policy"].empty());
}

} // namespace
} // namespace parley::api
