// Every node applies the same log: a hub applying the changes another hub recorded ends
// with the same store, record for record, even when it meets the conversations'
// changes interleaved differently; and its own subscribers hear of them live.

#include "hub_fixture.hpp"

#include <parley/store/keyspace.hpp>

#include <map>
#include <thread>

namespace parley::relay {
namespace {

/// A second hub on its own store, fed only with entries.
struct replica {
    test::temp_dir dir;
    telemetry::metrics metrics;
    config::limits limits;
    std::unique_ptr<store::rocks_store> store;
    std::unique_ptr<store::commit_pipeline> pipeline;
    std::unique_ptr<hub> relay;

    replica() {
        auto opened = store::rocks_store::open(store::store_options{dir.str(), false});
        EXPECT_TRUE(opened) << opened.error().message;
        store = std::move(opened).value();
        pipeline = std::make_unique<store::commit_pipeline>(*store, metrics);
        relay = std::make_unique<hub>(*store, *pipeline, limits, store->epoch(), metrics);
    }
};

/// Every record of every family but `meta` (which holds each store's own epoch).
std::map<std::string, std::string> contents(store::rocks_store const& s) {
    std::map<std::string, std::string> out;
    for (auto f : {store::family::parts, store::family::events, store::family::conversations, store::family::indexes,
                   store::family::idempotency}) {
        auto records = s.scan(f, {"", "", "", SIZE_MAX, false});
        EXPECT_TRUE(records);
        if (!records) continue;
        for (auto& r : *records) out[std::to_string(static_cast<int>(f)) + ":" + r.key] = std::move(r.value);
    }
    return out;
}

/// The conversation an entry is about (a start's is the id it took).
std::uint64_t conversation_of(std::string const& entry) {
    auto const o = json::parse(entry).as_object();
    if (o.at("op") == "conversation.start") return o.at("ids").at("conversations").at(0).to_number<std::uint64_t>();
    return o.at("conversation").to_number<std::uint64_t>();
}

class replica_test : public hub_fixture {
protected:
    void SetUp() override {
        open();
        relay->record_changes([this](std::string entry) {
            std::lock_guard lock(log_mutex);
            log.push_back(std::move(entry));
        });
    }

    /// Sends a command whose answer is a conversation or a part.updated, and checks it
    /// was not refused.
    void order(auth::actor const& who, connection const& conn, json::object const& command) {
        for (auto const& f : send(who, conn, command)) EXPECT_NE(str(f, "op"), "error") << json::serialize(f);
    }

    /// A bit of everything: two conversations, parts, a note, an edit, a removal, an
    /// assignment, a transfer, tags, an event, reads, a close and a reopen by a reply.
    void talk() {
        auto mine = connect();
        auto theirs = connect();
        auto staff = connect();
        auto const a = start(visitor, mine, "start-a", {{"entry_page", "https://shop.example/a"}});
        auto const b = start(other_visitor, theirs, "start-b");
        auto const first = created_id(create(visitor, mine, a, "reply_user", "a-1", {{"body", "hello"}}));
        created_id(create(other_visitor, theirs, b, "reply_user", "b-1", {{"body", "hi from b"}}));
        order(op, staff, {{"op", "conversation.assign"}, {"conversation", a}});
        created_id(create(op, staff, a, "reply_admin", "a-2", {{"body", "how can I help?"}}));
        created_id(create(op, staff, a, "note", "a-3", {{"body", "private"}}));
        order(visitor, mine, {{"op", "part.edit"}, {"conversation", a}, {"id", first}, {"body", "hello again"}});
        order(op, staff, {{"op", "conversation.tag"}, {"conversation", a}, {"add", json::array{"billing", "vip"}}});
        order(op, staff, {{"op", "conversation.transfer"}, {"conversation", b}, {"department", "sales"}});
        ask(visitor, mine, {{"op", "event"}, {"conversation", a}, {"event_type", "file-upload"}, {"page", "/help"}});
        ask(visitor, mine, {{"op", "read"}, {"conversation", a}, {"up_to", first + 10}});
        auto const removed = created_id(create(other_visitor, theirs, b, "reply_user", "b-2", {{"body", "oops"}}));
        order(other_visitor, theirs, {{"op", "part.remove"}, {"conversation", b}, {"id", removed}});
        order(visitor, mine, {{"op", "conversation.close"}, {"conversation", a}});
        created_id(create(visitor, mine, a, "reply_user", "a-4", {{"body", "one more thing"}}));
        // A retry changes nothing, so it is not in the log.
        create(visitor, mine, a, "reply_user", "a-4", {{"body", "one more thing"}});
        pipeline->drain();
    }

