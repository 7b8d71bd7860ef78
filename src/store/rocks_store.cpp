#include "idempotency_expiry.hpp"

#include <parley/store/keyspace.hpp>
#include <parley/store/rocks_store.hpp>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <atomic>
#include <mutex>
#include <random>
#include <vector>

namespace parley::store {

struct rocks_store::impl {
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    std::string epoch;
    bool sync = false;
    id_marks opened_marks;
    /// Marks already on disk, so a batch only writes the ones it raises.
    /// Touched only inside write(), which holds write_mutex.
    id_marks written_marks;
    std::mutex write_mutex;
    /// Keys returned by get() or stepped over by an iterator: what a query cost.
    mutable std::atomic<std::uint64_t> keys_read{0};
    /// Referenced by the idempotency family's options: lives as long as the database.
    std::unique_ptr<idempotency_expiry> expiry;
    /// A write failed and RocksDB has not been resumed since.
    std::atomic<bool> refusing{false};
    /// When resume() last asked RocksDB; touched under resume_mutex.
    std::chrono::steady_clock::time_point last_resume{};
    std::string refusal;
    std::mutex resume_mutex;
    std::string path;
    std::uint64_t min_free_bytes = 0;
    /// Shared by every family's table factory.
    std::shared_ptr<rocksdb::Cache> cache;

    /// Why the filesystem has no room for writes, or empty when it has.
    std::string short_of_space() const {
        if (min_free_bytes == 0) return {};
        struct statvfs fs{};
        if (::statvfs(path.c_str(), &fs) != 0) return {};
        auto const free = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
        if (free >= min_free_bytes) return {};
        return "disk full: " + std::to_string(free) + " bytes free, storage.min_free_bytes is " +
               std::to_string(min_free_bytes);
    }

    void refuse(std::string why) {
        std::lock_guard lock(resume_mutex);
        refusal = std::move(why);
        last_resume = std::chrono::steady_clock::now();
        refusing.store(true, std::memory_order_release);
    }

    rocksdb::ColumnFamilyHandle* family(store::family f) const {
        // handles[0] is RocksDB's default family; ours follow in all_columns order.
        return handles[1 + static_cast<std::size_t>(f)];
    }

    rocksdb::ColumnFamilyHandle* family(std::string_view name) const {
        for (auto* h : handles)
            if (h->GetName() == name) return h;
        return nullptr;
    }
};

namespace {

store_error from_status(rocksdb::Status const& s, std::string const& path) {
    // RocksDB reports a held LOCK file as an IOError; say what it means for the operator.
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
        return {store_error::kind::locked,
                "storage.path " + path + ": data directory is in use by another process"};
    if (s.IsCorruption())
        return {store_error::kind::corruption, "storage.path " + path + ": " + s.ToString()};
    return {store_error::kind::io, "storage.path " + path + ": " + s.ToString()};
}

/// Tuning per family, from how parley writes and reads each (see docs/performance.md).
rocksdb::ColumnFamilyOptions family_options(std::string_view name, idempotency_expiry const* expiry,
                                           std::int64_t idempotency_window_s, std::shared_ptr<rocksdb::Cache> cache,
                                           std::uint64_t memtable_bytes) {
    rocksdb::ColumnFamilyOptions options;
    // A family's memtable is at most a quarter of the whole budget: while flushes lag
    // (they run at low priority, and a saturated machine starves them), a family fills
    // its active memtable and one being flushed and then writes wait, so memtables stay
    // within twice the budget even when the budget's own flush trigger cannot keep up.
    options.write_buffer_size = std::clamp<std::uint64_t>(memtable_bytes / 4, 1u << 20, 64u << 20);
    options.max_write_buffer_number = 2;
    rocksdb::BlockBasedTableOptions table;
    // Every family is read by point lookups (conversation, idempotency key, one part)
    // or prefix scans; bloom filters spare the SST reads for keys that are not there.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    // Index and filter blocks live in the shared cache rather than beside each open
    // file: otherwise they grow with the data, and a store that runs for months would
    // hold all of them. Level 0's stay pinned, as every lookup reads them.
    table.block_cache = std::move(cache);
    table.cache_index_and_filter_blocks = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    if (name == column::parts || name == column::events || name == column::conversations) {
        // Keys start with the 8-byte conversation id and grow within it: inserting next
        // to the conversation's previous key skips most of the memtable search.
        options.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
    }
    if (name == column::idempotency) {
        // Every new part looks its random_id up here, and almost always misses: a
        // memtable bloom answers that without walking the skip list.
        options.memtable_prefix_bloom_size_ratio = 0.02;
        options.memtable_whole_key_filtering = true;
        options.compaction_filter = expiry;
        // Files nobody writes into again are still compacted, so their keys expire.
        options.periodic_compaction_seconds = static_cast<std::uint64_t>(std::max<std::int64_t>(idempotency_window_s, 3600));
    }
    return options;
}

std::string new_epoch() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned> nibble(0, 15);
    std::string e(16, '0');
    for (auto& c : e) c = "0123456789abcdef"[nibble(rd)];
    return e;
}

} // namespace

