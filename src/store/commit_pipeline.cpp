#include <parley/store/commit_pipeline.hpp>
#include <parley/telemetry/log.hpp>
#include <parley/telemetry/metrics.hpp>

#include <chrono>
#include <vector>

namespace parley::store {

commit_pipeline::commit_pipeline(rocks_store& store, telemetry::metrics& metrics)
    : store_(store), metrics_(metrics), thread_([this] { run(); }) {}

commit_pipeline::~commit_pipeline() {
    drain();
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void commit_pipeline::defer_wakeups(deferrer defer) {
    std::lock_guard lock(mutex_);
    defer_ = std::move(defer);
    // A wake-up deferred to a loop that is going away may never run.
    if (!defer_ && wake_scheduled_) wake_locked();
}

void commit_pipeline::wake_locked() {
    wake_scheduled_ = false;
    if (awake_) return;
    awake_ = true;
    wake_.notify_one();
}

void commit_pipeline::mark_progress() {
    last_progress_.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

std::chrono::steady_clock::duration commit_pipeline::stalled_for(std::chrono::steady_clock::time_point now) const {
    // Outstanding first: a submit to an idle pipeline marks progress before it counts.
    if (outstanding_.load(std::memory_order_acquire) == 0) return {};
    auto const last = std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(last_progress_.load(std::memory_order_relaxed)));
    return now > last ? now - last : std::chrono::steady_clock::duration::zero();
}

void commit_pipeline::submit(write_set change, completion done) {
    deferrer defer;
    {
        std::lock_guard lock(mutex_);
        // Work arriving after a quiet spell: the committer has not been slow until now.
        if (submitted_ == completed_) mark_progress();
        queue_.push_back({std::move(change), std::move(done)});
        ++submitted_;
        outstanding_.store(submitted_ - completed_, std::memory_order_release);
        // A committer that is awake takes this with its next batch.
        if (awake_ || wake_scheduled_) return;
        if (!defer_) return wake_locked();
        wake_scheduled_ = true;
        defer = defer_;
    }
    defer([this] {
        std::lock_guard lock(mutex_);
        if (wake_scheduled_) wake_locked();
    });
}

void commit_pipeline::drain() {
    std::unique_lock lock(mutex_);
    auto const target = submitted_;
    // The caller may be the very loop a deferred wake-up waits on.
    if (completed_ < target) wake_locked();
    idle_.wait(lock, [&] { return completed_ >= target; });
}

void commit_pipeline::run() {
    std::vector<pending> batch;
    std::vector<write_set const*> sets;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (queue_.empty()) awake_ = false;
            // While the store refuses writes, look again every second: it resumes by
            // itself once there is room, even when no client writes meanwhile.
            if (store_.writable()) wake_.wait(lock, [&] { return stopping_ || awake_; });
            else wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || awake_; });
            if (queue_.empty()) {
                if (stopping_) return;
                lock.unlock();
                if (!store_.writable() && store_.resume()) log::info("store.resumed", {});
                continue;
            }
            // Everything that queued up since the last batch goes in this one.
            while (!queue_.empty() && batch.size() < max_batch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        mark_progress();
        sets.clear();
        for (auto const& p : batch) sets.push_back(&p.change);

        auto const started = std::chrono::steady_clock::now();
        bool const was_writable = store_.writable();
        auto const error = store_.write(sets);
        if (error && was_writable) log::warn("store.write_failed", {{"error", error->message}});
        metrics_.commit_batch(batch.size(), std::chrono::steady_clock::now() - started, !error);
        mark_progress();

        for (auto& p : batch) {
            if (p.done) p.done(error);
            mark_progress();
        }
        {
            std::lock_guard lock(mutex_);
            completed_ += batch.size();
            outstanding_.store(submitted_ - completed_, std::memory_order_release);
        }
        idle_.notify_all();
        batch.clear();
    }
}

} // namespace parley::store
