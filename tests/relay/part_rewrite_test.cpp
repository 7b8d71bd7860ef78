// An edit and a removal of the same part in flight together: the second starts from
// what the first wrote, not from the store, which does not have it yet.

#include "hub_fixture.hpp"

#include <parley/store/keyspace.hpp>

namespace parley::relay {
namespace {

/// The real pipeline, with writes held back (not written, not completed) while closed.
class held_log final : public store::commit_log {
public:
    explicit held_log(store::commit_log& inner) : inner_(inner) {}
    void submit(store::write_set change, completion done) override {
        std::lock_guard lock(mutex_);
        if (open_) return inner_.submit(std::move(change), std::move(done));
        held_.emplace_back(std::move(change), std::move(done));
    }
    void drain() override { inner_.drain(); }
    void hold() {
        std::lock_guard lock(mutex_);
        open_ = false;
    }
    void release() {
        std::lock_guard lock(mutex_);
        open_ = true;
        for (auto& [change, done] : held_) inner_.submit(std::move(change), std::move(done));
        held_.clear();
    }

private:
    store::commit_log& inner_;
    std::mutex mutex_;
    bool open_ = true;
    std::vector<std::pair<store::write_set, completion>> held_;
};

class part_rewrite_test : public hub_fixture {
protected:
    void SetUp() override {
        open();
        held = std::make_unique<held_log>(*pipeline);
        relay = std::make_unique<hub>(*store, *held, limits, store->epoch(), metrics);
    }
    void TearDown() override {
        held->release();
        pipeline->drain();
        relay.reset();
    }

    /// Sends without waiting for an answer (its commit is held).
    void post(auth::actor const& who, connection const& conn, json::object const& command) {
        relay->handle({who, conn}, *protocol::parse_command(json::serialize(command)));
    }

    json::object stored_part(std::uint64_t cid, std::uint64_t id) {
        auto got = store->get(store::family::parts, store::key::part(cid, id));
        EXPECT_TRUE(got && *got);
        return got && *got ? json::parse(**got).as_object() : json::object{};
    }

    /// A visitor's part in a new conversation, then writes held back from here on.
    void one_part_then_hold(std::string const& body) {
        cid = start(visitor, mine, "s");
        id = created_id(create(visitor, mine, cid, "reply_user", "p", {{"body", body}}));
        held->hold();
    }

    std::unique_ptr<held_log> held;
    connection mine = connect();
    connection staff = connect();
    std::uint64_t cid = 0;
    std::uint64_t id = 0;
};

TEST_F(part_rewrite_test, an_edit_after_a_removal_still_in_flight_is_refused_and_the_part_stays_removed) {
    one_part_then_hold("card 4111");
    post(op, staff, {{"op", "part.remove"}, {"conversation", cid}, {"id", id}});
    auto const before = mine->size();
    post(visitor, mine, {{"op", "part.edit"}, {"conversation", cid}, {"id", id}, {"body", "card 4111 1111"}});
    ASSERT_TRUE(mine->wait_for(before + 1));
    auto const errors = mine->with_op("error", before);
    ASSERT_EQ(errors.size(), 1u) << json::serialize(mine->since(before).back());
    EXPECT_EQ(str(errors.front(), "code"), "conflict");
    held->release();
    pipeline->drain();
    auto const part = stored_part(cid, id);
    EXPECT_FALSE(part.at("removed").is_null()) << json::serialize(part);
    EXPECT_EQ(str(part, "body"), "");
}

TEST_F(part_rewrite_test, a_removal_after_an_edit_still_in_flight_keeps_the_edit_mark) {
    one_part_then_hold("first");
    post(visitor, mine, {{"op", "part.edit"}, {"conversation", cid}, {"id", id}, {"body", "second"}});
    post(op, staff, {{"op", "part.remove"}, {"conversation", cid}, {"id", id}});
    held->release();
    pipeline->drain();
    auto const part = stored_part(cid, id);
    EXPECT_FALSE(part.at("removed").is_null()) << json::serialize(part);
    EXPECT_FALSE(part.at("edited").is_null()) << "the edit happened before the removal";
}

} // namespace
} // namespace parley::relay
