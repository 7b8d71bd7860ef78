// Writes, scans and the commit pipeline on a real RocksDB in a temp dir.

#include "support/temp_dir.hpp"

#include <parley/store/commit_pipeline.hpp>
#include <parley/store/keyspace.hpp>
#include <parley/store/rocks_store.hpp>
#include <parley/telemetry/metrics.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

namespace parley::store {
namespace {

std::unique_ptr<rocks_store> open_store(test::temp_dir const& dir) {
    auto s = rocks_store::open({dir.str(), false});
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
}

write_set part_change(std::uint64_t conversation, std::uint64_t id) {
    write_set w;
    w.add(family::parts, key::part(conversation, id), "part " + std::to_string(id));
    w.add(family::conversations, key::conversation(conversation), "counters up to " + std::to_string(id));
    w.last_part_id = id;
    return w;
}

std::vector<std::uint64_t> ids(std::vector<rocks_store::record> const& records) {
    std::vector<std::uint64_t> out;
    for (auto const& r : records) out.push_back(key::trailing_id(r.key));
    return out;
}

TEST(rocks_store_write, a_change_lands_whole_and_survives_reopen_with_its_marks) {
    test::temp_dir dir;
    {
        auto store = open_store(dir);
        auto a = part_change(7, 41), b = part_change(7, 42);
        b.last_conversation_id = 7;
        b.last_event_id = 3;
        std::vector<write_set const*> sets{&a, &b};
        ASSERT_FALSE(store->write(sets));
        EXPECT_FALSE(store->close());
    }
    auto store = open_store(dir);
    EXPECT_EQ(store->marks().last_part_id, 42u);
    EXPECT_EQ(store->marks().last_conversation_id, 7u);
    EXPECT_EQ(store->marks().last_event_id, 3u);
    auto got = store->get(family::conversations, key::conversation(7));
    ASSERT_TRUE(got && *got);
    EXPECT_EQ(**got, "counters up to 42");
    auto missing = store->get(family::parts, key::part(7, 99));
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing) << "not found is distinct from an error";
}

TEST(rocks_store_write, marks_only_rise_whatever_the_order_of_changes) {
    test::temp_dir dir;
    {
        auto store = open_store(dir);
        auto high = part_change(1, 50), low = part_change(2, 10);
        std::vector<write_set const*> first{&high};
        std::vector<write_set const*> second{&low};
        ASSERT_FALSE(store->write(first));
        ASSERT_FALSE(store->write(second));
    }
    EXPECT_EQ(open_store(dir)->marks().last_part_id, 50u);
}

TEST(rocks_store_scan, ranges_by_after_before_limit_and_from_end) {
    test::temp_dir dir;
    auto store = open_store(dir);
    std::vector<write_set> changes;
    for (std::uint64_t id = 1; id <= 10; ++id) changes.push_back(part_change(5, id));
    changes.push_back(part_change(4, 100)); // neighbours on both sides must not leak in
    changes.push_back(part_change(6, 200));
    std::vector<write_set const*> sets;
    for (auto const& c : changes) sets.push_back(&c);
    ASSERT_FALSE(store->write(sets));

    auto const prefix = key::conversation_prefix(5);
    auto scan = [&](rocks_store::range r) { return ids(store->scan(family::parts, r).value()); };
    EXPECT_EQ(scan({prefix, {}, {}, 50, false}), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    EXPECT_EQ(scan({prefix, key::part(5, 3), {}, 2, false}), (std::vector<std::uint64_t>{4, 5}));
    EXPECT_EQ(scan({prefix, {}, key::part(5, 8), 3, true}), (std::vector<std::uint64_t>{5, 6, 7}));
    EXPECT_EQ(scan({prefix, {}, {}, 3, true}), (std::vector<std::uint64_t>{8, 9, 10}));
    EXPECT_EQ(scan({prefix, key::part(5, 2), key::part(5, 6), 10, false}), (std::vector<std::uint64_t>{3, 4, 5}));
    EXPECT_TRUE(scan({prefix, key::part(5, 10), {}, 10, false}).empty());
    EXPECT_TRUE(scan({key::conversation_prefix(9), {}, {}, 10, true}).empty());
}

TEST(commit_pipeline, concurrent_writers_share_batches_and_complete_in_submit_order) {
    test::temp_dir dir;
    auto store = open_store(dir);
    telemetry::metrics metrics;
    commit_pipeline pipeline(*store, metrics);

    constexpr int writers = 4, per_writer = 500;
    std::mutex order_mutex;
    std::vector<std::uint64_t> submitted, completed;
    std::atomic<std::uint64_t> next_id{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
        threads.emplace_back([&] {
            for (int i = 0; i < per_writer; ++i) {
                // Taking the id and submitting under one lock, as the hub does per conversation.
                std::lock_guard lock(order_mutex);
                auto const id = ++next_id;
                submitted.push_back(id);
                pipeline.submit(part_change(1, id), [&completed, id](std::optional<store_error> const& err) {
                    EXPECT_FALSE(err);
                    completed.push_back(id); // the committer thread is the only writer here
                });
            }
        });
    for (auto& t : threads) t.join();
    pipeline.drain();
    EXPECT_EQ(completed, submitted);
    auto const text = metrics.render_prometheus();
    auto const count_pos = text.find("parley_commit_seconds_count ");
    ASSERT_NE(count_pos, std::string::npos);
    auto const batches = std::stoull(text.substr(count_pos + 28));
    EXPECT_LT(batches, static_cast<std::uint64_t>(writers * per_writer)) << "no two changes ever shared a batch";
    auto stored = store->scan(family::parts, {key::conversation_prefix(1), {}, {}, 5000, false});
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->size(), static_cast<std::size_t>(writers * per_writer));
}

TEST(commit_pipeline, drain_waits_for_everything_submitted) {
    test::temp_dir dir;
    auto store = open_store(dir);
    telemetry::metrics metrics;
    std::atomic<int> done{0};
    {
        commit_pipeline pipeline(*store, metrics);
        for (std::uint64_t id = 1; id <= 100; ++id)
            pipeline.submit(part_change(2, id), [&](std::optional<store_error> const&) { ++done; });
        pipeline.drain();
        EXPECT_EQ(done.load(), 100);
    }
    EXPECT_EQ(store->scan(family::parts, {key::conversation_prefix(2), {}, {}, 500, false})->size(), 100u);
}

/// Wake-ups the pipeline deferred, run only when the test says so (as an I/O loop
/// would run them after its current round).
struct deferred_wakeups {
    std::mutex mutex;
    std::vector<std::function<void()>> pending;

    commit_pipeline::deferrer deferrer() {
        return [this](std::function<void()> wake) {
            std::lock_guard lock(mutex);
            pending.push_back(std::move(wake));
        };
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return pending.size();
    }
    void run_all() {
        std::vector<std::function<void()>> now;
        {
            std::lock_guard lock(mutex);
            now.swap(pending);
        }
        for (auto& wake : now) wake();
    }
};

std::uint64_t batches_of(telemetry::metrics const& metrics) {
    auto const text = metrics.render_prometheus();
    auto const pos = text.find("parley_commit_seconds_count ");
    return pos == std::string::npos ? 0 : std::stoull(text.substr(pos + 28));
}

TEST(commit_pipeline, deferred_wakeup_commits_one_round_as_one_batch) {
    test::temp_dir dir;
    auto store = open_store(dir);
    telemetry::metrics metrics;
    deferred_wakeups loop;
    commit_pipeline pipeline(*store, metrics);
    pipeline.defer_wakeups(loop.deferrer());
    std::atomic<int> done{0};
    for (std::uint64_t id = 1; id <= 50; ++id)
        pipeline.submit(part_change(3, id), [&](std::optional<store_error> const&) { ++done; });
    EXPECT_EQ(loop.size(), 1u) << "one wake-up per round, not one per change";
    EXPECT_EQ(done.load(), 0) << "nothing commits before the round ends";
    loop.run_all();
    pipeline.drain();
    EXPECT_EQ(done.load(), 50);
    EXPECT_EQ(batches_of(metrics), 1u);
}

TEST(commit_pipeline, drain_and_undeferring_never_wait_for_a_lost_wakeup) {
    test::temp_dir dir;
    auto store = open_store(dir);
    telemetry::metrics metrics;
    deferred_wakeups loop; // its wake-ups never run: a loop that has stopped
    commit_pipeline pipeline(*store, metrics);
    pipeline.defer_wakeups(loop.deferrer());
    std::atomic<int> done{0};
    for (std::uint64_t id = 1; id <= 10; ++id)
        pipeline.submit(part_change(4, id), [&](std::optional<store_error> const&) { ++done; });
    pipeline.drain(); // e.g. shutdown draining from the loop's own thread
    EXPECT_EQ(done.load(), 10);

    std::promise<void> committed;
    pipeline.submit(part_change(4, 11), [&](std::optional<store_error> const&) { committed.set_value(); });
    pipeline.defer_wakeups(nullptr); // the loop is going away: wake directly
    EXPECT_EQ(committed.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
    auto const asked = loop.size();
    pipeline.submit(part_change(4, 12), {});
    pipeline.drain();
    EXPECT_EQ(loop.size(), asked) << "undeferred: no more wake-ups go to the old loop";
}

} // namespace
} // namespace parley::store
