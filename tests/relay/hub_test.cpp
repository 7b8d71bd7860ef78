// The relay hub without sockets (SPEC §3, §4): conversation.start, part.create,
// idempotency across a restart, limits, and the end of deliveries. Visibility, access,
// inbox and replay are in hub_visibility_test.cpp.

#include "hub_fixture.hpp"

namespace parley::relay {
namespace {

class hub_test : public hub_fixture {
protected:
    void SetUp() override {
        limits.max_body_chars = 10;
        open();
    }
};

TEST_F(hub_test, visitor_start_replies_once_and_announces_to_the_inbox) {
    auto const inbox = connect();
    EXPECT_EQ(str(ask(op, inbox, {{"op", "subscribe"}, {"inbox", true}}), "op"), "subscribed");
    auto const conn = connect();
    auto const got = send(visitor, conn, {{"op", "conversation.start"}, {"random_id", "s-1"}});
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(str(got[0], "op"), "conversation.started");
    EXPECT_EQ(str(got[0], "random_id"), "s-1");
    EXPECT_FALSE(got[0].contains("duplicate"));
    auto const c = obj(got[0], "conversation");
    EXPECT_GT(num(c, "id"), 0u);
    EXPECT_EQ(str(c, "status"), "queued");
    EXPECT_EQ(str(obj(c, "visitor"), "id"), "v-1");
    EXPECT_FALSE(c.contains("tags")) << "visitors do not see tags";

    auto const announced = inbox->with_op("conversation");
    ASSERT_EQ(announced.size(), 1u);
    EXPECT_EQ(num(obj(announced[0], "conversation"), "id"), num(c, "id"));
    EXPECT_TRUE(obj(announced[0], "conversation").contains("tags")) << "staff see tags";
    auto const events = inbox->with_op("event");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(str(obj(events[0], "event"), "event_type"), "visitor-chat-open");
    EXPECT_EQ(num(obj(events[0], "event"), "conversation"), num(c, "id"));
}

TEST_F(hub_test, bot_starter_on_the_inbox_gets_each_event_once) {
    auto const conn = connect();
    ASSERT_EQ(str(ask(bot, conn, {{"op", "subscribe"}, {"inbox", true}}), "op"), "subscribed");
    auto const cid = start(bot, conn, "s-1", {{"visitor", {{"id", "v-1"}}}});
    EXPECT_EQ(conn->with_op("event").size(), 1u);
    ASSERT_EQ(conn->with_op("conversation").size(), 1u);
    EXPECT_EQ(num(obj(conn->with_op("conversation")[0], "conversation"), "id"), cid);
}

TEST_F(hub_test, operator_may_not_start_a_conversation) {
    auto const conn = connect();
    auto const reply = ask(op, conn, {{"op", "conversation.start"}, {"random_id", "s-1"}});
    EXPECT_EQ(str(reply, "op"), "error");
    EXPECT_EQ(str(reply, "code"), "forbidden");
}

TEST_F(hub_test, bot_start_without_a_visitor_is_bad_request) {
    auto const conn = connect();
    auto const reply = ask(bot, conn, {{"op", "conversation.start"}, {"random_id", "s-1"}});
    EXPECT_EQ(str(reply, "op"), "error");
    EXPECT_EQ(str(reply, "code"), "bad_request");
}

TEST_F(hub_test, bot_start_speaks_for_the_named_visitor) {
    auto const conn = connect();
    auto const reply = ask(bot, conn,
                           {{"op", "conversation.start"},
                            {"random_id", "s-1"},
                            {"visitor", {{"id", "v-1"}, {"name", "Anna"}}}});
    ASSERT_EQ(str(reply, "op"), "conversation.started") << json::serialize(reply);
    auto const c = obj(reply, "conversation");
    EXPECT_EQ(str(obj(c, "visitor"), "id"), "v-1");
    EXPECT_EQ(str(obj(c, "visitor"), "name"), "Anna");
    // The conversation is that visitor's own: they may subscribe, another may not.
    EXPECT_EQ(str(subscribe(visitor, connect(), num(c, "id")), "op"), "subscribed");
    EXPECT_EQ(str(subscribe(other_visitor, connect(), num(c, "id")), "code"), "forbidden");
}

TEST_F(hub_test, part_create_acks_the_sender_and_broadcasts_to_the_others) {
    auto const tab = connect();
    auto const cid = start(visitor, tab, "s-1");
    auto const other_tab = connect();
    auto const staff = connect();
    ASSERT_EQ(str(subscribe(visitor, other_tab, cid), "op"), "subscribed");
    ASSERT_EQ(str(subscribe(op, staff, cid), "op"), "subscribed");

    auto const got = send(visitor, tab,
                          {{"op", "part.create"},
                           {"conversation", cid},
                           {"type", "reply_user"},
                           {"random_id", "r-1"},
                           {"body", "hi"}});
    ASSERT_EQ(got.size(), 1u) << "the sender gets part.created and nothing else";
    EXPECT_EQ(str(got[0], "op"), "part.created");
    auto const part = obj(got[0], "part");
    EXPECT_EQ(str(part, "random_id"), "r-1");
    EXPECT_GT(num(part, "id"), 0u);
    EXPECT_EQ(str(part, "body"), "hi");

    for (auto const& conn : {staff, other_tab}) {
        auto const parts = conn->with_op("part");
        ASSERT_EQ(parts.size(), 1u);
        EXPECT_EQ(num(obj(parts[0], "part"), "id"), num(part, "id"));
        EXPECT_FALSE(obj(parts[0], "part").contains("random_id"));
        EXPECT_TRUE(conn->with_op("part.created").empty());
    }
}

TEST_F(hub_test, same_random_id_twice_is_a_duplicate_broadcast_once) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const staff = connect();
    ASSERT_EQ(str(subscribe(op, staff, cid), "op"), "subscribed");
    auto const first = create(visitor, conn, cid, "reply_user", "r-1", {{"body", "hi"}});
    EXPECT_FALSE(first.contains("duplicate"));
    auto const second = create(visitor, conn, cid, "reply_user", "r-1", {{"body", "hi"}});
    EXPECT_EQ(created_id(second), created_id(first));
    EXPECT_EQ(str(second, "duplicate"), "true");
    EXPECT_EQ(str(obj(second, "part"), "random_id"), "r-1");
    EXPECT_EQ(staff->with_op("part").size(), 1u);
}

TEST_F(hub_test, retry_racing_the_commit_is_a_duplicate_too) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const retry = connect();
    json::object const command{
        {"op", "part.create"}, {"conversation", cid}, {"type", "reply_user"}, {"random_id", "r-1"}};
    // No drain between the two: the retry may find the original still being committed.
    relay->handle({visitor, conn}, protocol::parse_command(json::serialize(command)).value());
    relay->handle({visitor, retry}, protocol::parse_command(json::serialize(command)).value());
    pipeline->drain();
    ASSERT_TRUE(conn->wait_for(2));
    ASSERT_TRUE(retry->wait_for(1));
    auto const original = conn->with_op("part.created");
    auto const repeat = retry->with_op("part.created");
    ASSERT_EQ(original.size(), 1u);
    ASSERT_EQ(repeat.size(), 1u);
    EXPECT_EQ(num(obj(repeat[0], "part"), "id"), num(obj(original[0], "part"), "id"));
    EXPECT_EQ(str(repeat[0], "duplicate"), "true");
}