expected<std::unique_ptr<rocks_store>, store_error> rocks_store::open(store_options const& options) {
    std::error_code fs_ec;
    std::filesystem::create_directories(options.path, fs_ec);
    if (fs_ec)
        return unexpected{store_error{store_error::kind::io,
                                      "storage.path " + options.path + ": " + fs_ec.message()}};

    rocksdb::DBOptions db_options;
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    // The server logs its own events; RocksDB's LOG file stays in the data dir.
    db_options.keep_log_file_num = 5;
    // Table files stay open (their index and filter blocks are in the cache), but not
    // all of them forever: a store that grows for months would hold one descriptor each.
    db_options.max_open_files = 1024;
    // Flushes and compactions yield to the threads that serve clients: a memtable flush
    // competing at equal priority stalls a busy core for tens of milliseconds, which is
    // exactly what p99 latency sees. Idle time is plentiful except at saturation.
    for (auto pool : {rocksdb::Env::Priority::HIGH, rocksdb::Env::Priority::LOW})
        (void)rocksdb::Env::Default()->LowerThreadPoolCPUPriority(pool, rocksdb::CpuPriority::kLow);

    auto state = std::make_unique<impl>();
    state->expiry = std::make_unique<idempotency_expiry>(options.idempotency_window_s);
    state->path = options.path;
    state->min_free_bytes = options.min_free_bytes;
    state->cache = rocksdb::NewLRUCache(options.cache_bytes);
    // Past the budget the largest memtable is flushed. (Its allow_stall mode, which would
    // make writes wait instead, can wait forever in this RocksDB: a family's own memtable
    // size bounds a flush that falls behind instead, see family_options.)
    db_options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(options.memtable_bytes);
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{});
    for (auto name : all_columns)
        families.emplace_back(std::string(name), family_options(name, state->expiry.get(), options.idempotency_window_s, state->cache,
                                                              options.memtable_bytes));

    state->sync = options.sync;
    rocksdb::DB* raw = nullptr;
    auto status = rocksdb::DB::Open(db_options, options.path, families, &state->handles, &raw);
    if (!status.ok()) return unexpected{from_status(status, options.path)};
    state->db.reset(raw);

    auto* meta = state->family(column::meta);
    std::string epoch;
    status = state->db->Get(rocksdb::ReadOptions{}, meta, std::string(meta_key::epoch), &epoch);
    if (status.IsNotFound()) {
        epoch = new_epoch();
        rocksdb::WriteOptions durable;
        durable.sync = true;
        status = state->db->Put(durable, meta, std::string(meta_key::epoch), epoch);
    }
    if (!status.ok()) {
        auto err = from_status(status, options.path);
        for (auto* h : state->handles) state->db->DestroyColumnFamilyHandle(h);
        state->handles.clear();
        return unexpected{std::move(err)};
    }
    state->epoch = std::move(epoch);
    for (auto [name, mark] : {std::pair{meta_key::last_part_id, &state->opened_marks.last_part_id},
                              std::pair{meta_key::last_conversation_id, &state->opened_marks.last_conversation_id},
                              std::pair{meta_key::last_event_id, &state->opened_marks.last_event_id}}) {
        std::string value;
        auto got = state->db->Get(rocksdb::ReadOptions{}, meta, std::string(name), &value);
        if (got.ok()) *mark = key::decode_u64(value);
        else if (!got.IsNotFound()) return unexpected{from_status(got, options.path)};
    }
    state->written_marks = state->opened_marks;
    return std::unique_ptr<rocks_store>(new rocks_store(std::move(state)));
}

