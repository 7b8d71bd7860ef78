#include <parley/store/commit_pipeline.hpp>
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

void commit_pipeline::submit(write_set change, completion done) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back({std::move(change), std::move(done)});
        ++submitted_;
    }
    wake_.notify_one();
}

void commit_pipeline::drain() {
    std::unique_lock lock(mutex_);
    auto const target = submitted_;
    idle_.wait(lock, [&] { return completed_ >= target; });
}

void commit_pipeline::run() {
    std::vector<pending> batch;
    std::vector<write_set const*> sets;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return; // stopping, nothing left
            // Everything that queued up while the last batch was on disk goes in this one.
            while (!queue_.empty() && batch.size() < max_batch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        sets.clear();
        for (auto const& p : batch) sets.push_back(&p.change);

        auto const started = std::chrono::steady_clock::now();
        auto const error = store_.write(sets);
        metrics_.commit_batch(batch.size(), std::chrono::steady_clock::now() - started, !error);

        for (auto& p : batch)
            if (p.done) p.done(error);
        {
            std::lock_guard lock(mutex_);
            completed_ += batch.size();
        }
        idle_.notify_all();
        batch.clear();
    }
}

} // namespace parley::store