    std::mutex log_mutex;
    std::vector<std::string> log;
};

TEST_F(replica_test, a_hub_applying_the_recorded_log_stores_exactly_the_same) {
    talk();
    ASSERT_EQ(log.size(), 16u);
    replica copy;
    for (auto const& entry : log) ASSERT_TRUE(copy.relay->apply_recorded(entry)) << entry;
    copy.pipeline->drain();
    auto const original = contents(*store);
    auto const replicated = contents(*copy.store);
    EXPECT_EQ(replicated.size(), original.size());
    EXPECT_EQ(replicated, original);
}

TEST_F(replica_test, conversations_interleaved_differently_still_give_the_same_store) {
    talk();
    // Each conversation's changes in their order, but one conversation after the other:
    // the ids they took come with them.
    std::stable_sort(log.begin(), log.end(),
                     [](auto const& x, auto const& y) { return conversation_of(x) > conversation_of(y); });
    replica copy;
    for (auto const& entry : log) ASSERT_TRUE(copy.relay->apply_recorded(entry)) << entry;
    copy.pipeline->drain();
    EXPECT_EQ(contents(*copy.store), contents(*store));
    // Its own next ids come after every id it applied.
    auto there = connect();
    copy.relay->handle({bot, there}, *protocol::parse_command(json::serialize(json::object{
                                         {"op", "conversation.start"}, {"random_id", "after-replay"}, {"visitor", {{"id", "v-9"}}}})));
    copy.pipeline->drain();
    ASSERT_TRUE(there->wait_for(1));
    auto const started = there->since().front();
    EXPECT_EQ(num(obj(started, "conversation"), "id"), 3u) << json::serialize(started);
}

TEST_F(replica_test, the_replicas_subscribers_hear_each_applied_change_live) {
    auto mine = connect();
    auto const cid = start(visitor, mine, "live-start");
    replica copy;
    for (auto const& entry : log) ASSERT_TRUE(copy.relay->apply_recorded(entry));
    copy.pipeline->drain();
    log.clear();

    auto staff_there = connect();
    copy.relay->handle({op, staff_there}, *protocol::parse_command(json::serialize(json::object{{"op", "subscribe"}, {"conversation", cid}})));
    ASSERT_TRUE(staff_there->wait_for(1));
    created_id(create(visitor, mine, cid, "reply_user", "live-1", {{"body", "seen over there"}}));
    ASSERT_EQ(log.size(), 1u);
    ASSERT_TRUE(copy.relay->apply_recorded(log.front()));
    copy.pipeline->drain();
    ASSERT_TRUE(staff_there->wait_for(2));
    auto const parts = staff_there->with_op("part");
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(str(obj(parts.front(), "part"), "body"), "seen over there");
    // Nobody there asked, so nobody there is answered.
    EXPECT_TRUE(staff_there->with_op("part.created").empty());
}

/// The real pipeline, or (while `failing`) a store that refuses every write. Like the
/// pipeline, it completes on another thread: the hub submits under its locks.
class failing_log final : public store::commit_log {
public:
    explicit failing_log(store::commit_log& inner) : inner_(inner) {}
    ~failing_log() override { drain(); }
    void submit(store::write_set change, completion done) override {
        if (!failing) return inner_.submit(std::move(change), std::move(done));
        std::lock_guard lock(mutex_);
        refusals_.emplace_back([done = std::move(done)] { done(store::store_error{store::store_error::kind::io, "disk on fire"}); });
    }
    void drain() override {
        inner_.drain();
        std::vector<std::thread> refusals;
        {
            std::lock_guard lock(mutex_);
            refusals.swap(refusals_);
        }
        for (auto& t : refusals) t.join();
    }
    std::atomic<bool> failing{false};

private:
    store::commit_log& inner_;
    std::mutex mutex_;
    std::vector<std::thread> refusals_;
};

TEST_F(replica_test, a_change_whose_commit_failed_is_not_in_the_log) {
    failing_log log_or_not(*pipeline);
    hub origin(*store, log_or_not, limits, store->epoch(), metrics);
    origin.record_changes([this](std::string entry) { log.push_back(std::move(entry)); });
    auto mine = connect();
    auto ask_origin = [&](json::object const& command) {
        auto const before = mine->size();
        origin.handle({visitor, mine}, *protocol::parse_command(json::serialize(command)));
        log_or_not.drain();
        EXPECT_TRUE(mine->wait_for(before + 1));
        return mine->since(before).back();
    };
    auto started = ask_origin({{"op", "conversation.start"}, {"random_id", "s-1"}});
    auto const cid = num(obj(started, "conversation"), "id");
    log_or_not.failing = true;
    json::object const part{{"op", "part.create"}, {"conversation", cid}, {"type", "reply_user"}, {"random_id", "p-1"}, {"body", "hi"}};
    auto refused = ask_origin(part);
    EXPECT_EQ(str(refused, "code"), "unavailable") << json::serialize(refused);
    EXPECT_EQ(str(refused, "random_id"), "p-1");
    EXPECT_EQ(log.size(), 1u) << "only the start is in the log";
    log_or_not.failing = false;
    auto stored = ask_origin(part);
    EXPECT_EQ(str(stored, "op"), "part.created") << json::serialize(stored);
    ASSERT_EQ(log.size(), 2u);
    replica copy;
    for (auto const& entry : log) ASSERT_TRUE(copy.relay->apply_recorded(entry));
    copy.pipeline->drain();
    EXPECT_EQ(contents(*copy.store), contents(*store));
}

TEST_F(replica_test, an_entry_that_is_not_a_change_is_refused) {
    replica copy;
    EXPECT_FALSE(copy.relay->apply_recorded("not json"));
    EXPECT_FALSE(copy.relay->apply_recorded(R"({"op":"part.create"})"));
    EXPECT_FALSE(copy.relay->apply_recorded(
        R"({"op":"read","conversation":1,"at":1,"by":{"site":"s","id":"v","role":"wizard"},"args":{}})"));
    // Well formed, but without what applying it reads.
    EXPECT_FALSE(copy.relay->apply_recorded(
        R"({"op":"conversation.start","conversation":0,"at":1,"by":{"site":"s","id":"v","role":"visitor"},"args":{}})"));
    EXPECT_FALSE(copy.relay->apply_recorded(
        R"({"op":"part.edit","conversation":1,"at":1,"by":{"site":"s","id":"v","role":"visitor"},"args":{"id":"x"}})"));
    EXPECT_FALSE(copy.relay->apply_recorded(
        R"({"op":"conversation.tag","conversation":1,"at":1,"by":{"site":"s","id":"o","role":"operator"},"args":{"add":[1]}})"));
}

} // namespace
} // namespace parley::relay
