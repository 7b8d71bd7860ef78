// The HTTP writes and erase against the real binary: one pipeline with WebSocket (same
// idempotency keys, same fan-out), CORS, GDPR erase across a restart, and store reads
// that never hold an I/O thread.

#include <parley/clock.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/protocol/conversation_counters.hpp>
#include <parley/store/keyspace.hpp>
#include <parley/store/rocks_store.hpp>
#include <parley/index/index_keys.hpp>

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <atomic>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <thread>

namespace parley::test {
namespace {

using auth::role;
namespace json = boost::json;
namespace http = boost::beast::http;

header_list bearer(std::string const& token, header_list more = {}) {
    more.emplace_back("Authorization", "Bearer " + token);
    more.emplace_back("Content-Type", "application/json");
    return more;
}

json::value body_of(http_response const& res) { return json::parse(res.body()); }

class api_write_e2e : public ::testing::Test {
protected:
    void SetUp() override { start(); }

    void start() {
        server_ = std::make_unique<server_process>(test_config(data_.str() + "/data"));
        ASSERT_TRUE(server_->started()) << server_->log();
    }

    http_response post(std::string const& target, std::string const& token, json::object const& body) {
        http_connection c(server_->port());
        return c.request("POST", target, bearer(token), json::serialize(body));
    }

