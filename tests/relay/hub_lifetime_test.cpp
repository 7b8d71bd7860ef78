// The hub and the lifetime of its subscribers: a connection that closes while the hub
// is reaching it must end outside every hub lock. A real session's destructor calls
// hub::forget, which takes hub locks; ending under one of them is a self-deadlock that
// hangs the server for good.

#include "hub_fixture.hpp"

#include <cstdio>
#include <cstdlib>
#include <future>

namespace parley::relay {
namespace {

/// A connection as a session is one: its destructor forgets it in the hub, and it owns
/// itself (as a session's pending read owns the session) until it closes. A close()
/// while the hub is in deliver() makes the hub the last owner: the race of a TCP reset
/// arriving while a commit fans out, made certain.
class closing_subscriber final : public subscriber {
public:
    static std::shared_ptr<closing_subscriber> make(hub& relay, std::atomic<int>& ended) {
        auto s = std::shared_ptr<closing_subscriber>(new closing_subscriber(relay, ended));
        s->self_ = s;
        return s;
    }
    ~closing_subscriber() override {
        relay_.forget(this);
        ++ended_;
    }
    void deliver(std::shared_ptr<std::string const>) override {
        ++delivered_;
        if (close_when_reached_) close();
    }
    void disconnect(close_reason) override {}

    /// The next deliver() closes the connection: its own reference goes while the hub
    /// still holds the one it took to deliver.
    void close_when_reached() { close_when_reached_ = true; }
    /// The connection has closed: nothing of its own keeps it alive any more.
    void close() { auto last = std::move(self_); }
    int delivered() const { return delivered_; }

private:
    closing_subscriber(hub& relay, std::atomic<int>& ended) : relay_(relay), ended_(ended) {}

    hub& relay_;
    std::atomic<int>& ended_;
    std::shared_ptr<closing_subscriber> self_;
    std::atomic<bool> close_when_reached_{false};
    std::atomic<int> delivered_{0};
};

/// Runs `work` on its own thread. A deadlocked thread can be neither joined nor
/// cancelled, so a run that does not end in time ends the whole test binary, loudly.
void finishes_or_aborts(char const* what, std::function<void()> work) {
    auto task = std::packaged_task<void()>(std::move(work));
    auto done = task.get_future();
    std::thread runner(std::move(task));
    if (done.wait_for(10s) != std::future_status::ready) {
        std::fprintf(stderr, "\nDEADLOCK: %s did not finish within 10 s\n", what);
        std::fflush(stderr);
        std::abort();
    }
    runner.join();
    done.get();
}

class hub_lifetime_test : public hub_fixture {
protected:
    void SetUp() override {
        open();
        // Completions held back, so the test decides when the committer reaches anyone.
        gate = std::make_unique<gated_log>(*pipeline);
        relay = std::make_unique<hub>(*store, *gate, limits, store->epoch(), metrics);
    }

    void TearDown() override {
        // Whatever a failed test left open closes now, while the hub still exists.
        for (auto const& weak : made)
            if (auto s = weak.lock()) s->close();
    }

    std::shared_ptr<closing_subscriber> closing() {
        auto s = closing_subscriber::make(*relay, ended);
        std::lock_guard lock(made_mutex);
        made.push_back(s);
        return s;
    }

    /// Sends `command` as `who` on `conn` without waiting for any commit.
    void submit(auth::actor const& who, std::shared_ptr<subscriber> const& conn, json::object const& command) {
        auto const text = json::serialize(command);
        auto parsed = protocol::parse_command(text);
        ASSERT_TRUE(parsed) << text;
        relay->handle({who, conn}, parsed.value());
    }

    /// Subscribes `s` as `who` (`inbox`: to the site's inbox, with parts when `parts`).
    /// The answer comes at once, on this thread: one frame.
    void join(auth::actor const& who, std::shared_ptr<closing_subscriber> const& s, json::object command) {
        command["op"] = "subscribe";
        auto const before = s->delivered();
        submit(who, s, command);
        EXPECT_EQ(s->delivered(), before + 1) << "subscribe answered";
    }

    /// Lets held completions run; the committer must get through them.
    void release_commits() {
        finishes_or_aborts("the committer", [this] {
            gate->set_open(true);
            pipeline->drain();
        });
    }

    /// The hub still routes: a fresh part reaches a fresh subscriber.
    void expect_hub_alive(std::uint64_t cid) {
        auto const watcher = connect();
        ASSERT_EQ(str(subscribe(op, watcher, cid), "op"), "subscribed");
        created_id(create(visitor, connect(), cid, "reply_user", "after-" + std::to_string(cid)));
        EXPECT_EQ(watcher->with_op("part").size(), 1u);
    }

    /// `sub` closes at the moment the committer reaches it with what `command` (sent as
    /// `who` on another connection) committed: it must end, and the hub route on.
    void close_when_reached_by_commit(std::shared_ptr<closing_subscriber> sub, auth::actor const& who,
                                      json::object const& command, std::uint64_t cid) {
        gate->set_open(false);
        submit(who, connect(), command);
        ASSERT_TRUE(gate->wait_held(1)); // committed, not yet delivered
        sub->close_when_reached();
        sub.reset();
        release_commits();

        EXPECT_EQ(ended, 1) << "the subscriber ended, and forgot itself";
        expect_hub_alive(cid);
    }

