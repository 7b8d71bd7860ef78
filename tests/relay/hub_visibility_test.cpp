// Who gets what (SPEC §2.1 visibility, §1 access, §4 routing) and replay on subscribe
// (§3.2, §3.3 Recovery), through the relay hub without sockets.

#include "hub_fixture.hpp"

namespace parley::relay {
namespace {

class hub_visibility_test : public hub_fixture {
protected:
    void SetUp() override { open(); }
};

TEST_F(hub_visibility_test, note_never_reaches_a_visitor_but_reaches_other_staff) {
    auto const tab = connect();
    auto const cid = start(visitor, tab, "s-1");
    auto const other_tab = connect();
    auto const staff = connect();
    auto const other_staff = connect();
    auto const integration = connect();
    ASSERT_EQ(str(subscribe(visitor, other_tab, cid), "op"), "subscribed");
    ASSERT_EQ(str(subscribe(op, staff, cid), "op"), "subscribed");
    ASSERT_EQ(str(subscribe(other_op, other_staff, cid), "op"), "subscribed");
    ASSERT_EQ(str(subscribe(bot, integration, cid), "op"), "subscribed");

    created_id(create(op, staff, cid, "note", "n-1", {{"body", "vip"}}));
    created_id(create(bot, integration, cid, "note", "n-2"));
    // Every staff connection but the author's gets each note.
    EXPECT_EQ(other_staff->with_op("part").size(), 2u);
    EXPECT_EQ(staff->with_op("part").size(), 1u);
    EXPECT_EQ(integration->with_op("part").size(), 1u);
    for (auto const& f : other_staff->with_op("part"))
        EXPECT_EQ(str(obj(f, "part"), "type"), "note");
    EXPECT_TRUE(tab->with_op("part").empty());
    EXPECT_TRUE(other_tab->with_op("part").empty());
}

TEST_F(hub_visibility_test, reply_admin_reaches_every_visitor_connection) {
    auto const tab = connect();
    auto const cid = start(visitor, tab, "s-1");
    auto const other_tab = connect();
    ASSERT_EQ(str(subscribe(visitor, other_tab, cid), "op"), "subscribed");
    auto const id =
        created_id(create(op, connect(), cid, "reply_admin", "a-1", {{"body", "hello"}}));
    for (auto const& conn : {tab, other_tab}) {
        auto const parts = conn->with_op("part");
        ASSERT_EQ(parts.size(), 1u);
        EXPECT_EQ(num(obj(parts[0], "part"), "id"), id);
        EXPECT_EQ(str(obj(parts[0], "part"), "type"), "reply_admin");
    }
}

TEST_F(hub_visibility_test, each_role_creates_only_its_own_part_types) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    for (std::string type : {"note", "reply_admin", "article", "auto_reply", "assigned"}) {
        auto const reply = create(visitor, conn, cid, type, "x-" + type);
        EXPECT_EQ(str(reply, "code"), "forbidden") << type;
        EXPECT_EQ(str(reply, "random_id"), "x-" + type) << type;
    }
    auto const staff = connect();
    EXPECT_EQ(str(create(op, staff, cid, "reply_user", "x-op"), "code"), "forbidden");
    auto const bot_part = created_id(create(bot, connect(), cid, "chat_bot_admin", "b-1"));
    EXPECT_EQ(str(create(bot, connect(), cid, "shout", "b-2"), "code"), "bad_request");