    temp_dir data_;
    std::unique_ptr<server_process> server_;
};

TEST_F(api_write_e2e, an_http_create_and_its_websocket_retry_are_one_conversation_and_one_part) {
    auto const anna = visitor_token("anna");
    auto first = post("/v1/conversations", anna, {{"random_id", "start-1"}, {"department", "sales"}});
    ASSERT_EQ(first.result_int(), 201) << first.body();
    auto const cid = body_of(first).at("id").to_number<std::uint64_t>();
    auto again = post("/v1/conversations", anna, {{"random_id", "start-1"}});
    EXPECT_EQ(again.result_int(), 200);
    EXPECT_EQ(body_of(again).at("id"), cid);

    auto olga = ws_client::open(server_->port(), make_token(role::operator_, "olga"));
    olga->read_op("hello");
    olga->send_text(R"({"op":"subscribe","conversation":)" + std::to_string(cid) + "}");
    olga->read_op("subscribed");

    auto part = post("/v1/conversations/" + std::to_string(cid) + "/parts", anna,
                     {{"type", "reply_user"}, {"random_id", "p-1"}, {"body", "hello over http"}});
    ASSERT_EQ(part.result_int(), 201) << part.body();
    auto const created_value = body_of(part);
    auto const& created = created_value.as_object();
    EXPECT_EQ(created.at("random_id"), "p-1");
    EXPECT_EQ(created.at("sent_via"), "api");
    auto const pid = created.at("id");
    // Routed live like a WebSocket part.
    auto live = olga->read_op("part");
    EXPECT_EQ(live.at("part").at("id"), pid);
    EXPECT_EQ(live.at("part").at("body"), "hello over http");

    // The same create retried over WebSocket is the same part, not a second one.
    auto tab = ws_client::open(server_->port(), anna);
    tab->read_op("hello");
    tab->send_text(R"({"op":"part.create","conversation":)" + std::to_string(cid) +
                   R"(,"type":"reply_user","random_id":"p-1","body":"hello over http"})");
    auto dup = tab->read_op("part.created");
    EXPECT_EQ(dup.at("part").at("id"), pid);
    EXPECT_EQ(dup.at("duplicate"), true);
    // And over HTTP again: 200 with the original.
    auto repeat = post("/v1/conversations/" + std::to_string(cid) + "/parts", anna,
                       {{"type", "reply_user"}, {"random_id", "p-1"}, {"body", "hello over http"}});
    EXPECT_EQ(repeat.result_int(), 200);
    EXPECT_EQ(body_of(repeat).at("id"), pid);

    tab->send_text(R"({"op":"conversation.start","random_id":"start-1"})");
    auto started = tab->read_op("conversation.started");
    EXPECT_EQ(started.at("conversation").at("id"), cid);
    EXPECT_EQ(started.at("duplicate"), true);
}

TEST_F(api_write_e2e, bad_bodies_are_400_and_store_nothing) {
    auto const anna = visitor_token("anna");
    http_connection c(server_->port());
    for (std::string body : {"not json", "[1,2]", "\"text\"", "{\"random_id\": 5}", "{\"op\":\"x\",\"random_id\":\"a\"}"}) {
        auto res = c.request("POST", "/v1/conversations", bearer(anna), body);
        EXPECT_EQ(res.result_int(), 400) << body << " " << res.body();
    }
    auto list = http_get(server_->port(), "/v1/conversations", bearer(anna));
    EXPECT_EQ(list["X-Total-Count"], "0");
    EXPECT_EQ(post("/v1/conversations", make_token(role::operator_, "olga"), {{"random_id", "x"}}).result_int(), 403);
}

TEST_F(api_write_e2e, cors_for_a_sites_origins_and_nobody_else) {
    auto const origin = "https://shop.example";
    http_connection c(server_->port());
    auto pre = c.request("OPTIONS", "/v1/conversations", {{"Origin", origin}, {"Access-Control-Request-Method", "GET"}});
    EXPECT_EQ(pre.result_int(), 204);
    EXPECT_EQ(pre[http::field::access_control_allow_origin], origin);
    EXPECT_EQ(pre[http::field::vary], "Origin");
    EXPECT_EQ(pre[http::field::access_control_allow_methods], "GET, POST, DELETE");
    EXPECT_EQ(pre[http::field::access_control_allow_headers], "Authorization, Content-Type");
    EXPECT_EQ(pre[http::field::access_control_max_age], "600");
    auto evil = c.request("OPTIONS", "/v1/conversations", {{"Origin", "https://evil.example"}});
    EXPECT_TRUE(evil[http::field::access_control_allow_origin].empty());
    EXPECT_NE(evil.result_int(), 204);

    auto const strict = make_token(role::operator_, "olga", "strict");
    auto ok = c.request("GET", "/v1/conversations", bearer(strict, {{"Origin", origin}}));
    EXPECT_EQ(ok.result_int(), 200);
    EXPECT_EQ(ok[http::field::access_control_allow_origin], origin);
    EXPECT_EQ(ok[http::field::access_control_expose_headers], "X-Total-Count, Link");
    // The demo site does not list that origin: no CORS for its token's answers.
    auto other = c.request("GET", "/v1/conversations", bearer(make_token(role::operator_, "olga"), {{"Origin", origin}}));
    EXPECT_EQ(other.result_int(), 200);
    EXPECT_TRUE(other[http::field::access_control_allow_origin].empty());
}

TEST_F(api_write_e2e, gdpr_erase_is_atomic_idempotent_live_and_survives_restart) {
    auto const anna = visitor_token("anna");
    auto conv = post("/v1/conversations", anna, {{"random_id", "s"}, {"city", "Tallinn"}, {"entry_page", "https://x.example/p"}});
    ASSERT_EQ(conv.result_int(), 201);
    auto const cid = std::to_string(body_of(conv).at("id").to_number<std::uint64_t>());
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(post("/v1/conversations/" + cid + "/parts", anna,
                       {{"type", "reply_user"}, {"random_id", "p" + std::to_string(i)}, {"body", "mail me at anna@example.com"}})
                      .result_int(),
                  201);
    auto const olga = make_token(role::operator_, "olga");
    ASSERT_EQ(post("/v1/conversations/" + cid + "/parts", olga, {{"type", "reply_admin"}, {"random_id", "r"}, {"body", "sure"}})
                  .result_int(),
              201);
    auto watcher = ws_client::open(server_->port(), olga);
    watcher->read_op("hello");
    watcher->send_text(R"({"op":"subscribe","conversation":)" + cid + "}");
    watcher->read_op("subscribed");

    http_connection c(server_->port());
    EXPECT_EQ(c.request("DELETE", "/v1/visitors/anna", bearer(make_token(role::bot, "crm"))).result_int(), 403);
    EXPECT_EQ(c.request("DELETE", "/v1/visitors/anna", bearer(anna)).result_int(), 403);
    auto erased = c.request("DELETE", "/v1/visitors/anna", bearer(olga));
    ASSERT_EQ(erased.result_int(), 200) << erased.body();
    EXPECT_EQ(body_of(erased).at("parts_erased"), 3);
    EXPECT_EQ(body_of(erased).at("conversations"), 1);
    for (int i = 0; i < 3; ++i) {
        auto updated = watcher->read_op("part.updated");
        EXPECT_EQ(updated.at("part").at("body"), "");
        EXPECT_FALSE(updated.at("part").at("removed").is_null());
    }
    auto repeat = c.request("DELETE", "/v1/visitors/anna", bearer(olga));
    EXPECT_EQ(body_of(repeat).at("parts_erased"), 0);

    server_.reset();
    start();
    auto parts = http_get(server_->port(), "/v1/conversations/" + cid + "/parts", bearer(olga));
    ASSERT_EQ(parts.result_int(), 200);
    auto const list = body_of(parts);
    ASSERT_EQ(list.as_array().size(), 4u);
    for (auto const& p : list.as_array()) {
        if (p.at("from").at("id") == "anna") {
            EXPECT_EQ(p.at("body"), "");
            EXPECT_FALSE(p.at("removed").is_null());
        } else {
            EXPECT_EQ(p.at("body"), "sure"); // nothing else is removed
        }
    }
    EXPECT_EQ(parts.body().find("anna@example.com"), std::string::npos);
    auto after = body_of(http_get(server_->port(), "/v1/conversations/" + cid, bearer(olga)));
    EXPECT_TRUE(after.at("city").is_null());
    EXPECT_TRUE(after.at("entry_page").is_null());
}

TEST_F(api_write_e2e, a_conversation_loaded_from_the_store_keeps_the_connections_command_order) {
    auto const anna = visitor_token("anna");
    std::vector<std::string> cids;
    for (int i = 0; i < 5; ++i) {
        auto conv = post("/v1/conversations", anna, {{"random_id", "s" + std::to_string(i)}});
        ASSERT_EQ(conv.result_int(), 201);
        cids.push_back(std::to_string(body_of(conv).at("id").to_number<std::uint64_t>()));
    }
    // After a restart none is in memory: each first command loads its conversation from
    // the store on a reader thread, and the commands behind it wait their turn.
    server_.reset();
    start();
    auto tab = ws_client::open(server_->port(), anna);
    tab->read_op("hello");
    for (auto const& cid : cids) {
        tab->send_text(R"({"op":"subscribe","conversation":)" + cid + R"(,"after":0,"ref":"s)" + cid + "\"}");
        tab->send_text(R"({"op":"unsubscribe","conversation":)" + cid + R"(,"ref":"u)" + cid + "\"}");
    }
    std::vector<std::string> refs;
    while (refs.size() < 2 * cids.size()) {
        auto frame = tab->read_json();
        if (frame.empty()) break;
        if (auto const* ref = frame.if_contains("ref")) refs.emplace_back(ref->as_string());
    }
    std::vector<std::string> expected;
    for (auto const& cid : cids) {
        expected.push_back("s" + cid);
        expected.push_back("u" + cid);
    }
    EXPECT_EQ(refs, expected);
}

