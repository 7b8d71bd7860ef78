// HTTP against the real binary: service endpoints, static files, errors, keep-alive.

#include "support/tokens.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace parley::test {
namespace {

class http_e2e : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        data_ = new temp_dir;
        server_ = new server_process(test_config(data_->str() + "/data", R"({"max_http_body_bytes": 2048})"));
        ASSERT_TRUE(server_->started()) << server_->log();
    }
    static void TearDownTestSuite() {
        delete server_;
        delete data_;
    }
    static unsigned short port() { return server_->port(); }

    static std::string error_code_of(http_response const& res) {
        boost::system::error_code ec;
        auto v = boost::json::parse(res.body(), ec);
        if (ec || !v.is_object() || !v.as_object().contains("error")) return "<no error object>";
        return std::string(v.at("error").at("code").as_string());
    }

    static inline temp_dir* data_ = nullptr;
    static inline server_process* server_ = nullptr;
};

TEST_F(http_e2e, health_and_readiness) {
    auto health = http_get(port(), "/healthz");
    EXPECT_EQ(health.result_int(), 200);
    EXPECT_EQ(health[boost::beast::http::field::content_type], "application/json; charset=utf-8");
    EXPECT_EQ(http_get(port(), "/readyz").result_int(), 200);
}

TEST_F(http_e2e, metrics_in_prometheus_text_format) {
    http_get(port(), "/v1/does-not-exist");
    http_get(port(), "/nothing-here");
    auto res = http_get(port(), "/metrics");
    ASSERT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res[boost::beast::http::field::content_type].starts_with("text/plain; version=0.0.4"));
    auto const& body = res.body();
    EXPECT_NE(body.find("# TYPE parley_build_info gauge"), std::string::npos);
    EXPECT_NE(body.find("parley_build_info{version=\""), std::string::npos);
    EXPECT_NE(body.find("parley_connections{role=\"visitor\"}"), std::string::npos);
    EXPECT_NE(body.find("parley_connections{role=\"operator\"}"), std::string::npos);
    EXPECT_NE(body.find("parley_connections{role=\"bot\"}"), std::string::npos);
    EXPECT_NE(body.find("parley_http_requests_total{status=\"404\"}"), std::string::npos);
    // What the process holds in memory, each with its bound in the configuration.
    for (auto gauge : {"parley_conversations_in_memory", "parley_store_memtable_bytes", "parley_store_block_cache_bytes"})
        EXPECT_NE(body.find(std::string("# TYPE ") + gauge + " gauge\n" + gauge + " "), std::string::npos) << gauge;
}

TEST_F(http_e2e, serves_the_web_folder_with_content_types) {
    auto index = http_get(port(), "/");
    ASSERT_EQ(index.result_int(), 200);
    EXPECT_EQ(index[boost::beast::http::field::content_type], "text/html; charset=utf-8");
    EXPECT_NE(index.body().find("<title>parley</title>"), std::string::npos);
    auto script = http_get(port(), "/web/connect.js");
    ASSERT_EQ(script.result_int(), 200);
    EXPECT_EQ(script[boost::beast::http::field::content_type], "text/javascript; charset=utf-8");
    EXPECT_EQ(http_get(port(), "/web/index.html").body(), index.body());
}

TEST_F(http_e2e, never_serves_outside_the_web_folder) {
    // Sent byte for byte: the client does not normalise the targets.
    for (std::string target : {"/web/../config/parley.json", "/web/%2e%2e/config/parley.json",
                               "/web/%2E%2E%2Fconfig%2Fparley.json", "/web/..%2fconfig/parley.json",
                               "/web/..%5cconfig%5cparley.json", "/web/....//config/parley.json",
                               "/web//../config/parley.json", "/../config/parley.json",
                               "/web/%252e%252e/config/parley.json", "/web/.%2e/CMakeLists.txt",
                               "/web/../../etc/passwd", "/web/%00index.html"}) {
        auto res = http_get(port(), target);
        EXPECT_NE(res.result_int(), 200) << target;
        EXPECT_EQ(res.body().find("secret"), std::string::npos) << target;
        EXPECT_EQ(res.body().find("root:"), std::string::npos) << target;
    }
}

TEST_F(http_e2e, unknown_api_paths_are_401_without_a_token_and_404_with_one) {
    // The token comes first: without one, nothing is learnt about which paths exist.
    for (std::string method : {"GET", "POST", "DELETE"}) {
        http_connection c(port());
        auto res = c.request(method, "/v1/nothing/here");
        EXPECT_EQ(res.result_int(), 401) << method;
        EXPECT_EQ(error_code_of(res), "unauthorized") << method;
        EXPECT_EQ(res[boost::beast::http::field::www_authenticate], "Bearer") << method;
        auto known = c.request(method, "/v1/nothing/here", {{"Authorization", "Bearer " + make_token(auth::role::bot, "b")}});
        EXPECT_EQ(known.result_int(), 404) << method;
        EXPECT_EQ(error_code_of(known), "not_found") << method;
    }
}

TEST_F(http_e2e, wrong_methods_get_405) {
    http_connection c(port());
    for (std::string target : {"/healthz", "/readyz", "/metrics", "/", "/web/connect.js"}) {
        auto res = c.request("POST", target, {}, "{}");
        EXPECT_EQ(res.result_int(), 405) << target;
        EXPECT_FALSE(res[boost::beast::http::field::allow].empty()) << target;
    }
}

TEST_F(http_e2e, websocket_endpoint_without_upgrade_is_a_bad_request) {
    auto res = http_get(port(), "/v1/ws");
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(error_code_of(res), "bad_request");
}

TEST_F(http_e2e, keep_alive_serves_several_requests_on_one_connection) {
    http_connection c(port());
    ASSERT_TRUE(c.connected());
    for (int i = 0; i < 5; ++i) {
        auto res = c.request("GET", i % 2 ? "/healthz" : "/v1/missing");
        EXPECT_EQ(res.result_int(), i % 2 ? 200 : 401) << i;
        EXPECT_TRUE(res.keep_alive()) << i;
    }
}

TEST_F(http_e2e, body_over_the_limit_gets_413) {
    http_connection c(port());
    auto res = c.request("POST", "/v1/conversations", {{"Content-Type", "application/json"}},
                         std::string(4096, 'x'));
    EXPECT_EQ(res.result_int(), 413);
    EXPECT_EQ(error_code_of(res), "too_large");
    // Just under the limit is read fully and answered by the route.
    http_connection d(port());
    EXPECT_EQ(d.request("POST", "/v1/conversations", {}, std::string(2000, 'x')).result_int(), 401);
}

TEST_F(http_e2e, malformed_requests_are_refused_and_the_server_lives_on) {
    http_connection c(port());
    auto res = c.raw("THIS IS NOT HTTP\r\n\r\n");
    EXPECT_EQ(res.result_int(), 400);
    http_connection d(port());
    auto huge_header = d.raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    EXPECT_EQ(huge_header.result_int(), 431);
    EXPECT_EQ(http_get(port(), "/healthz").result_int(), 200);
}

TEST_F(http_e2e, head_returns_headers_only) {
    http_connection c(port());
    auto res = c.request("HEAD", "/healthz");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res[boost::beast::http::field::content_length], "15");
    EXPECT_TRUE(res.body().empty());
    // The connection is still in step: the next response is the next request's.
    EXPECT_EQ(c.request("GET", "/v1/missing").result_int(), 401);
}

} // namespace
} // namespace parley::test
