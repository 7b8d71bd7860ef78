// A whole support conversation through the real binary (SPEC §2–§4): start, fan-out,
// visibility, idempotent retries across reconnects and restarts, replay, durability.

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <set>
#include <thread>

namespace parley::test {
namespace {

using auth::role;
namespace json = boost::json;

/// Rate limits out of the way: these tests are about routing, not pacing.
constexpr char const* fast_limits = R"({"commands_per_s": 100000, "commands_burst": 100000})";

std::unique_ptr<ws_client> connect(unsigned short port, std::string const& token) {
    auto c = ws_client::open(port, token);
    if (c) {
        EXPECT_EQ(c->read_json()["op"], "hello");
    }
    return c;
}

/// Reads frames until one with `op`; frames before it are returned in `skipped`.
std::uint64_t start(ws_client& visitor, std::string const& random_id = "start-1") {
    visitor.send_text(json::serialize(json::object{{"op", "conversation.start"}, {"random_id", random_id}, {"ref", "s"}}));
    auto started = visitor.read_op("conversation.started");
    EXPECT_EQ(started["random_id"], random_id.c_str());
    return started["conversation"].at("id").to_number<std::uint64_t>();
}

std::string create(std::uint64_t cid, std::string const& type, std::string const& random_id,
                   std::string const& body = "hello") {
    return json::serialize(json::object{
        {"op", "part.create"}, {"conversation", cid}, {"type", type}, {"random_id", random_id}, {"body", body}});
}

/// `prefix` followed by `i` (GCC 12 at -O3 warns falsely on `numbered("p", i)`).
std::string numbered(std::string prefix, int i) {
    prefix += std::to_string(i);
    return prefix;
}

std::string subscribe(std::uint64_t cid, std::optional<std::uint64_t> after = std::nullopt) {
    json::object cmd{{"op", "subscribe"}, {"conversation", cid}};
    if (after) cmd["after"] = *after;
    return json::serialize(cmd);
}

class conversation_e2e : public ::testing::Test {
protected:
    void SetUp() override {
        server_ = std::make_unique<server_process>(test_config(data_.str() + "/data", fast_limits));
        ASSERT_TRUE(server_->started()) << server_->log();
    }
    void restart(bool hard = false) {
        server_->signal(hard ? SIGKILL : SIGTERM);
        ASSERT_TRUE(server_->wait_exit(5s).has_value());
        server_ = std::make_unique<server_process>(test_config(data_.str() + "/data", fast_limits));
        ASSERT_TRUE(server_->started()) << server_->log();
    }
    unsigned short port() const { return server_->port(); }