TEST_F(hub_test, same_random_id_past_the_idempotency_window_is_a_new_part) {
    limits.idempotency_window_s = 1;
    relay = std::make_unique<hub>(*store, *pipeline, limits, store->epoch(), metrics);
    auto mine = connect();
    auto const cid = start(visitor, mine, "s-window");
    auto const first = created_id(create(visitor, mine, cid, "reply_user", "reused", {{"body", "one"}}));
    EXPECT_EQ(created_id(create(visitor, mine, cid, "reply_user", "reused", {{"body", "one"}})), first) << "within the window";
    std::this_thread::sleep_for(1100ms);
    auto const later = create(visitor, mine, cid, "reply_user", "reused", {{"body", "two"}});
    EXPECT_GT(created_id(later), first) << json::serialize(later);
    EXPECT_FALSE(obj(later, "part").contains("duplicate") || later.contains("duplicate")) << json::serialize(later);
}

TEST_F(hub_test, same_random_id_from_another_actor_creates_a_new_part) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const staff = connect();
    auto const mine = created_id(create(visitor, conn, cid, "reply_user", "r-1"));
    auto const reply = create(op, staff, cid, "reply_admin", "r-1");
    EXPECT_NE(created_id(reply), mine);
    EXPECT_FALSE(reply.contains("duplicate"));
}