    // Nothing refused was stored: replaying everything finds the bot's part alone.
    auto const got = send(op, staff, {{"op", "subscribe"}, {"conversation", cid}, {"after", 0}});
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(num(obj(got[0], "part"), "id"), bot_part);
    EXPECT_EQ(num(got[1], "replayed"), 1u);
}

TEST_F(hub_visibility_test, another_visitors_conversation_is_forbidden) {
    auto const cid = start(visitor, connect(), "s-1");
    auto const conn = connect();
    EXPECT_EQ(str(subscribe(other_visitor, conn, cid), "code"), "forbidden");
    auto const reply = create(other_visitor, conn, cid, "reply_user", "r-1");
    EXPECT_EQ(str(reply, "code"), "forbidden");
    EXPECT_EQ(str(reply, "random_id"), "r-1");
}

TEST_F(hub_visibility_test, another_sites_conversation_is_not_found) {
    auto const cid = start(visitor, connect(), "s-1");
    auto const conn = connect();
    EXPECT_EQ(str(subscribe(foreign_op, conn, cid), "code"), "not_found");
    EXPECT_EQ(str(create(foreign_op, conn, cid, "reply_admin", "a-1"), "code"), "not_found");
    EXPECT_EQ(str(subscribe(op, conn, cid + 1000), "code"), "not_found");
}

TEST_F(hub_visibility_test, operator_departments_limit_access) {
    auto const conn = connect();
    auto const support = start(visitor, conn, "s-1", {{"department", "support"}});
    auto const sales = start(visitor, conn, "s-2", {{"department", "sales"}});
    auto const none = start(visitor, conn, "s-3");
    auto const staff = connect();
    EXPECT_EQ(str(subscribe(sales_op, staff, support), "code"), "forbidden");
    EXPECT_EQ(str(create(sales_op, staff, support, "reply_admin", "a-1"), "code"), "forbidden");
    EXPECT_EQ(str(subscribe(sales_op, staff, sales), "op"), "subscribed");
    EXPECT_EQ(str(subscribe(sales_op, staff, none), "op"), "subscribed");
    created_id(create(sales_op, staff, sales, "reply_admin", "a-2"));
    created_id(create(sales_op, staff, none, "reply_admin", "a-3"));
}

TEST_F(hub_visibility_test, operator_inbox_holds_only_its_departments) {
    auto const inbox = connect();
    ASSERT_EQ(str(subscribe_inbox(sales_op, inbox, true), "op"), "subscribed");
    auto const conn = connect();
    auto const support = start(visitor, conn, "s-1", {{"department", "support"}});
    auto const sales = start(visitor, conn, "s-2", {{"department", "sales"}});
    created_id(create(visitor, conn, support, "reply_user", "r-1"));
    auto const part = created_id(create(visitor, conn, sales, "reply_user", "r-2"));
    for (auto const& f : inbox->with_op("conversation"))
        EXPECT_EQ(num(obj(f, "conversation"), "id"), sales);
    EXPECT_EQ(inbox->with_op("event").size(), 1u);
    auto const parts = inbox->with_op("part");
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(num(obj(parts[0], "part"), "id"), part);
}

TEST_F(hub_visibility_test, inbox_with_parts_gets_every_part_of_its_site) {
    auto const inbox = connect();
    auto const foreign = connect();
    ASSERT_EQ(str(subscribe_inbox(op, inbox, true), "parts"), "true");
    ASSERT_EQ(str(subscribe_inbox(foreign_op, foreign, true), "op"), "subscribed");
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const mine = created_id(create(visitor, conn, cid, "reply_user", "r-1"));
    auto const note = created_id(create(other_op, connect(), cid, "note", "n-1"));
    auto const parts = inbox->with_op("part");
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(num(obj(parts[0], "part"), "id"), mine);
    EXPECT_EQ(num(obj(parts[1], "part"), "id"), note);
    EXPECT_EQ(foreign->size(), 1u) << "nothing crosses sites";
    // The author's own inbox connection gets part.created instead, never both.
    auto const before = inbox->size();
    created_id(create(op, inbox, cid, "reply_admin", "a-1"));
    EXPECT_EQ(inbox->with_op("part").size(), 2u);
    EXPECT_EQ(inbox->with_op("part.created", before).size(), 1u);
}

TEST_F(hub_visibility_test, conversation_and_inbox_subscriber_gets_each_part_once) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const staff = connect();
    ASSERT_EQ(str(subscribe(op, staff, cid), "op"), "subscribed");
    ASSERT_EQ(str(subscribe_inbox(op, staff, true), "op"), "subscribed");
    created_id(create(visitor, conn, cid, "reply_user", "r-1"));
    created_id(create(other_op, connect(), cid, "note", "n-1"));
    EXPECT_EQ(staff->with_op("part").size(), 2u);
}

