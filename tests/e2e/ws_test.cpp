// WebSocket /v1/ws against the real binary with a real client (SPEC §1, §3.1, §3.4).

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <thread>

namespace parley::test {
namespace {

using auth::role;
using frame_kind = ws_client::frame_kind;

class ws_e2e : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        data_ = new temp_dir;
        server_ = new server_process(test_config(
            data_->str() + "/data",
            R"({"max_frame_bytes": 1024, "max_queue_bytes": 8192, "connections_per_actor": 2,
                "commands_per_s": 1000000, "commands_burst": 1000000,
                "ping_interval_s": 1, "idle_timeout_s": 3})"));
        ASSERT_TRUE(server_->started()) << server_->log();
    }
    static void TearDownTestSuite() {
        delete server_;
        delete data_;
    }
    static unsigned short port() { return server_->port(); }

    /// Opens a connection and consumes its hello.
    static std::unique_ptr<ws_client> open_ready(std::string const& token) {
        auto c = ws_client::open(port(), token);
        if (c) {
            EXPECT_EQ(c->read_json()["op"], "hello");
        }
        return c;
    }

    static void expect_error(ws_client& c, std::string const& sent, char const* ref) {
        c.send_text(sent);
        auto reply = c.read_json();
        EXPECT_EQ(reply["op"], "error") << sent;
        EXPECT_EQ(reply["code"], "bad_request") << sent;
        EXPECT_TRUE(reply["message"].is_string()) << sent;
        if (ref) EXPECT_EQ(reply["ref"], ref) << sent;
        else EXPECT_FALSE(reply.contains("ref")) << sent;
    }

    /// The next thing the client sees is the server closing with `code`.
    static void expect_closed_with(ws_client& c, int code) {
        auto f = c.read();
        EXPECT_EQ(f.kind, frame_kind::closed) << f.error;
        EXPECT_EQ(f.close_code, code);
    }

    static void expect_alive(ws_client& c) {
        c.send_text(R"({"op":"ping","ref":"alive?"})");
        auto pong = c.read_json();
        EXPECT_EQ(pong["op"], "pong");
        EXPECT_EQ(pong["ref"], "alive?");
    }

    static inline temp_dir* data_ = nullptr;
    static inline server_process* server_ = nullptr;
};

TEST_F(ws_e2e, hello_describes_actor_server_and_limits) {
    auto c = ws_client::open(port(), make_token(role::operator_, "op-1", "demo", 600, {}, "Olga"));
    ASSERT_TRUE(c);
    auto hello = c->read_json();
    EXPECT_EQ(hello["op"], "hello");
    auto const& actor = hello["actor"].as_object();
    EXPECT_EQ(actor.at("role"), "operator");
    EXPECT_EQ(actor.at("id"), "op-1");
    EXPECT_EQ(actor.at("name"), "Olga");
    EXPECT_EQ(actor.at("site"), "demo");
    auto const& server = hello["server"].as_object();
    EXPECT_EQ(server.at("version"), "0.1.0");
    EXPECT_EQ(server.at("epoch").as_string().size(), 16u);
    auto const& limits = hello["limits"].as_object();
    EXPECT_EQ(limits.at("max_frame_bytes"), 1024);
    EXPECT_EQ(limits.at("max_body_chars"), 10000);
    EXPECT_EQ(limits.at("ping_interval_s"), 1);
    EXPECT_EQ(limits.at("idle_timeout_s"), 3);
    // Integers on the wire, never `2E1`: strictly typed clients read these as integers.
    for (auto key : {"commands_per_s", "commands_burst", "max_queue_bytes", "connections_per_actor",
                     "idempotency_window_s", "max_http_body_bytes"}) {
        ASSERT_TRUE(limits.contains(key)) << key;
        EXPECT_TRUE(limits.at(key).is_int64() || limits.at(key).is_uint64()) << key << " " << limits.at(key);
    }
    EXPECT_EQ(limits.at("commands_per_s"), 1000000);
}

TEST_F(ws_e2e, token_in_authorization_header) {
    auto r = ws_client::connect(port(), "/v1/ws", {{"Authorization", "Bearer " + make_token(role::bot, "crm")}});
    ASSERT_TRUE(r.client) << r.status;
    EXPECT_EQ(r.client->read_json()["actor"].as_object().at("role"), "bot");
}

