// The store's commit path alone: rocks_store::write() on the write sets the server makes
// for typical parts, in batches of 1, 16 and 128 per call, with the WAL fsynced or not.
// This is the "store ceiling" of BENCH.md: `pairs` is read against sync:0 and `sync`
// against sync:1, as db_bench fillseq is read against the disk.

#include "scratch_store.hpp"
#include "typical_part.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace parley::micro {
namespace {

/// Prepared write sets cycled through; at least the largest batch, so no write set
/// appears twice in one batch.
constexpr std::size_t pool_size = 256;

/// Commits batches of state.range(0) parts, fsynced when state.range(1) is 1.
void store_commit(benchmark::State& state) {
    auto const batch = static_cast<std::size_t>(state.range(0));
    bool const sync = state.range(1) != 0;
    scratch_store scratch(sync);

    // Built once: the records' JSON is json_bench's business, not the store's.
    std::vector<store::write_set> pool;
    for (std::size_t i = 0; i < pool_size; ++i) {
        pool.push_back(part_write_set(i % conversations + 1, i + 1));
    }
    std::vector<store::write_set const*> sets(batch);
    std::uint64_t last_id = 0;
    std::size_t slot = 0;
    std::string error;

    for (auto _ : state) {
        // Every part gets the next id, as the server assigns them: no key is written twice.
        for (auto& set : sets) {
            auto& change = pool[slot];
            slot = (slot + 1) % pool_size;
            renumber(change, ++last_id);
            set = &change;
        }
        if (auto err = scratch.get().write(sets)) {
            error = err->message;
            state.SkipWithError(error.c_str());
            break;
        }
    }
    auto const parts = state.iterations() * static_cast<std::int64_t>(batch);
    state.SetItemsProcessed(parts);
    state.SetBytesProcessed(parts * static_cast<std::int64_t>(payload_bytes(pool[0])));
}

// Real time: with sync the thread waits for the disk, and RocksDB flushes on its own
// threads; CPU time of this thread would flatter both.
BENCHMARK(store_commit)
    ->ArgNames({"batch", "sync"})
    ->ArgsProduct({{1, 16, 128}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

} // namespace
} // namespace parley::micro
