// The watchdog over the committer and the I/O threads, on the real commit pipeline and
// real io_contexts. Threads are blocked on purpose by what the tests submit and post:
// a completion or a handler that waits on a latch. Nothing of this is reachable from
// the network.

#include "support/temp_dir.hpp"

#include <parley/app/io_loop.hpp>
#include <parley/app/server.hpp>
#include <parley/app/watchdog.hpp>
#include <parley/store/commit_pipeline.hpp>
#include <parley/store/keyspace.hpp>
#include <parley/store/rocks_store.hpp>
#include <parley/telemetry/metrics.hpp>

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace parley::app {
namespace {

using namespace std::chrono_literals;
using stuck_list = std::vector<std::pair<std::string, watchdog::clock::duration>>;

/// Holds a thread until opened.
class latch {
public:
    void wait() {
        std::unique_lock lock(mutex_);
        opened_.wait(lock, [&] { return open_; });
    }
    void open() {
        std::lock_guard lock(mutex_);
        open_ = true;
        opened_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable opened_;
    bool open_ = false;
};

/// Records what the watchdog found instead of exiting.
class stuck_recorder {
public:
    watchdog::on_stuck action() {
        return [this](stuck_list const& stuck) {
            std::lock_guard lock(mutex_);
            found_ = stuck;
            fired_.notify_all();
        };
    }
    /// What the watchdog reported, once it did within `timeout`; empty otherwise.
    stuck_list wait(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        fired_.wait_for(lock, timeout, [&] { return !found_.empty(); });
        return found_;
    }

private:
    std::mutex mutex_;
    std::condition_variable fired_;
    stuck_list found_;
};

store::write_set a_change(std::uint64_t id) {
    store::write_set w;
    w.add(store::family::parts, store::key::part(1, id), "part " + std::to_string(id));
    w.last_part_id = id;
    return w;
}

class watchdog_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::rocks_store::open({dir.str(), false});
        ASSERT_TRUE(opened) << opened.error().message;
        store = std::move(*opened);
        pipeline = std::make_unique<store::commit_pipeline>(*store, metrics);
    }
    void watch_committer(watchdog& dog) {
        dog.watch("committer", [this](auto now) { return pipeline->stalled_for(now); });
    }

    test::temp_dir dir;
    telemetry::metrics metrics;
    std::unique_ptr<store::rocks_store> store;
    std::unique_ptr<store::commit_pipeline> pipeline;
};

TEST_F(watchdog_test, committer_stuck_in_a_completion_is_reported) {
    latch blocked;
    stuck_recorder found;
    watchdog dog(300ms, found.action());
    watch_committer(dog);
    dog.start();
    pipeline->submit(a_change(1), [&](auto const&) { blocked.wait(); });
    pipeline->submit(a_change(2), {}); // queued behind it

    auto const stuck = found.wait(5s);
    blocked.open();
    ASSERT_EQ(stuck.size(), 1u);
    EXPECT_EQ(stuck[0].first, "committer");
    EXPECT_GE(stuck[0].second, 300ms);
    pipeline->drain();
}

TEST_F(watchdog_test, idle_or_moving_committer_is_never_stuck) {
    stuck_recorder found;
    watchdog dog(200ms, found.action());
    watch_committer(dog);
    dog.start();
    // Idle well past the limit, then busy past it with short commits, then idle again.
    std::this_thread::sleep_for(500ms);
    auto const until = std::chrono::steady_clock::now() + 500ms;
    for (std::uint64_t id = 1; std::chrono::steady_clock::now() < until; ++id) {
        pipeline->submit(a_change(id), {});
        if (id % 64 == 0) pipeline->drain();
    }
    pipeline->drain();
    EXPECT_TRUE(found.wait(500ms).empty());
}

/// An io_context on `n` watched threads, as the server runs it.
class watched_pool {
public:
    explicit watched_pool(unsigned n) : work_(boost::asio::make_work_guard(ioc)) {
        for (unsigned i = 0; i < n; ++i) {
            auto& beat = beats.emplace_back();
            threads_.emplace_back([this, &beat] { run_watched(ioc, beat); });
        }
    }
    ~watched_pool() {
        work_.reset();
        ioc.stop();
        for (auto& t : threads_) t.join();
    }
    void watch(watchdog& dog) {
        for (std::size_t i = 0; i < beats.size(); ++i)
            dog.watch("io-" + std::to_string(i), [this, i](auto now) { return beats[i].stalled_for(now); });
    }

    boost::asio::io_context ioc;
    std::deque<heartbeat> beats;

private:
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::vector<std::thread> threads_;
};

TEST(watchdog, io_thread_stuck_in_a_handler_is_named_and_the_free_one_is_not) {
    stuck_recorder found;
    watched_pool pool(2);
    watchdog dog(600ms, found.action());
    pool.watch(dog);
    dog.start();
    latch blocked;
    std::promise<void> entered;
    boost::asio::post(pool.ioc, [&] {
        entered.set_value();
        blocked.wait();
    });
    entered.get_future().wait();
    // The other thread keeps serving meanwhile.
    std::promise<void> served;
    boost::asio::post(pool.ioc, [&] { served.set_value(); });
    EXPECT_EQ(served.get_future().wait_for(2s), std::future_status::ready);

    auto const stuck = found.wait(5s);
    blocked.open();
    ASSERT_EQ(stuck.size(), 1u) << "only the blocked thread is stuck";
    EXPECT_TRUE(stuck[0].first == "io-0" || stuck[0].first == "io-1") << stuck[0].first;
    EXPECT_GE(stuck[0].second, 600ms);
}

TEST(watchdog, idle_io_threads_are_never_stuck) {
    stuck_recorder found;
    watched_pool pool(2);
    watchdog dog(600ms, found.action());
    pool.watch(dog);
    dog.start();
    EXPECT_TRUE(found.wait(1500ms).empty());
}

TEST(watchdog, retired_thread_is_never_stuck) {
    heartbeat beat;
    beat.retire();
    EXPECT_EQ(beat.stalled_for(heartbeat::clock::now() + 1h), heartbeat::clock::duration::zero());
}

TEST(watchdog, stuck_committer_ends_the_process_with_the_stuck_exit_code) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // The child re-runs this test from the start; it finds its store under this
    // process's temp dir, which is removed even though the child never cleans up.
    test::temp_dir dir;
    ::setenv("PARLEY_WATCHDOG_TEST_DIR", dir.str().c_str(), 1);
    EXPECT_EXIT(
        {
            auto store = store::rocks_store::open({std::string(std::getenv("PARLEY_WATCHDOG_TEST_DIR")) + "/child", false});
            if (!store) std::_Exit(1);
            telemetry::metrics metrics;
            store::commit_pipeline pipeline(**store, metrics);
            latch never;
            watchdog dog(300ms); // the real action: log, then exit
            dog.watch("committer", [&](auto now) { return pipeline.stalled_for(now); });
            dog.start();
            pipeline.submit(a_change(1), [&](auto const&) { never.wait(); });
            std::this_thread::sleep_for(10s);
            std::_Exit(0); // not reached: the watchdog ended the process first
        },
        ::testing::ExitedWithCode(exit_code::stuck), "watchdog.stuck.*thread=committer");
}

} // namespace
} // namespace parley::app