TEST_F(ws_e2e, refused_tokens_get_401_before_any_upgrade) {
    std::string const good = visitor_token();
    std::string tampered = good;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    struct attempt {
        char const* what;
        std::string target;
        header_list headers;
    };
    std::vector<attempt> const attempts = {
        {"no token", "/v1/ws", {}},
        {"empty token", "/v1/ws?token=", {}},
        {"garbage", "/v1/ws?token=not.a.jwt", {}},
        {"expired", "/v1/ws?token=" + make_token(role::visitor, "v1", "demo", -10), {}},
        {"unknown site", "/v1/ws?token=" + make_token(role::visitor, "v1", "elsewhere", 600, demo_secret), {}},
        {"other site's secret", "/v1/ws?token=" + make_token(role::visitor, "v1", "demo", 600, strict_secret), {}},
        {"tampered signature", "/v1/ws?token=" + tampered, {}},
        {"bearer expired", "/v1/ws", {{"Authorization", "Bearer " + make_token(role::bot, "b", "demo", -1)}}},
        {"basic auth", "/v1/ws", {{"Authorization", "Basic dXNlcjpwYXNz"}}},
    };
    for (auto const& a : attempts) {
        auto r = ws_client::connect(port(), a.target, a.headers);
        EXPECT_FALSE(r.client) << a.what;
        EXPECT_EQ(r.status, 401u) << a.what;
        EXPECT_NE(r.body.find(R"("code":"unauthorized")"), std::string::npos) << a.what << ": " << r.body;
    }
}

TEST_F(ws_e2e, origin_is_checked_against_the_sites_list) {
    auto const strict = make_token(role::visitor, "shopper", "strict");
    auto allowed = ws_client::connect(port(), "/v1/ws?token=" + strict, {{"Origin", "https://shop.example"}});
    EXPECT_EQ(allowed.status, 101u);
    auto foreign = ws_client::connect(port(), "/v1/ws?token=" + strict, {{"Origin", "https://evil.example"}});
    EXPECT_EQ(foreign.status, 403u);
    EXPECT_NE(foreign.body.find(R"("code":"forbidden")"), std::string::npos);
    auto no_origin = ws_client::connect(port(), "/v1/ws?token=" + strict);
    EXPECT_EQ(no_origin.status, 101u) << "clients that are not browsers send no Origin";
    auto open_site = ws_client::connect(port(), "/v1/ws?token=" + visitor_token("o1"), {{"Origin", "https://any.example"}});
    EXPECT_EQ(open_site.status, 101u);
}

TEST_F(ws_e2e, ping_gets_pong_echoing_ref) {
    auto c = open_ready(visitor_token("pinger"));
    ASSERT_TRUE(c);
    c->send_text(R"({"op":"ping","ref":"r-42"})");
    auto pong = c->read_json();
    EXPECT_EQ(pong["op"], "pong");
    EXPECT_EQ(pong["ref"], "r-42");
    c->send_text(R"({"op":"ping"})");
    auto bare = c->read_json();
    EXPECT_EQ(bare["op"], "pong");
    EXPECT_FALSE(bare.contains("ref"));
}

TEST_F(ws_e2e, bad_commands_get_bad_request_and_the_connection_stays) {
    auto c = open_ready(visitor_token("sloppy"));
    ASSERT_TRUE(c);
    expect_error(*c, "{not json", nullptr);
    expect_error(*c, "", nullptr);
    expect_error(*c, "[1,2,3]", nullptr);
    expect_error(*c, "\"ping\"", nullptr);
    expect_error(*c, "42", nullptr);
    expect_error(*c, R"({"ref":"r1"})", "r1");
    expect_error(*c, R"({"op":7,"ref":"r2"})", "r2");
    expect_error(*c, R"({"op":"frobnicate","ref":"r3"})", "r3");
    expect_error(*c, R"({"op":"ping","ref":")" + std::string(65, 'x') + "\"}", nullptr);
    expect_error(*c, R"({"op":"ping","ref":5})", nullptr);
    expect_error(*c, std::string(40, '[') + std::string(40, ']'), nullptr);
    expect_alive(*c);
}

TEST_F(ws_e2e, binary_frame_closes_with_1003) {
    auto c = open_ready(visitor_token("binary"));
    ASSERT_TRUE(c);
    c->send_binary(std::string("\x01\x02\x03", 3));
    expect_closed_with(*c, 1003);
}

TEST_F(ws_e2e, frame_over_max_frame_bytes_closes_with_1009) {
    auto c = open_ready(visitor_token("big"));
    ASSERT_TRUE(c);
    // Exactly at the limit is fine.
    std::string at_limit = R"({"op":"ping","ref":"edge"})";
    at_limit.insert(at_limit.size() - 1, std::string(1024 - at_limit.size(), ' '));
    ASSERT_EQ(at_limit.size(), 1024u);
    c->send_text(at_limit);
    EXPECT_EQ(c->read_json()["op"], "pong");
    c->send_text(std::string(1025, ' '));
    expect_closed_with(*c, 1009);
}

TEST_F(ws_e2e, invalid_utf8_closes_with_1007) {
    auto c = open_ready(visitor_token("mojibake"));
    ASSERT_TRUE(c);
    c->send_raw_text("{\"op\":\"ping\",\"ref\":\"\xff\xfe\"}");
    expect_closed_with(*c, 1007);
}

