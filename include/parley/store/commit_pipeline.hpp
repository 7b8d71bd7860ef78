#pragma once

#include <parley/store/rocks_store.hpp>
#include <parley/store/write_set.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace parley::telemetry {
class metrics;
}

namespace parley::store {

/// Where committed changes go. The relay only sees this interface, so a later cluster
/// mode can put an external ordered log behind it.
class commit_log {
public:
    /// Runs once per submitted change, after it is durable (or failed), on the
    /// committer's thread, in submit order. Must not block: post work elsewhere.
    using completion = std::function<void(std::optional<store_error> const&)>;

    virtual ~commit_log() = default;

    /// Queues `change` for commit. Changes are committed and completed in the order
    /// they were submitted. @note Thread-safe.
    virtual void submit(write_set change, completion done) = 0;

    /// Blocks until everything submitted so far has completed. @note Thread-safe.
    virtual void drain() = 0;
};

/// Group commit on RocksDB: one thread takes every change queued while the previous
/// batch was being written and commits them in one WriteBatch: one WAL write, and one
/// fsync with `storage.sync`, however many writers are waiting. The I/O threads never
/// touch the disk.
///
/// Waking the committer for each change would make it and the I/O thread take turns
/// (on a busy core, a context switch per change and batches of one or two). With
/// defer_wakeups() the wake-up is posted to the I/O loop instead, so it runs after the
/// handlers already ready: everything one round of the loop submits is one batch.
class commit_pipeline final : public commit_log {
public:
    /// Largest number of changes in one batch; bounds the latency one batch adds.
    static constexpr std::size_t max_batch = 1024;

    /// Runs a wake-up later (e.g. posts it to an io_context).
    using deferrer = std::function<void(std::function<void()>)>;

    commit_pipeline(rocks_store& store, telemetry::metrics& metrics);
    /// Drains, then stops the committer thread.
    ~commit_pipeline() override;

    void submit(write_set change, completion done) override;
    void drain() override;

    /// How long the committer has gone without progress (taking a batch, writing it,
    /// running one completion) while changes wait for it; zero when it is idle or
    /// moving. For the watchdog. @note Thread-safe and lock-free: a stuck committer
    /// may be holding anything.
    std::chrono::steady_clock::duration stalled_for(std::chrono::steady_clock::time_point now) const;

    /// Routes wake-ups through `defer`; an empty one wakes the committer directly again
    /// (do that before whatever runs `defer`'s work stops). @note Thread-safe.
    void defer_wakeups(deferrer defer);

private:
    struct pending {
        write_set change;
        completion done;
    };

    void run();
    /// Lets the committer take the queue. @note Caller holds mutex_.
    void wake_locked();
    /// The committer (or a submit to an idle pipeline) moved: restarts the stall clock.
    void mark_progress();

    rocks_store& store_;
    telemetry::metrics& metrics_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<pending> queue_;
    std::uint64_t submitted_ = 0;
    std::uint64_t completed_ = 0;
    deferrer defer_;
    /// The committer may run: it sleeps only once the queue is empty and this is false.
    bool awake_ = false;
    /// A deferred wake-up is on its way; further submits need not send another.
    bool wake_scheduled_ = false;
    bool stopping_ = false;
    /// Changes submitted and not yet completed, and when the committer last moved (in
    /// steady_clock ticks): what stalled_for() reads without the mutex.
    std::atomic<std::uint64_t> outstanding_{0};
    std::atomic<std::chrono::steady_clock::rep> last_progress_{0};
    std::thread thread_;
};

} // namespace parley::store