/// A conversation of `parts` parts written straight into a store, as the relay writes one.
void write_big_conversation(std::string const& path, std::uint64_t parts) {
    auto opened = store::rocks_store::open({path, false});
    ASSERT_TRUE(opened);
    protocol::conversation c;
    c.id = 1;
    c.site = "demo";
    c.visitor = {"anna", std::nullopt};
    c.created_at = c.updated_at = now_ms();
    c.last_part_id = parts;
    store::write_set batch;
    batch.add(store::family::conversations, store::key::conversation(1), protocol::to_stored(c));
    batch.add(store::family::conversations, store::key::conversation_counters(1), protocol::encode_counters(c));
    index::add_changes(batch, std::nullopt, index::row_of(c));
    batch.last_conversation_id = 1;
    std::string const body(300, 'x');
    for (std::uint64_t id = 1; id <= parts; ++id) {
        json::object part{{"id", id}, {"conversation", 1}, {"created", c.created_at / 1000}, {"edited", nullptr},
                          {"removed", nullptr}, {"type", "reply_user"}, {"body", body}, {"body_json", nullptr},
                          {"direction", "u2a"}, {"from", json::object{{"role", "visitor"}, {"id", "anna"}}},
                          {"sent_via", "web_user"}, {"meta_data", json::object{}}, {"reply_type", "text"},
                          {"actions", nullptr}, {"external_id", nullptr}};
        batch.add(store::family::parts, store::key::part(1, id), json::serialize(part));
        batch.last_part_id = id;
        if (id % 5000 == 0 || id == parts) {
            store::write_set const* sets[] = {&batch};
            ASSERT_FALSE((*opened)->write(sets));
            batch = {};
        }
    }
}

TEST(api_readers_e2e, a_slow_export_does_not_hold_up_a_websocket_on_the_same_server) {
    temp_dir data;
    write_big_conversation(data.str() + "/data", 40'000);
    // One I/O thread: were the export run on it, no pong could come while it runs.
    auto config = test_config(data.str() + "/data", R"({"commands_per_s": 100000, "commands_burst": 100000})");
    config.replace(config.find("\"threads\": 2"), 12, "\"threads\": 1");
    server_process server(config);
    ASSERT_TRUE(server.started()) << server.log();
    auto ws = ws_client::open(server.port(), make_token(role::bot, "crm"));
    ws->read_op("hello");
    ws->send_text(R"({"op":"ping"})");
    ASSERT_FALSE(ws->read_op("pong").empty());

    // The export on a plain socket, to see when its first byte comes: until then the
    // server is still reading and serializing the transcript.
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::string const request = "GET /v1/conversations/1/export?format=ndjson HTTP/1.1\r\nHost: x\r\n"
                                "Authorization: Bearer " + make_token(role::operator_, "olga") +
                                "\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    std::atomic<bool> first_byte{false};
    std::size_t export_bytes = 0;
    std::thread exporter([&] {
        char buf[65536];
        for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
            first_byte = true;
            export_bytes += static_cast<std::size_t>(n);
        }
        ::close(fd);
    });
    // Were the export run on the only I/O thread, no pong could be sent between the
    // request and the first byte of its answer (but one racing the request's read).
    int pongs_before_answer = 0;
    while (!first_byte) {
        ws->send_text(R"({"op":"ping"})");
        auto pong = ws->read_op("pong");
        if (pong.empty()) break;
        if (!first_byte) ++pongs_before_answer;
    }
    exporter.join();
    EXPECT_GT(export_bytes, 40'000u * 300);
    EXPECT_GE(pongs_before_answer, 3) << "the export held the only I/O thread";
    if (HasFailure()) ADD_FAILURE() << server.log();
}

} // namespace
} // namespace parley::test