TEST_F(ws_e2e, server_pings_and_keeps_a_responsive_client) {
    auto c = open_ready(visitor_token("responsive"));
    ASSERT_TRUE(c);
    // Reading answers the server's pings; stay past the idle timeout (3 s).
    auto const until = std::chrono::steady_clock::now() + 4500ms;
    while (std::chrono::steady_clock::now() < until) {
        auto f = c->read(200ms);
        ASSERT_EQ(f.kind, frame_kind::timeout) << "unexpected frame, close code " << f.close_code;
    }
    EXPECT_GE(c->pings_received(), 2u);
    expect_alive(*c);
}

TEST_F(ws_e2e, silent_client_is_closed_with_1001_after_the_idle_timeout) {
    auto c = open_ready(visitor_token("silent"));
    ASSERT_TRUE(c);
    // Not reading means not answering pings: the server must give up on us.
    std::this_thread::sleep_for(4500ms);
    auto f = c->read(5s);
    EXPECT_EQ(f.kind, frame_kind::closed) << f.error;
    EXPECT_EQ(f.close_code, 1001);
}

TEST_F(ws_e2e, connections_beyond_the_per_actor_limit_are_closed_with_1008) {
    auto const token = visitor_token("many-tabs");
    auto first = open_ready(token);
    auto second = open_ready(token);
    ASSERT_TRUE(first && second);
    auto third = ws_client::open(port(), token);
    ASSERT_TRUE(third);
    expect_closed_with(*third, 1008);
    // Another actor is not affected, and the first two still work.
    auto other = open_ready(visitor_token("someone-else"));
    EXPECT_TRUE(other);
    expect_alive(*first);
    // A slot frees up when a connection closes.
    second->close();
    std::unique_ptr<ws_client> again;
    for (int i = 0; i < 50 && !again; ++i) {
        auto c = ws_client::open(port(), token);
        auto hello = c->read();
        if (hello.kind == frame_kind::message) again = std::move(c);
        else std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(again);
}

TEST_F(ws_e2e, a_client_that_never_reads_is_closed_as_a_slow_consumer) {
    auto reader = open_ready(visitor_token("keeps-reading"));
    auto hog = open_ready(visitor_token("never-reads"));
    ASSERT_TRUE(reader && hog);
    // Each ping queues a pong the hog never reads; once the socket buffers are full the
    // pongs pile up in the server's queue until it passes max_queue_bytes.
    std::string const ping = R"({"op":"ping","ref":")" + std::string(60, 'p') + "\"}";
    bool closed = false;
    for (int i = 0; i < 2000000 && !closed; ++i) {
        hog->send_text(ping);
        if (i % 2000 == 0) {
            closed = server_->wait_for_log("ws.slow_consumer", 0ms);
            // The reader is answered all along (and stays inside its idle timeout
            // however slow this loop runs, e.g. under sanitizers).
            expect_alive(*reader);
        }
    }
    ASSERT_TRUE(server_->wait_for_log("ws.slow_consumer", 5s));
    auto const metrics = http_get(port(), "/metrics").body();
    EXPECT_NE(metrics.find("parley_slow_consumer_closes_total 1"), std::string::npos);
    // Nobody else was held back.
    expect_alive(*reader);
}

TEST_F(ws_e2e, metrics_count_connections_by_role) {
    auto count = [] {
        auto body = http_get(port(), "/metrics").body();
        auto const key = std::string("parley_connections{role=\"bot\"} ");
        auto pos = body.find(key);
        return pos == std::string::npos ? -1 : std::stoi(body.substr(pos + key.size()));
    };
    auto const before = count();
    auto c = open_ready(make_token(role::bot, "metrics-bot"));
    ASSERT_TRUE(c);
    EXPECT_EQ(count(), before + 1);
    c->close();
    int after = -1;
    for (int i = 0; i < 100 && after != before; ++i) {
        std::this_thread::sleep_for(20ms);
        after = count();
    }
    EXPECT_EQ(after, before);
}

TEST_F(ws_e2e, logs_never_contain_tokens_names_or_frame_contents) {
    auto const token = make_token(role::visitor, "private-visitor", "demo", 600, {}, "Zinaida Secretname");
    auto c = open_ready(token);
    ASSERT_TRUE(c);
    c->send_text(R"({"op":"nonsense","body":"my card is 4111 1111 1111 1111"})");
    c->read_json();
    c->close();
    ws_client::connect(port(), "/v1/ws?token=" + token + "x");
    ASSERT_TRUE(server_->wait_for_log("ws.refused", 2s));
    auto const log = server_->log();
    EXPECT_EQ(log.find(token.substr(0, token.rfind('.'))), std::string::npos);
    EXPECT_EQ(log.find("Secretname"), std::string::npos);
    EXPECT_EQ(log.find("4111"), std::string::npos);
    EXPECT_EQ(log.find("private-visitor"), std::string::npos);
}

} // namespace
} // namespace parley::test