rocks_store::rocks_store(std::unique_ptr<impl> impl) : impl_(std::move(impl)) {}

rocks_store::~rocks_store() {
    // A failure here has nowhere to go; close() is the path that reports it.
    (void)close();
}

std::string const& rocks_store::epoch() const { return impl_->epoch; }

id_marks rocks_store::marks() const { return impl_->opened_marks; }

std::optional<store_error> rocks_store::write(std::span<write_set const* const> sets) {
    std::lock_guard lock(impl_->write_mutex);
    rocksdb::WriteBatch batch;
    auto marks = impl_->written_marks;
    for (auto const* set : sets) {
        for (auto const& [column, k] : set->erases) batch.Delete(impl_->family(column), k);
        for (auto const& put : set->puts) batch.Put(impl_->family(put.column), put.key, put.value);
        marks.last_part_id = std::max(marks.last_part_id, set->last_part_id);
        marks.last_conversation_id = std::max(marks.last_conversation_id, set->last_conversation_id);
        marks.last_event_id = std::max(marks.last_event_id, set->last_event_id);
    }
    auto* meta = impl_->family(family::meta);
    auto raise = [&](std::string_view name, std::uint64_t now, std::uint64_t before) {
        if (now > before) batch.Put(meta, std::string(name), key::encode_u64(now));
    };
    raise(meta_key::last_part_id, marks.last_part_id, impl_->written_marks.last_part_id);
    raise(meta_key::last_conversation_id, marks.last_conversation_id, impl_->written_marks.last_conversation_id);
    raise(meta_key::last_event_id, marks.last_event_id, impl_->written_marks.last_event_id);

    if (!resume()) {
        std::lock_guard lock(impl_->resume_mutex);
        return store_error{store_error::kind::io, impl_->refusal};
    }
    if (auto why = impl_->short_of_space(); !why.empty()) {
        impl_->refuse(why);
        return store_error{store_error::kind::io, why};
    }
    rocksdb::WriteOptions options;
    options.sync = impl_->sync;
    auto status = impl_->db->Write(options, &batch);
    if (!status.ok()) {
        auto err = from_status(status, impl_->db->GetName());
        impl_->refuse(err.message);
        return err;
    }
    impl_->written_marks = marks;
    return std::nullopt;
}

bool rocks_store::writable() const { return !impl_->refusing.load(std::memory_order_acquire); }

bool rocks_store::resume() {
    if (writable()) return true;
    std::lock_guard lock(impl_->resume_mutex);
    auto const now = std::chrono::steady_clock::now();
    // Each attempt flushes or fails against the full disk: not more than once a second.
    if (now - impl_->last_resume < std::chrono::seconds(1)) return false;
    impl_->last_resume = now;
    if (auto why = impl_->short_of_space(); !why.empty()) {
        impl_->refusal = std::move(why);
        return false;
    }
    auto const status = impl_->db->Resume();
    if (!status.ok()) {
        impl_->refusal = from_status(status, impl_->db->GetName()).message;
        return false;
    }
    impl_->refusing.store(false, std::memory_order_release);
    return true;
}

expected<std::optional<std::string>, store_error> rocks_store::get(family column, std::string_view k) const {
    std::string value;
    impl_->keys_read.fetch_add(1, std::memory_order_relaxed);
    auto status = impl_->db->Get(rocksdb::ReadOptions{}, impl_->family(column), rocksdb::Slice(k.data(), k.size()), &value);
    if (status.IsNotFound()) return std::optional<std::string>{};
    if (!status.ok()) return unexpected{from_status(status, impl_->db->GetName())};
    return std::optional<std::string>{std::move(value)};
}

namespace {

/// The first key after every key starting with `prefix` ("" when there is none).
std::string past_prefix(std::string prefix) {
    while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xFF) prefix.pop_back();
    if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
    return prefix;
}

} // namespace

