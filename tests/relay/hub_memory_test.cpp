// The relay's memory stays bounded (limits.conversations_in_memory): idle conversations
// leave memory and come back from the store unchanged, with their idempotency keys.

#include "hub_fixture.hpp"

namespace parley::relay {
namespace {

class hub_memory_test : public hub_fixture {
protected:
    void SetUp() override {
        limits.conversations_in_memory = 16;
        open();
    }
};

TEST_F(hub_memory_test, idle_conversations_leave_memory_and_come_back_whole) {
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < 100; ++i) {
        auto const conn = connect();
        auto const id = start(visitor, conn, "start-" + std::to_string(i));
        ASSERT_EQ(str(create(visitor, conn, id, "reply_user", "first-" + std::to_string(i), {{"body", "hello"}}), "op"),
                  "part.created");
        ids.push_back(id);
        relay->forget(conn.get()); // the tab closed
    }
    EXPECT_LE(relay->conversations_in_memory(), 16u);

    // The first one was dropped long ago: everything is still there.
    auto const conn = connect();
    auto const again = ask(visitor, conn, {{"op", "subscribe"}, {"conversation", ids.front()}, {"after", 0}});
    EXPECT_EQ(str(again, "op"), "subscribed");
    EXPECT_EQ(num(again, "replayed"), 1u);
    ASSERT_EQ(conn->with_op("part").size(), 1u);
    EXPECT_EQ(str(obj(conn->with_op("part").front(), "part"), "body"), "hello");
    EXPECT_EQ(num(obj(again, "conversation"), "message_count"), 1u);
    // A retry of its part is still recognised, from the store's idempotency family.
    auto const retry = create(visitor, conn, ids.front(), "reply_user", "first-0", {{"body", "hello"}});
    EXPECT_EQ(str(retry, "op"), "part.created");
    EXPECT_TRUE(retry.contains("duplicate")) << json::serialize(retry);
    // And it takes new parts with ids above everything before.
    auto const fresh = create(visitor, conn, ids.front(), "reply_user", "later", {{"body", "again"}});
    EXPECT_GT(created_id(fresh), created_id(retry));
}

TEST_F(hub_memory_test, subscribed_conversations_stay_in_memory) {
    std::vector<connection> open_tabs;
    for (int i = 0; i < 40; ++i) {
        open_tabs.push_back(connect());
        start(visitor, open_tabs.back(), "kept-" + std::to_string(i));
    }
    // All 40 have a subscriber (their starter): none may go, whatever the limit.
    EXPECT_EQ(relay->conversations_in_memory(), 40u);
    for (auto const& c : open_tabs) relay->forget(c.get());
    auto const one_more = connect();
    start(visitor, one_more, "the-one-that-trims");
    EXPECT_LE(relay->conversations_in_memory(), 16u);
}

} // namespace
} // namespace parley::relay
