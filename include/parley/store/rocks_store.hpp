#pragma once

#include <parley/expected.hpp>
#include <parley/store/write_set.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

/// Why the store could not do what was asked. `rocksdb::Status` never leaves store/.
struct store_error {
    enum class kind {
        locked,     ///< another process holds the data directory
        io,         ///< the file system refused (permissions, disk full, ...)
        corruption, ///< the data on disk is not readable as parley's database
    };
    kind kind;
    std::string message;
};

struct store_options {
    /// Directory of the database; created (with parents) when missing.
    std::string path;
    /// fsync the WAL on every commit batch. Default: false
    bool sync = false;
    /// How long idempotency keys are kept (`limits.idempotency_window_s`): compactions
    /// drop older ones, and every file of the family is compacted at least that often.
    std::int64_t idempotency_window_s = 86400;
    /// Free bytes the filesystem keeps: below them write() refuses without asking
    /// RocksDB, which never meets a full disk then (Debian's build aborts on some of its
    /// disk-full paths). 0 = no check.
    std::uint64_t min_free_bytes = 0;
    /// One block cache for every family, holding data blocks and the index and filter
    /// blocks too, so reads cost bounded memory however large the store grows.
    std::uint64_t cache_bytes = 64ull << 20;
    /// Memtables of all families together: past it the largest one is flushed.
    std::uint64_t memtable_bytes = 128ull << 20;
};

/// What the store holds in memory now (`/metrics`): bounded by the options above, plus
/// the memtables being flushed.
struct store_memory {
    std::uint64_t memtables = 0;   ///< every family's memtables, flushing ones included
    std::uint64_t block_cache = 0; ///< data, index and filter blocks in the shared cache
};

/// The RocksDB database holding everything parley stores (SPEC §7).
/// @note Thread-safe: RocksDB handles concurrent reads and writes internally.
class rocks_store {
public:
    /// Opens (or creates) the database at `options.path` with every column family.
    /// A new database gets a fresh epoch; an existing one keeps its own.
    /// @return the open store, or `locked` when another process has it open.
    static expected<std::unique_ptr<rocks_store>, store_error> open(store_options const& options);

    ~rocks_store();
    rocks_store(rocks_store const&) = delete;
    rocks_store& operator=(rocks_store const&) = delete;

    /// The epoch of this data directory: ids are comparable only within one epoch.
    std::string const& epoch() const;

    /// The id high-water marks as of open(); ids above them are free.
    id_marks marks() const;

    /// Applies every write set in one RocksDB WriteBatch: one WAL write, and one fsync
    /// when the store was opened with `sync`. The high-water marks are raised to the
    /// largest ids in `sets`.
    /// @return nullopt on success; on error nothing of `sets` is applied.
    /// @note Thread-safe, but callers should funnel writes through one commit_pipeline
    /// so concurrent writers share a batch.
    [[nodiscard]] std::optional<store_error> write(std::span<write_set const* const> sets);

    /// Whether writes go through. They stop when the filesystem's free space falls below
    /// `min_free_bytes`, or when a write fails (RocksDB then refuses every write until it
    /// is resumed): `/readyz` says so, and write() and resume() look again, at most once
    /// a second.
    /// @note Thread-safe and lock-free.
    bool writable() const;

    /// If writes are refused, checks the free space again and asks RocksDB to resume
    /// (once the cause is gone it flushes and takes writes again).
    /// @return whether the store is writable now.
    /// @note Does disk I/O: call it from the committer, never from an I/O thread.
    bool resume();

    /// Reads one record. @return the value, nullopt when absent, or the error.
    expected<std::optional<std::string>, store_error> get(family column, std::string_view key) const;

    struct range {
        std::string prefix;      ///< only keys starting with this
        std::string after;       ///< exclusive lower bound (empty = from the start)
        std::string before;      ///< exclusive upper bound (empty = to the end)
        std::size_t limit = 50;  ///< at most this many records
        bool from_end = false;   ///< take the last `limit` records instead of the first
        std::size_t skip = 0;    ///< step over this many records first (an offset), unread
    };

    struct record {
        std::string key;
        std::string value;
    };

    /// Records in `r`, always returned in increasing key order, read from one
    /// consistent snapshot.
    expected<std::vector<record>, store_error> scan(family column, range const& r) const;

    /// The keys of scan(): for indexes, whose entries carry everything in the key.
    expected<std::vector<std::string>, store_error> scan_keys(family column, range const& r) const;

    /// How many records scan() would return, without copying any.
    expected<std::size_t, store_error> count(family column, range const& r) const;

    /// Keys read so far by get() and by every scan: what `/metrics` reports as
    /// `parley_store_keys_read_total`, so a query's cost is observable.
    std::uint64_t keys_read() const;

    /// @note Thread-safe; reads RocksDB's counters, no I/O.
    store_memory memory() const;

    /// Flushes and compacts one family now. RocksDB picks its own times otherwise; this
    /// is for maintenance and tests (expired idempotency keys go at once).
    [[nodiscard]] std::optional<store_error> compact(family column);

    /// @return an error when the final WAL flush fails.
    [[nodiscard]] std::optional<store_error> close();

    struct impl;

private:
    explicit rocks_store(std::unique_ptr<impl> impl);
    template <class Visit>
    std::optional<store_error> walk(family column, range const& r, Visit&& visit) const;
    std::unique_ptr<impl> impl_;
};

} // namespace parley::store
