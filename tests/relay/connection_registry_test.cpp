#include <parley/relay/connection_registry.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace parley::relay {
namespace {

using admission = connection_registry::admission;

/// A connection without a socket: records what the relay asked of it.
class fake_subscriber : public subscriber {
public:
    void deliver(std::shared_ptr<std::string const> frame) override {
        delivered.push_back(std::move(frame));
    }
    void disconnect(close_reason why) override { disconnects.push_back(why); }

    std::vector<std::shared_ptr<std::string const>> delivered;
    std::vector<close_reason> disconnects;
};

auth::actor make_actor(std::string site, auth::role role, std::string id) {
    auth::actor a;
    a.site = std::move(site);
    a.role = role;
    a.id = std::move(id);
    return a;
}

auth::actor const visitor = make_actor("shop", auth::role::visitor, "v-1");

TEST(connection_registry, caps_connections_per_actor) {
    connection_registry registry(2);
    auto const a = std::make_shared<fake_subscriber>();
    auto const b = std::make_shared<fake_subscriber>();
    auto const c = std::make_shared<fake_subscriber>();
    EXPECT_EQ(registry.add(visitor, a), admission::admitted);
    EXPECT_EQ(registry.add(visitor, b), admission::admitted);
    EXPECT_EQ(registry.add(visitor, c), admission::over_limit);
    EXPECT_EQ(registry.count(visitor), 2u);
    EXPECT_EQ(registry.size(), 2u);
    // The refused connection was not registered: shutdown does not reach it.
    registry.close_all(close_reason::going_away);
    EXPECT_TRUE(c->disconnects.empty());
}

TEST(connection_registry, same_actor_whatever_the_name_or_departments) {
    connection_registry registry(1);
    auto const first = std::make_shared<fake_subscriber>();
    auto const second = std::make_shared<fake_subscriber>();
    auto renamed = visitor;
    renamed.name = "Someone else";
    renamed.departments = std::vector<std::string>{"sales"};
    EXPECT_EQ(registry.add(visitor, first), admission::admitted);
    EXPECT_EQ(registry.add(renamed, second), admission::over_limit);
}

TEST(connection_registry, role_site_and_id_are_counted_separately) {
    connection_registry registry(1);
    std::vector<auth::actor> const actors = {
        visitor,
        make_actor("shop", auth::role::operator_, "v-1"),
        make_actor("shop", auth::role::bot, "v-1"),
        make_actor("other", auth::role::visitor, "v-1"),
        make_actor("shop", auth::role::visitor, "v-2"),
        // The parts must not run together: these two would both read "shopvisitorvisitorv-1".
        make_actor("shop", auth::role::visitor, "visitorv-1"),
        make_actor("shopvisitor", auth::role::visitor, "v-1"),
    };
    std::vector<std::shared_ptr<fake_subscriber>> subs;
    for (auto const& who : actors) {
        subs.push_back(std::make_shared<fake_subscriber>());
        EXPECT_EQ(registry.add(who, subs.back()), admission::admitted) << who.site << "/" << who.id;
    }
    EXPECT_EQ(registry.size(), actors.size());
    for (auto const& who : actors)
        EXPECT_EQ(registry.count(who), 1u);
    EXPECT_EQ(registry.add(visitor, std::make_shared<fake_subscriber>()), admission::over_limit);
}

TEST(connection_registry, remove_frees_a_slot) {
    connection_registry registry(1);
    auto const a = std::make_shared<fake_subscriber>();
    auto const b = std::make_shared<fake_subscriber>();
    ASSERT_EQ(registry.add(visitor, a), admission::admitted);
    ASSERT_EQ(registry.add(visitor, b), admission::over_limit);
    registry.remove(visitor, a.get());
    EXPECT_EQ(registry.count(visitor), 0u);
    EXPECT_EQ(registry.size(), 0u);
    EXPECT_EQ(registry.add(visitor, b), admission::admitted);
}

TEST(connection_registry, remove_removes_only_that_connection) {
    connection_registry registry(5);
    auto const a = std::make_shared<fake_subscriber>();
    auto const b = std::make_shared<fake_subscriber>();
    ASSERT_EQ(registry.add(visitor, a), admission::admitted);
    ASSERT_EQ(registry.add(visitor, b), admission::admitted);
    registry.remove(visitor, a.get());
    EXPECT_EQ(registry.count(visitor), 1u);
    registry.close_all(close_reason::going_away);
    EXPECT_TRUE(a->disconnects.empty());
    EXPECT_EQ(b->disconnects.size(), 1u);
}

TEST(connection_registry, remove_works_after_the_connection_is_gone) {
    // The transport removes itself from its destructor, when weak_ptrs have expired.
    connection_registry registry(1);
    auto a = std::make_shared<fake_subscriber>();
    subscriber const* address = a.get();
    ASSERT_EQ(registry.add(visitor, a), admission::admitted);
    a.reset();
    registry.remove(visitor, address);
    EXPECT_EQ(registry.size(), 0u);
    EXPECT_EQ(registry.add(visitor, std::make_shared<fake_subscriber>()), admission::admitted);
}

TEST(connection_registry, remove_of_unknown_is_harmless) {
    connection_registry registry(2);
    auto const a = std::make_shared<fake_subscriber>();
    auto const stranger = std::make_shared<fake_subscriber>();
    ASSERT_EQ(registry.add(visitor, a), admission::admitted);
    registry.remove(visitor, stranger.get());
    registry.remove(make_actor("shop", auth::role::operator_, "v-1"), a.get()); // wrong actor
    registry.remove(make_actor("nowhere", auth::role::bot, "x"), nullptr);
    EXPECT_EQ(registry.size(), 1u);
    EXPECT_EQ(registry.count(visitor), 1u);
    registry.remove(visitor, a.get());
    registry.remove(visitor, a.get()); // twice
    EXPECT_EQ(registry.size(), 0u);
}

TEST(connection_registry, close_all_reaches_every_live_subscriber) {
    connection_registry registry(4);
    auto const a = std::make_shared<fake_subscriber>();
    auto const b = std::make_shared<fake_subscriber>();
    auto const c = std::make_shared<fake_subscriber>();
    ASSERT_EQ(registry.add(visitor, a), admission::admitted);
    ASSERT_EQ(registry.add(visitor, b), admission::admitted);
    ASSERT_EQ(registry.add(make_actor("other", auth::role::bot, "bot"), c), admission::admitted);
    registry.close_all(close_reason::going_away);
    for (auto const& s : {a, b, c}) {
        ASSERT_EQ(s->disconnects.size(), 1u);
        EXPECT_EQ(s->disconnects[0], close_reason::going_away);
        EXPECT_TRUE(s->delivered.empty());
    }
    // close_all asks; the connections remove themselves when they have closed.
    EXPECT_EQ(registry.size(), 3u);
}

TEST(connection_registry, after_close_all_nothing_new_is_admitted) {
    connection_registry registry(4);
    ASSERT_EQ(registry.add(visitor, std::make_shared<fake_subscriber>()), admission::admitted);
    registry.close_all(close_reason::going_away);
    auto const late = std::make_shared<fake_subscriber>();
    EXPECT_EQ(registry.add(make_actor("shop", auth::role::operator_, "late"), late), admission::closed);
    EXPECT_EQ(registry.size(), 1u);
}

TEST(connection_registry, close_all_passes_the_reason) {
    connection_registry registry(4);
    auto const a = std::make_shared<fake_subscriber>();
    ASSERT_EQ(registry.add(visitor, a), admission::admitted);
    registry.close_all(close_reason::slow_consumer);
    ASSERT_EQ(a->disconnects.size(), 1u);
    EXPECT_EQ(a->disconnects[0], close_reason::slow_consumer);
}

TEST(connection_registry, close_all_skips_expired_subscribers) {
    connection_registry registry(4);
    auto const live = std::make_shared<fake_subscriber>();
    auto gone = std::make_shared<fake_subscriber>();
    std::weak_ptr<fake_subscriber> const watch = gone;
    ASSERT_EQ(registry.add(visitor, live), admission::admitted);
    ASSERT_EQ(registry.add(visitor, gone), admission::admitted);
    gone.reset();
    ASSERT_TRUE(watch.expired());
    registry.close_all(close_reason::going_away); // must not touch the dead one
    EXPECT_EQ(live->disconnects.size(), 1u);
}

/// A subscriber that leaves the registry from inside disconnect(), as the transport does
/// when its close completes synchronously.
class leaving_subscriber : public fake_subscriber {
public:
    leaving_subscriber(connection_registry& registry, auth::actor who)
        : registry_(registry), who_(std::move(who)) {}
    void disconnect(close_reason why) override {
        fake_subscriber::disconnect(why);
        registry_.remove(who_, this);
    }

private:
    connection_registry& registry_;
    auth::actor who_;
};

TEST(connection_registry, subscribers_may_remove_themselves_while_disconnected) {
    connection_registry registry(4);
    auto const a = std::make_shared<leaving_subscriber>(registry, visitor);
    auto const b = std::make_shared<leaving_subscriber>(registry, visitor);
    ASSERT_EQ(registry.add(visitor, a), admission::admitted);
    ASSERT_EQ(registry.add(visitor, b), admission::admitted);
    registry.close_all(close_reason::going_away); // would deadlock under the lock
    EXPECT_EQ(a->disconnects.size(), 1u);
    EXPECT_EQ(b->disconnects.size(), 1u);
    EXPECT_EQ(registry.size(), 0u);
}

} // namespace
} // namespace parley::relay