    std::atomic<int> ended{0};
    std::mutex made_mutex;
    std::vector<std::weak_ptr<closing_subscriber>> made;
};

TEST_F(hub_lifetime_test, subscriber_closing_during_fan_out_ends_outside_the_conversation_lock) {
    auto const cid = start(visitor, connect(), "s-1");
    auto sub = closing();
    join(op, sub, {{"conversation", cid}});
    close_when_reached_by_commit(std::move(sub), visitor,
                                 {{"op", "part.create"}, {"conversation", cid}, {"type", "reply_user"}, {"random_id", "p-1"}},
                                 cid);
}

TEST_F(hub_lifetime_test, inbox_listener_closing_during_fan_out_ends_outside_the_locks) {
    auto const cid = start(visitor, connect(), "s-1");
    // On the inbox with parts and on the conversation too: it is reached both ways.
    auto inbox = closing();
    join(op, inbox, {{"inbox", true}, {"parts", true}});
    join(op, inbox, {{"conversation", cid}});
    close_when_reached_by_commit(std::move(inbox), visitor,
                                 {{"op", "part.create"}, {"conversation", cid}, {"type", "reply_user"}, {"random_id", "p-1"}},
                                 cid);
}

TEST_F(hub_lifetime_test, inbox_listener_closing_during_an_announcement_ends_outside_the_locks) {
    auto inbox = closing();
    join(op, inbox, {{"inbox", true}});

    gate->set_open(false);
    submit(visitor, connect(), {{"op", "conversation.start"}, {"random_id", "s-1"}});
    ASSERT_TRUE(gate->wait_held(1));
    inbox->close_when_reached();
    inbox.reset();
    release_commits();

    EXPECT_EQ(ended, 1);
    expect_hub_alive(start(visitor, connect(), "s-2"));
}

TEST_F(hub_lifetime_test, staff_subscriber_closing_while_events_go_out_ends_outside_the_lock) {
    auto const cid = start(visitor, connect(), "s-1");
    auto staff = closing();
    join(op, staff, {{"conversation", cid}});
    close_when_reached_by_commit(std::move(staff), op, {{"op", "conversation.close"}, {"conversation", cid}}, cid);
}

TEST_F(hub_lifetime_test, visitor_closing_while_a_status_change_goes_out_ends_outside_the_lock) {
    auto const cid = start(visitor, connect(), "s-1");
    auto tab = closing();
    join(visitor, tab, {{"conversation", cid}});
    close_when_reached_by_commit(std::move(tab), op,
                                 {{"op", "conversation.assign"}, {"conversation", cid}, {"operator", "op-1"}}, cid);
}

TEST_F(hub_lifetime_test, subscriber_closing_while_typing_is_relayed_ends_outside_the_lock) {
    auto const cid = start(visitor, connect(), "s-1");
    auto staff = closing();
    join(op, staff, {{"conversation", cid}});
    staff->close_when_reached();
    staff.reset();

    // Typing is relayed on the commanding connection's own thread, with no commit.
    finishes_or_aborts("typing", [&] { submit(visitor, connect(), {{"op", "typing"}, {"conversation", cid}}); });

    EXPECT_EQ(ended, 1);
    expect_hub_alive(cid);
}

TEST_F(hub_lifetime_test, retry_that_waits_for_a_create_and_then_closes_ends_outside_the_lock) {
    auto const cid = start(visitor, connect(), "s-1");
    json::object const create{{"op", "part.create"}, {"conversation", cid}, {"type", "reply_user"}, {"random_id", "p-1"}};

    gate->set_open(false);
    submit(visitor, connect(), create);
    ASSERT_TRUE(gate->wait_held(1));
    // A retry on a second tab, subscribed to the conversation, waits for the original's
    // commit; then that tab closes.
    auto retry = closing();
    join(visitor, retry, {{"conversation", cid}});
    submit(visitor, retry, create);
    retry->close();
    retry.reset();
    release_commits();

    EXPECT_EQ(ended, 1);
    expect_hub_alive(cid);
}

TEST_F(hub_lifetime_test, retry_that_waits_for_a_start_and_then_closes_ends_outside_the_locks) {
    json::object const start_cmd{{"op", "conversation.start"}, {"random_id", "s-1"}};

    gate->set_open(false);
    submit(visitor, connect(), start_cmd);
    ASSERT_TRUE(gate->wait_held(1));
    auto retry = closing();
    submit(visitor, retry, start_cmd);
    retry->close();
    retry.reset();
    release_commits();

    EXPECT_EQ(ended, 1);
    expect_hub_alive(start(visitor, connect(), "s-2"));
}

TEST_F(hub_lifetime_test, forgetting_while_commits_fan_out_never_deadlocks) {
    // Many connections subscribe and close while a writer's parts fan out: the closes
    // race the committer on real threads, in no fixed order.
    gate->set_open(true);
    auto const cid = start(visitor, connect(), "s-1");
    std::atomic<bool> stop{false};
    std::thread churn([&] {
        for (int i = 0; !stop; ++i) {
            auto sub = closing();
            auto const text = json::serialize(json::object{{"op", "subscribe"}, {"conversation", cid}});
            relay->handle({op, sub}, protocol::parse_command(text).value());
            if (i % 2) sub->close_when_reached();
            else sub->close();
        }
    });
    finishes_or_aborts("writes racing closes", [&] {
        auto const writer = connect();
        for (int i = 0; i < 300; ++i)
            submit(visitor, writer, {{"op", "part.create"}, {"conversation", cid}, {"type", "reply_user"},
                                     {"random_id", "w-" + std::to_string(i)}});
        pipeline->drain();
        EXPECT_TRUE(writer->wait_for(300));
    });
    stop = true;
    churn.join();
    expect_hub_alive(cid);
}

} // namespace
} // namespace parley::relay