TEST_F(hub_test, repeated_conversation_start_is_a_duplicate) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const again = ask(visitor, conn, {{"op", "conversation.start"}, {"random_id", "s-1"}});
    EXPECT_EQ(str(again, "op"), "conversation.started");
    EXPECT_EQ(num(obj(again, "conversation"), "id"), cid);
    EXPECT_EQ(str(again, "duplicate"), "true");
    EXPECT_NE(start(visitor, conn, "s-2"), cid) << "another random_id is another conversation";
}

TEST_F(hub_test, repeated_start_on_a_new_connection_subscribes_it) {
    auto const dropped = connect();
    auto const cid = start(visitor, dropped, "s-1");
    relay->forget(dropped.get());
    // The client reconnects and retries, as SPEC §3.3 says it safely may.
    auto const retry = connect();
    EXPECT_EQ(start(visitor, retry, "s-1"), cid);
    create(op, connect(), cid, "reply_admin", "a-1");
    EXPECT_EQ(retry->with_op("part").size(), 1u) << "conversation.start subscribes this connection";
}

TEST_F(hub_test, restart_keeps_duplicates_and_ids_keep_growing) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const part = created_id(create(visitor, conn, cid, "reply_user", "r-1"));
    ASSERT_NO_FATAL_FAILURE(restart());

    auto const after = connect();
    auto const repeat = create(visitor, after, cid, "reply_user", "r-1");
    EXPECT_EQ(created_id(repeat), part);
    EXPECT_EQ(str(repeat, "duplicate"), "true");
    auto const restarted =
        ask(visitor, after, {{"op", "conversation.start"}, {"random_id", "s-1"}});
    EXPECT_EQ(num(obj(restarted, "conversation"), "id"), cid);
    EXPECT_EQ(str(restarted, "duplicate"), "true");

    auto const fresh = create(visitor, after, cid, "reply_user", "r-2");
    EXPECT_GT(created_id(fresh), part);
    EXPECT_FALSE(fresh.contains("duplicate"));
    EXPECT_GT(start(visitor, after, "s-2"), cid);
}

TEST_F(hub_test, restart_restores_the_aggregate_exactly) {
    auto const mine = connect();
    auto const staff = connect();
    auto const cid = start(visitor, mine, "s-1");
    created_id(create(visitor, mine, cid, "reply_user", "r-1"));
    created_id(create(op, staff, cid, "reply_admin", "r-2")); // adds an employee: whole record
    EXPECT_EQ(str(ask(visitor, mine, {{"op", "read"}, {"conversation", cid}, {"up_to", 2}}), "op"), "ok");
    created_id(create(visitor, mine, cid, "reply_user", "r-3")); // counters only, from here on
    created_id(create(visitor, mine, cid, "vote", "r-4", {{"meta_data", {{"rating", 5}}}}));
    created_id(create(op, staff, cid, "note", "r-5"));
    auto const before = relay->conversation_for(op, cid);
    ASSERT_TRUE(before);
    EXPECT_EQ(before->message_count, 3u);
    ASSERT_NO_FATAL_FAILURE(restart());
    auto const after = relay->conversation_for(op, cid);
    ASSERT_TRUE(after);
    EXPECT_EQ(protocol::to_stored(*after), protocol::to_stored(*before));
}

