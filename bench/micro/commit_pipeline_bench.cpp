// Group commit through the real commit_pipeline: `submitters` threads keep `in_flight`
// parts outstanding in total, each waiting for a completion before it submits again, as
// connections wait for their acks. Read against store_commit: with many parts waiting
// the pipeline should approach the large-batch figure, with sync too.

#include "scratch_store.hpp"
#include "typical_part.hpp"

#include <parley/store/commit_pipeline.hpp>
#include <parley/telemetry/metrics.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <semaphore>
#include <thread>
#include <vector>

namespace parley::micro {
namespace {

/// What the submitters share with the benchmark thread.
struct shared_run {
    /// Completions the benchmark thread waits for per iteration: few enough that a slow
    /// fsync still gives many iterations, enough that waking it costs next to nothing.
    std::uint64_t parts_per_iteration = 0;
    std::atomic<std::uint64_t> last_id{0};
    std::atomic<std::uint64_t> completed{0};
    std::atomic<bool> stopping{false};
    std::atomic<bool> failed{false};
};

/// One submitter: writes to conversations first, first + step, ... with `window` parts
/// outstanding. Ids come from one counter without a common lock, so the pipeline sees
/// them slightly out of order across submitters; the store does not care.
void submit_parts(store::commit_log& log, shared_run& run, std::uint64_t first, std::uint64_t step,
                  std::ptrdiff_t window) {
    std::vector<store::write_set> templates;
    for (auto c = first; c <= conversations; c += step) templates.push_back(part_write_set(c, 0));
    std::counting_semaphore<> slots(window);
    for (std::size_t next = 0; !run.stopping.load(std::memory_order_relaxed); ++next) {
        slots.acquire();
        // A copy per part: the server builds these strings for every part too.
        auto change = templates[next % templates.size()];
        renumber(change, run.last_id.fetch_add(1, std::memory_order_relaxed) + 1);
        log.submit(std::move(change), [&run, &slots](std::optional<store::store_error> const& err) {
            if (err) run.failed.store(true, std::memory_order_relaxed);
            if ((run.completed.fetch_add(1, std::memory_order_relaxed) + 1) % run.parts_per_iteration == 0)
                run.completed.notify_all();
            slots.release();
        });
    }
    // The completions still pending use `slots`: wait for all of them before it goes.
    for (std::ptrdiff_t i = 0; i < window; ++i) slots.acquire();
}

void commit_pipeline(benchmark::State& state) {
    auto const submitters = static_cast<std::uint64_t>(state.range(0));
    auto const window = static_cast<std::ptrdiff_t>(state.range(1)) / state.range(0);
    scratch_store scratch(state.range(2) != 0);
    telemetry::metrics metrics;
    store::commit_pipeline pipeline(scratch.get(), metrics);
    shared_run run;
    run.parts_per_iteration = static_cast<std::uint64_t>(std::min<std::int64_t>(16 * state.range(1), 256));
    std::vector<std::jthread> threads;
    for (std::uint64_t s = 0; s < submitters; ++s)
        threads.emplace_back([&, s] { submit_parts(pipeline, run, s + 1, submitters, window); });

    auto const before = run.completed.load();
    for (auto _ : state) {
        auto const target = (run.completed.load() / run.parts_per_iteration + 1) * run.parts_per_iteration;
        for (auto seen = run.completed.load(); seen < target; seen = run.completed.load()) run.completed.wait(seen);
    }
    auto const parts = static_cast<std::int64_t>(run.completed.load() - before);

    run.stopping = true;
    threads.clear(); // joins
    pipeline.drain();
    if (run.failed) state.SkipWithError("a commit failed");
    state.SetItemsProcessed(parts);
}

BENCHMARK(commit_pipeline)
    ->ArgNames({"submitters", "in_flight", "sync"})
    ->ArgsProduct({{1}, {1}, {0, 1}})
    ->ArgsProduct({{4}, {16, 400}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

} // namespace
} // namespace parley::micro