    temp_dir data_;
    std::unique_ptr<server_process> server_;
};

TEST_F(conversation_e2e, visitor_and_operator_talk_and_every_tab_hears_it) {
    auto visitor = connect(port(), make_token(role::visitor, "anna", "demo", 600, {}, "Anna"));
    auto operator_ = connect(port(), make_token(role::operator_, "olga"));
    ASSERT_TRUE(visitor && operator_);
    auto const cid = start(*visitor);
    auto second_tab = connect(port(), make_token(role::visitor, "anna"));
    second_tab->send_text(subscribe(cid));
    EXPECT_EQ(second_tab->read_op("subscribed")["replayed"], 0);
    operator_->send_text(subscribe(cid));
    EXPECT_EQ(operator_->read_op("subscribed")["conversation"].at("status"), "queued");

    visitor->send_text(create(cid, "reply_user", "r-1", "Where is my order?"));
    auto ack = visitor->read_op("part.created");
    auto const& part = ack["part"].as_object();
    EXPECT_EQ(part.at("random_id"), "r-1");
    EXPECT_EQ(part.at("body"), "Where is my order?");
    EXPECT_EQ(part.at("direction"), "u2a");
    EXPECT_EQ(part.at("first"), true);
    auto seen_by_operator = operator_->read_op("part");
    EXPECT_EQ(seen_by_operator["part"].at("id"), part.at("id"));
    EXPECT_FALSE(seen_by_operator["part"].as_object().contains("random_id"));
    EXPECT_EQ(second_tab->read_op("part")["part"].at("id"), part.at("id"));

    operator_->send_text(create(cid, "reply_admin", "a-1", "On its way"));
    EXPECT_EQ(operator_->read_op("part.created")["part"].at("direction"), "a2u");
    auto answer = visitor->read_op("part");
    EXPECT_EQ(answer["part"].at("body"), "On its way");
    EXPECT_GT(answer["part"].at("id").to_number<std::uint64_t>(), part.at("id").to_number<std::uint64_t>());
}

TEST_F(conversation_e2e, notes_never_reach_the_visitor) {
    auto visitor = connect(port(), visitor_token("nosy"));
    auto operator_ = connect(port(), make_token(role::operator_, "olga"));
    auto const cid = start(*visitor);
    operator_->send_text(create(cid, "note", "n-1", "VIP, be nice"));
    EXPECT_EQ(operator_->read_op("part.created")["part"].at("type"), "note");
    operator_->send_text(create(cid, "reply_admin", "a-1", "Hi!"));
    operator_->read_op("part.created");
    // The first thing the visitor receives is the reply, not the note.
    auto first = visitor->read_op("part");
    EXPECT_EQ(first["part"].at("type"), "reply_admin");
    // Nor on replay.
    auto again = connect(port(), visitor_token("nosy"));
    again->send_text(subscribe(cid, 0));
    std::vector<json::object> replayed;
    auto done = again->read_op("subscribed", &replayed);
    ASSERT_EQ(replayed.size(), 1u);
    EXPECT_EQ(replayed[0]["part"].at("type"), "reply_admin");
    EXPECT_EQ(done["replayed"], 1);
    EXPECT_FALSE(done["conversation"].as_object().contains("tags"));
}

TEST_F(conversation_e2e, permission_rules_are_enforced) {
    auto visitor = connect(port(), visitor_token("owner"));
    auto const cid = start(*visitor);
    auto expect_error = [&](ws_client& c, std::string const& cmd, char const* code) {
        c.send_text(cmd);
        auto e = c.read_op("error");
        EXPECT_EQ(e["code"], code) << cmd;
    };
    expect_error(*visitor, create(cid, "note", "x1"), "forbidden");
    expect_error(*visitor, create(cid, "reply_admin", "x2"), "forbidden");
    expect_error(*visitor, create(cid, "assigned", "x3"), "forbidden");
    expect_error(*visitor, create(cid, "shout", "x4"), "bad_request");
    auto stranger = connect(port(), visitor_token("stranger"));
    expect_error(*stranger, subscribe(cid), "forbidden");
    expect_error(*stranger, create(cid, "reply_user", "x5"), "forbidden");
    auto elsewhere = connect(port(), make_token(role::operator_, "olga", "strict"));
    expect_error(*elsewhere, subscribe(cid), "not_found");
    auto operator_ = connect(port(), make_token(role::operator_, "olga"));
    expect_error(*operator_, R"({"op":"conversation.start","random_id":"s"})", "forbidden");
    expect_error(*operator_, create(cid, "reply_user", "x6"), "forbidden");
}

TEST_F(conversation_e2e, a_retry_is_answered_with_the_original_across_reconnect_and_restart) {
    auto const token = visitor_token("retrier");
    std::uint64_t cid = 0, id = 0;
    {
        auto visitor = connect(port(), token);
        cid = start(*visitor, "start-r");
        visitor->send_text(create(cid, "reply_user", "same-1"));
        id = visitor->read_op("part.created")["part"].at("id").to_number<std::uint64_t>();
        visitor->send_text(create(cid, "reply_user", "same-1", "typed again"));
        auto dup = visitor->read_op("part.created");
        EXPECT_EQ(dup["duplicate"], true);
        EXPECT_EQ(dup["part"].at("id").to_number<std::uint64_t>(), id);
        EXPECT_EQ(dup["part"].at("body"), "hello");
    }
    {
        auto visitor = connect(port(), token);
        visitor->send_text(create(cid, "reply_user", "same-1"));
        EXPECT_EQ(visitor->read_op("part.created")["part"].at("id").to_number<std::uint64_t>(), id);
    }
    restart();
    auto visitor = connect(port(), token);
    visitor->send_text(create(cid, "reply_user", "same-1"));
    auto dup = visitor->read_op("part.created");
    EXPECT_EQ(dup["duplicate"], true);
    EXPECT_EQ(dup["part"].at("id").to_number<std::uint64_t>(), id);
    EXPECT_EQ(start(*visitor, "start-r"), cid) << "conversation.start is idempotent too";
    // New parts continue above every id used before the restart.
    visitor->send_text(create(cid, "reply_user", "fresh"));
    EXPECT_GT(visitor->read_op("part.created")["part"].at("id").to_number<std::uint64_t>(), id);
    // The operator sees exactly one part per random_id.
    auto operator_ = connect(port(), make_token(role::operator_, "olga"));
    operator_->send_text(subscribe(cid, 0));
    EXPECT_EQ(operator_->read_op("subscribed")["replayed"], 2);
}

TEST_F(conversation_e2e, replay_during_concurrent_writes_has_no_gap_and_no_duplicate) {
    auto visitor = connect(port(), visitor_token("chatty"));
    auto const cid = start(*visitor);
    constexpr int total = 400;
    // The writer does not wait for acks: parts are committed while the replay runs.
    for (int i = 0; i < total / 2; ++i) visitor->send_text(create(cid, "reply_user", numbered("p", i)));
    auto operator_ = connect(port(), make_token(role::operator_, "olga"));
    operator_->send_text(subscribe(cid, 0));
    for (int i = total / 2; i < total; ++i) visitor->send_text(create(cid, "reply_user", numbered("p", i)));

    std::set<std::uint64_t> acked;
    for (int i = 0; i < total; ++i)
        acked.insert(visitor->read_op("part.created")["part"].at("id").to_number<std::uint64_t>());
    ASSERT_EQ(acked.size(), static_cast<std::size_t>(total));

    std::vector<std::uint64_t> seen;
    bool subscribed = false;
    // When the subscribe is handled after every part is committed, the replay holds all
    // of them and `subscribed` comes last: read until both have arrived.
    while (seen.size() < acked.size() || !subscribed) {
        auto f = operator_->read_json();
        ASSERT_FALSE(f.empty()) << "stalled after " << seen.size() << " parts";
        if (f["op"] == "subscribed") {
            subscribed = true;
            EXPECT_EQ(f["replayed"].to_number<std::size_t>(), seen.size());
            continue;
        }
        if (f["op"] != "part") continue;
        auto const id = f["part"].at("id").to_number<std::uint64_t>();
        ASSERT_TRUE(seen.empty() || id > seen.back()) << "out of order or repeated: " << id;
        seen.push_back(id);
    }
    EXPECT_TRUE(subscribed);
    EXPECT_EQ(std::set<std::uint64_t>(seen.begin(), seen.end()), acked) << "a gap";
}

TEST_F(conversation_e2e, every_acknowledged_part_survives_kill_9) {
    auto visitor = connect(port(), visitor_token("durable"));
    auto const cid = start(*visitor);
    std::set<std::uint64_t> acked;
    for (int i = 0; i < 300; ++i) visitor->send_text(create(cid, "reply_user", numbered("k", i), numbered("k", i)));
    for (int i = 0; i < 300; ++i) acked.insert(visitor->read_op("part.created")["part"].at("id").to_number<std::uint64_t>());
    // More in flight while the process dies: they may or may not land, but never twice.
    for (int i = 300; i < 400; ++i) visitor->send_text(create(cid, "reply_user", numbered("k", i), numbered("k", i)));
    restart(/*hard=*/true);

    auto operator_ = connect(port(), make_token(role::operator_, "olga"));
    operator_->send_text(subscribe(cid, 0));
    std::vector<json::object> replayed;
    operator_->read_op("subscribed", &replayed);
    std::set<std::uint64_t> stored;
    std::set<std::string> bodies;
    for (auto& f : replayed) {
        stored.insert(f["part"].at("id").to_number<std::uint64_t>());
        EXPECT_TRUE(bodies.insert(std::string(f["part"].at("body").as_string())).second);
    }
    for (auto id : acked) EXPECT_TRUE(stored.count(id)) << "acknowledged part " << id << " lost";
}

TEST_F(conversation_e2e, body_length_is_counted_in_characters) {
    auto visitor = connect(port(), visitor_token("long"));
    auto const cid = start(*visitor);
    std::string at_limit;
    for (int i = 0; i < 10000; ++i) at_limit += "\xD0\xAF"; // 'Я': 2 bytes, 1 character
    visitor->send_text(create(cid, "reply_user", "ok", at_limit));
    EXPECT_EQ(visitor->read_op("part.created")["part"].at("body").as_string().size(), at_limit.size());
    visitor->send_text(create(cid, "reply_user", "too-long", at_limit + "!"));
    auto e = visitor->read_op("error");
    EXPECT_EQ(e["code"], "too_large");
    EXPECT_EQ(e["random_id"], "too-long");
}

TEST(slow_consumer, a_subscriber_that_never_reads_is_cut_off_and_nobody_else_waits) {
    temp_dir data;
    server_process server(test_config(data.str() + "/data",
                                      R"({"commands_per_s": 100000, "commands_burst": 100000, "max_queue_bytes": 65536})"));
    ASSERT_TRUE(server.started()) << server.log();
    auto visitor = connect(server.port(), visitor_token("talker"));
    auto const cid = start(*visitor);
    auto stuck = connect(server.port(), make_token(role::operator_, "asleep"));
    auto awake = connect(server.port(), make_token(role::operator_, "awake"));
    stuck->send_text(subscribe(cid));
    awake->send_text(subscribe(cid));
    stuck->read_op("subscribed");
    awake->read_op("subscribed");

    // 3000 x 4 KB: far more than the stuck socket's kernel buffers and its 64 KB queue.
    constexpr int total = 3000;
    std::string const body(4000, 'b');
    std::uint64_t last = 0;
    for (int i = 0; i < total; ++i) {
        visitor->send_text(create(cid, "reply_user", numbered("s", i), body));
        ASSERT_FALSE(visitor->read_op("part.created").empty());
        // The awake operator reads as it goes; the stuck one never reads at all.
        auto f = awake->read_op("part");
        ASSERT_FALSE(f.empty()) << "the awake operator was held back at part " << i;
        auto const id = f["part"].at("id").to_number<std::uint64_t>();
        ASSERT_GT(id, last);
        last = id;
    }
    EXPECT_TRUE(server.wait_for_log("ws.slow_consumer", 5s));
    // The stuck one finds the end after whatever it had been sent.
    ws_client::frame f;
    for (int i = 0; i < 10000; ++i) {
        f = stuck->read(5s);
        if (f.kind != ws_client::frame_kind::message) break;
    }
    // The close frame waits behind the unread data; if the reader comes back after the
    // grace period the server has dropped the socket instead. Either way it is gone.
    if (f.kind == ws_client::frame_kind::closed) EXPECT_EQ(f.close_code, 1008);
    else EXPECT_EQ(f.kind, ws_client::frame_kind::error);
}

TEST(rate_limit, commands_past_the_burst_get_rate_limited_and_the_connection_stays) {
    temp_dir data;
    server_process server(test_config(data.str() + "/data", R"({"commands_per_s": 1, "commands_burst": 3})"));
    ASSERT_TRUE(server.started()) << server.log();
    auto c = connect(server.port(), visitor_token("eager"));
    for (int i = 0; i < 5; ++i) c->send_text(json::serialize(json::object{{"op", "ping"}, {"ref", numbered("r", i)}}));
    int pongs = 0, limited = 0;
    for (int i = 0; i < 5; ++i) {
        auto f = c->read_json();
        if (f["op"] == "pong") ++pongs;
        if (f["op"] == "error" && f["code"] == "rate_limited") {
            ++limited;
            EXPECT_TRUE(f.contains("ref"));
        }
    }
    EXPECT_EQ(pongs, 3);
    EXPECT_EQ(limited, 2);
    // The bucket refills at 1/s: the connection is still usable.
    std::this_thread::sleep_for(1100ms);
    c->send_text(R"({"op":"ping","ref":"later"})");
    EXPECT_EQ(c->read_json()["op"], "pong");
}

} // namespace
} // namespace parley::test