TEST_F(hub_visibility_test, inbox_without_parts_gets_no_parts) {
    auto const inbox = connect();
    ASSERT_EQ(str(subscribe_inbox(op, inbox, false), "parts"), "false");
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const updates = inbox->with_op("conversation").size();
    created_id(create(visitor, conn, cid, "reply_user", "r-1"));
    EXPECT_GT(inbox->with_op("conversation").size(), updates) << "the inbox is live";
    EXPECT_TRUE(inbox->with_op("part").empty());
}

TEST_F(hub_visibility_test, visitor_may_not_subscribe_to_the_inbox) {
    EXPECT_EQ(str(subscribe_inbox(visitor, connect(), false), "code"), "forbidden");
}

TEST_F(hub_visibility_test, replay_after_sends_missed_parts_in_order_then_subscribed) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const ids = five_parts(cid, conn);
    auto const got =
        send(op, connect(), {{"op", "subscribe"}, {"conversation", cid}, {"after", ids[0]}});
    ASSERT_EQ(got.size(), 5u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(str(got[i], "op"), "part");
        EXPECT_EQ(num(obj(got[i], "part"), "id"), ids[i + 1]) << i;
        EXPECT_LT(ids[i], ids[i + 1]);
    }
    EXPECT_EQ(str(got[4], "op"), "subscribed");
    EXPECT_EQ(num(got[4], "replayed"), 4u);
    EXPECT_EQ(num(got[4], "last_id"), ids[4]);
    EXPECT_EQ(str(got[4], "recovered"), "true");
    EXPECT_EQ(num(obj(got[4], "conversation"), "id"), cid);
}

TEST_F(hub_visibility_test, visitor_replay_holds_only_visible_parts) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const ids = five_parts(cid, conn);
    auto const got =
        send(visitor, connect(), {{"op", "subscribe"}, {"conversation", cid}, {"after", 0}});
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(num(obj(got[0], "part"), "id"), ids[0]);
    EXPECT_EQ(num(obj(got[1], "part"), "id"), ids[1]);
    EXPECT_EQ(num(obj(got[2], "part"), "id"), ids[3]);
    EXPECT_EQ(str(got[3], "op"), "subscribed");
    EXPECT_EQ(num(got[3], "replayed"), 3u);
    EXPECT_EQ(num(got[3], "last_id"), ids[3]) << "the highest id the visitor may see";
    EXPECT_FALSE(obj(got[3], "conversation").contains("tags"));
}

TEST_F(hub_visibility_test, another_epoch_replays_from_the_beginning) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const ids = five_parts(cid, conn);
    auto const same = send(
        op, connect(),
        {{"op", "subscribe"}, {"conversation", cid}, {"after", ids[2]}, {"epoch", store->epoch()}});
    ASSERT_FALSE(same.empty());
    EXPECT_EQ(num(same.back(), "replayed"), 2u);
    EXPECT_EQ(str(same.back(), "recovered"), "true");

    auto const got = send(
        op, connect(),
        {{"op", "subscribe"}, {"conversation", cid}, {"after", ids[2]}, {"epoch", "not-this-one"}});
    ASSERT_EQ(got.size(), 6u);
    for (std::size_t i = 0; i < 5; ++i)
        EXPECT_EQ(num(obj(got[i], "part"), "id"), ids[i]) << i;
    EXPECT_EQ(num(got[5], "replayed"), 5u);
    EXPECT_EQ(str(got[5], "recovered"), "false");
}

TEST_F(hub_visibility_test, subscribe_without_after_replays_nothing) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const ids = five_parts(cid, conn);
    auto const staff = connect();
    auto const got = send(op, staff, {{"op", "subscribe"}, {"conversation", cid}});
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(str(got[0], "op"), "subscribed");
    EXPECT_EQ(num(got[0], "replayed"), 0u);
    EXPECT_EQ(num(got[0], "last_id"), ids[4]);
    // Live from here on.
    auto const next = created_id(create(visitor, conn, cid, "reply_user", "r-6"));
    auto const parts = staff->with_op("part");
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(num(obj(parts[0], "part"), "id"), next);
}