template <class Visit>
std::optional<store_error> rocks_store::walk(family column, range const& r, Visit&& visit) const {
    // Bounds let RocksDB skip memtable and file data outside the range, and make a
    // backward scan a SeekToLast inside them instead of a search from past the prefix.
    std::string const lower = r.prefix;
    std::string const upper = !r.before.empty() ? r.before : past_prefix(r.prefix);
    rocksdb::Slice const lower_slice(lower), upper_slice(upper);
    rocksdb::ReadOptions options;
    options.total_order_seek = true;
    options.iterate_lower_bound = &lower_slice;
    if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(options, impl_->family(column)));
    auto in_range = [&](rocksdb::Slice k) {
        auto const sv = std::string_view(k.data(), k.size());
        if (!sv.starts_with(r.prefix)) return false;
        if (!r.after.empty() && sv <= std::string_view(r.after)) return false;
        if (!r.before.empty() && sv >= std::string_view(r.before)) return false;
        return true;
    };
    std::size_t seen = 0, skipped = 0;
    auto step = [&](auto&& advance) {
        for (; it->Valid() && skipped < r.skip && in_range(it->key()); advance()) ++skipped;
        for (; it->Valid() && seen < r.limit && in_range(it->key()); advance(), ++seen) visit(*it);
    };
    if (!r.from_end) {
        it->Seek(r.after.empty() ? r.prefix : r.after);
        if (it->Valid() && !r.after.empty() && it->key() == rocksdb::Slice(r.after)) it->Next();
        step([&] { it->Next(); });
    } else {
        it->SeekToLast();
        step([&] { it->Prev(); });
    }
    impl_->keys_read.fetch_add(seen + skipped, std::memory_order_relaxed);
    if (!it->status().ok()) return from_status(it->status(), impl_->db->GetName());
    return std::nullopt;
}

expected<std::vector<rocks_store::record>, store_error> rocks_store::scan(family column, range const& r) const {
    std::vector<record> out;
    auto err = walk(column, r, [&](rocksdb::Iterator const& it) {
        out.push_back({it.key().ToString(), it.value().ToString()});
    });
    if (err) return unexpected{std::move(*err)};
    if (r.from_end) std::reverse(out.begin(), out.end());
    return out;
}

expected<std::vector<std::string>, store_error> rocks_store::scan_keys(family column, range const& r) const {
    std::vector<std::string> out;
    auto err = walk(column, r, [&](rocksdb::Iterator const& it) { out.push_back(it.key().ToString()); });
    if (err) return unexpected{std::move(*err)};
    if (r.from_end) std::reverse(out.begin(), out.end());
    return out;
}

expected<std::size_t, store_error> rocks_store::count(family column, range const& r) const {
    std::size_t n = 0;
    auto err = walk(column, r, [&](rocksdb::Iterator const&) { ++n; });
    if (err) return unexpected{std::move(*err)};
    return n;
}

std::uint64_t rocks_store::keys_read() const { return impl_->keys_read.load(std::memory_order_relaxed); }

store_memory rocks_store::memory() const {
    store_memory m;
    std::uint64_t value = 0;
    if (impl_->db->GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &value)) m.memtables = value;
    m.block_cache = impl_->cache->GetUsage();
    return m;
}

std::optional<store_error> rocks_store::compact(family column) {
    auto* handle = impl_->family(column);
    auto status = impl_->db->Flush(rocksdb::FlushOptions{}, handle);
    if (status.ok()) status = impl_->db->CompactRange(rocksdb::CompactRangeOptions{}, handle, nullptr, nullptr);
    if (!status.ok()) return from_status(status, "compact");
    return std::nullopt;
}

std::optional<store_error> rocks_store::close() {
    if (!impl_->db) return std::nullopt;
    std::optional<store_error> result;
    auto status = impl_->db->FlushWAL(true);
    if (!status.ok()) result = from_status(status, impl_->db->GetName());
    for (auto* h : impl_->handles) impl_->db->DestroyColumnFamilyHandle(h);
    impl_->handles.clear();
    status = impl_->db->Close();
    if (!status.ok() && !result) result = from_status(status, impl_->db->GetName());
    impl_->db.reset();
    return result;
}

} // namespace parley::store