TEST_F(hub_test, body_limit_counts_code_points) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    // limits.max_body_chars is 10: ten two-byte letters fit, eleven do not.
    created_id(create(visitor, conn, cid, "reply_user", "r-10", {{"body", "абвгдежзий"}}));
    auto const reply = create(visitor, conn, cid, "reply_user", "r-11", {{"body", "абвгдежзийк"}});
    EXPECT_EQ(str(reply, "code"), "too_large");
    EXPECT_EQ(str(reply, "random_id"), "r-11");
}

TEST_F(hub_test, vote_needs_a_rating_from_1_to_5) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    EXPECT_EQ(str(create(visitor, conn, cid, "vote", "v-a"), "code"), "bad_request");
    for (int rating : {0, 6})
        EXPECT_EQ(str(create(visitor, conn, cid, "vote", "v-" + std::to_string(rating),
                             {{"meta_data", {{"rating", rating}}}}),
                      "code"),
                  "bad_request")
            << rating;
}

TEST_F(hub_test, vote_sets_the_rating_the_inbox_sees) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const inbox = connect();
    ASSERT_EQ(str(ask(op, inbox, {{"op", "subscribe"}, {"inbox", true}}), "op"), "subscribed");
    auto const before = inbox->size();
    created_id(create(visitor, conn, cid, "vote", "v-1", {{"meta_data", {{"rating", 4}}}}));
    auto const updates = inbox->with_op("conversation", before);
    ASSERT_FALSE(updates.empty());
    EXPECT_EQ(str(obj(updates.front(), "conversation"), "rating"), "4");
}

TEST_F(hub_test, unsubscribe_stops_deliveries) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const staff = connect();
    auto const inbox = connect();
    ASSERT_EQ(str(subscribe(op, staff, cid), "op"), "subscribed");
    ASSERT_EQ(str(ask(op, inbox, {{"op", "subscribe"}, {"inbox", true}, {"parts", true}}), "op"),
              "subscribed");
    created_id(create(visitor, conn, cid, "reply_user", "r-1"));
    ASSERT_EQ(staff->with_op("part").size(), 1u);
    ASSERT_EQ(inbox->with_op("part").size(), 1u);

    EXPECT_EQ(str(ask(op, staff, {{"op", "unsubscribe"}, {"conversation", cid}}), "op"), "ok");
    EXPECT_EQ(str(ask(op, inbox, {{"op", "unsubscribe"}, {"inbox", true}}), "op"), "ok");
    auto const inbox_before = inbox->size();
    created_id(create(visitor, conn, cid, "reply_user", "r-2"));
    EXPECT_EQ(staff->with_op("part").size(), 1u);
    EXPECT_EQ(inbox->size(), inbox_before) << "no parts, no conversation updates";
}

TEST_F(hub_test, forget_stops_deliveries) {
    auto const conn = connect();
    auto const cid = start(visitor, conn, "s-1");
    auto const tab = connect();
    auto const staff = connect();
    ASSERT_EQ(str(subscribe(visitor, tab, cid), "op"), "subscribed");
    ASSERT_EQ(str(subscribe(op, staff, cid), "op"), "subscribed");
    ASSERT_EQ(str(ask(op, staff, {{"op", "subscribe"}, {"inbox", true}, {"parts", true}}), "op"),
              "subscribed");
    created_id(create(visitor, conn, cid, "reply_user", "r-1"));
    ASSERT_EQ(tab->with_op("part").size(), 1u);
    ASSERT_EQ(staff->with_op("part").size(), 1u);

    relay->forget(tab.get());
    relay->forget(staff.get());
    auto const tab_before = tab->size();
    auto const staff_before = staff->size();
    created_id(create(visitor, conn, cid, "reply_user", "r-2"));
    EXPECT_EQ(tab->size(), tab_before);
    EXPECT_EQ(staff->size(), staff_before);
}

} // namespace
} // namespace parley::relay