TEST_F(hub_visibility_test, part_stored_but_not_yet_announced_during_a_replay_arrives_once) {
    gate = std::make_unique<gated_log>(*pipeline);
    relay = std::make_unique<hub>(*store, *gate, limits, store->epoch(), metrics);
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    gate->set_open(false);
    json::object const create{
        {"op", "part.create"}, {"conversation", cid}, {"type", "reply_user"}, {"random_id", "r-1"}};
    relay->handle({visitor, conn}, protocol::parse_command(json::serialize(create)).value());
    ASSERT_TRUE(gate->wait_held(1)); // in the store; its completion has not run
    auto const reader = connect();
    json::object const subscribe{{"op", "subscribe"}, {"conversation", cid}, {"after", 0}};
    relay->handle({op, reader}, protocol::parse_command(json::serialize(subscribe)).value());
    gate->set_open(true);
    pipeline->drain();
    ASSERT_TRUE(reader->wait_for(2));
    EXPECT_EQ(reader->with_op("part").size(), 1u);
    EXPECT_EQ(str(reader->since().back(), "op"), "subscribed");
}

TEST_F(hub_visibility_test, start_retry_racing_the_commit_subscribes_its_connection) {
    if (false) GTEST_SKIP() << "BUG: a conversation.start retry that waits for the original's commit "
                    "is answered but not subscribed (src/relay/conversations.cpp:91-93, 175-176)";
    gate = std::make_unique<gated_log>(*pipeline);
    relay = std::make_unique<hub>(*store, *gate, limits, store->epoch(), metrics);
    auto const first = connect();
    auto const retry = connect();
    json::object const command{{"op", "conversation.start"}, {"random_id", "s-1"}};
    gate->set_open(false);
    relay->handle({visitor, first}, protocol::parse_command(json::serialize(command)).value());
    ASSERT_TRUE(gate->wait_held(1)); // stored, not yet answered
    relay->handle({visitor, retry}, protocol::parse_command(json::serialize(command)).value());
    gate->set_open(true);
    pipeline->drain();
    ASSERT_TRUE(retry->wait_for(1));
    auto const started = retry->with_op("conversation.started");
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(str(started[0], "duplicate"), "true");
    auto const cid = num(obj(started[0], "conversation"), "id");
    created_id(create(op, connect(), cid, "reply_admin", "a-1"));
    EXPECT_EQ(retry->with_op("part").size(), 1u) << "conversation.start subscribes this connection";
}

TEST_F(hub_visibility_test, replay_racing_live_parts_misses_nothing_and_repeats_nothing) {
    auto const writer = connect();
    auto const cid = start(visitor, writer, "s-1");
    constexpr int total = 300;
    std::atomic<int> sent{0};
    std::thread producer([&] {
        for (int i = 0; i < total; ++i) {
            json::object const command{{"op", "part.create"},
                                       {"conversation", cid},
                                       {"type", "reply_user"},
                                       {"random_id", "r-" + std::to_string(i)}};
            relay->handle({visitor, writer},
                          protocol::parse_command(json::serialize(command)).value());
            sent.fetch_add(1);
        }
    });
    while (sent.load() < total / 3)
        std::this_thread::yield();
    // Subscribes while parts are being committed: replay and live overlap.
    auto const reader = connect();
    json::object const command{{"op", "subscribe"}, {"conversation", cid}, {"after", 0}};
    relay->handle({op, reader}, protocol::parse_command(json::serialize(command)).value());
    producer.join();
    pipeline->drain();
    ASSERT_TRUE(writer->wait_for(1 + total));
    ASSERT_TRUE(reader->wait_for(1 + total));

    std::vector<std::uint64_t> created, seen;
    for (auto const& f : writer->with_op("part.created"))
        created.push_back(num(obj(f, "part"), "id"));
    for (auto const& f : reader->with_op("part"))
        seen.push_back(num(obj(f, "part"), "id"));
    ASSERT_EQ(created.size(), static_cast<std::size_t>(total));
    EXPECT_EQ(seen, created) << "every part once, in id order";
    EXPECT_EQ(reader->with_op("subscribed").size(), 1u);
}

} // namespace
} // namespace parley::relay
