#include <parley/store/keyspace.hpp>
#include <parley/store/rocks_store.hpp>

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace parley::store {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<rocks_store> open_ok(std::string const& path, bool sync = false) {
    auto opened = rocks_store::open(store_options{path, sync});
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(opened).value() : nullptr;
}

bool is_epoch(std::string const& e) {
    return e.size() == 16 && std::all_of(e.begin(), e.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

TEST(rocks_store, open_creates_the_directory_with_parents_and_an_epoch) {
    test::temp_dir dir;
    auto const path = dir.path() / "a" / "b" / "data";
    ASSERT_FALSE(fs::exists(path));
    auto store = open_ok(path.string());
    ASSERT_TRUE(store);
    EXPECT_TRUE(fs::is_directory(path));
    EXPECT_TRUE(fs::exists(path / "CURRENT")); // a RocksDB database, not just a folder
    EXPECT_TRUE(is_epoch(store->epoch())) << store->epoch();
}

TEST(rocks_store, reopen_keeps_the_epoch) {
    test::temp_dir dir;
    std::string epoch;
    {
        auto store = open_ok(dir.str());
        ASSERT_TRUE(store);
        epoch = store->epoch();
        EXPECT_FALSE(store->close());
    }
    auto again = open_ok(dir.str());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->epoch(), epoch);
}

TEST(rocks_store, reopen_after_destructor_without_close_keeps_the_epoch) {
    test::temp_dir dir;
    std::string epoch;
    {
        auto store = open_ok(dir.str(), true);
        ASSERT_TRUE(store);
        epoch = store->epoch();
    }
    auto again = open_ok(dir.str(), true);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->epoch(), epoch);
}

TEST(rocks_store, different_directories_get_different_epochs) {
    test::temp_dir one;
    test::temp_dir two;
    auto a = open_ok(one.str());
    auto b = open_ok(two.str());
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->epoch(), b->epoch());
}

TEST(rocks_store, second_open_of_the_same_directory_is_locked) {
    test::temp_dir dir;
    auto first = open_ok(dir.str());
    ASSERT_TRUE(first);
    auto second = rocks_store::open(store_options{dir.str(), false});
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().kind, store_error::kind::locked);
    EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;
    EXPECT_NE(second.error().message.find(dir.str()), std::string::npos) << second.error().message;
    // The refusal did not harm the open database, and the lock goes with close().
    auto const epoch = first->epoch();
    EXPECT_FALSE(first->close());
    auto third = open_ok(dir.str());
    ASSERT_TRUE(third);
    EXPECT_EQ(third->epoch(), epoch);
}

TEST(rocks_store, close_twice_is_harmless) {
    test::temp_dir dir;
    auto store = open_ok(dir.str());
    ASSERT_TRUE(store);
    EXPECT_FALSE(store->close());
    EXPECT_FALSE(store->close());
    store.reset(); // the destructor closes a third time
    EXPECT_TRUE(open_ok(dir.str()));
}

TEST(rocks_store, path_that_is_a_file_is_an_io_error) {
    test::temp_dir dir;
    auto const file = dir.write("not-a-dir", "x");
    auto opened = rocks_store::open(store_options{(file / "data").string(), false});
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().kind, store_error::kind::io);
    EXPECT_TRUE(opened.error().message.starts_with("storage.path ")) << opened.error().message;
}

TEST(rocks_store, every_column_family_exists) {
    test::temp_dir dir;
    {
        auto store = open_ok(dir.str());
        ASSERT_TRUE(store);
        EXPECT_FALSE(store->close());
    }
    std::vector<std::string> names;
    auto const status = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.str(), &names);
    ASSERT_TRUE(status.ok()) << status.ToString();
    for (auto column : all_columns)
        EXPECT_NE(std::find(names.begin(), names.end(), column), names.end()) << column;
    EXPECT_NE(std::find(names.begin(), names.end(), rocksdb::kDefaultColumnFamilyName),
              names.end());
    EXPECT_EQ(names.size(), all_columns.size() + 1);
}

TEST(rocks_store, epoch_is_stored_in_the_meta_family) {
    test::temp_dir dir;
    std::string epoch;
    {
        auto store = open_ok(dir.str());
        ASSERT_TRUE(store);
        epoch = store->epoch();
        EXPECT_FALSE(store->close());
    }
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{});
    for (auto column : all_columns)
        families.emplace_back(std::string(column), rocksdb::ColumnFamilyOptions{});
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    auto status =
        rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir.str(), families, &handles, &raw);
    ASSERT_TRUE(status.ok()) << status.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_EQ(handles.back()->GetName(), column::meta);
    std::string stored;
    status = db->Get(rocksdb::ReadOptions(), handles.back(), std::string(meta_key::epoch), &stored);
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(stored, epoch);
    for (auto* h : handles)
        db->DestroyColumnFamilyHandle(h);
}

} // namespace
} // namespace parley::store

namespace parley::store {
namespace {

std::string idempotency_value(std::uint64_t id, std::int64_t written_ms) {
    return key::encode_u64(id) + key::encode_u64(static_cast<std::uint64_t>(written_ms));
}

TEST(rocks_store, compaction_drops_idempotency_keys_older_than_the_window) {
    test::temp_dir dir;
    auto opened = rocks_store::open(store_options{dir.str(), false, 60});
    ASSERT_TRUE(opened) << opened.error().message;
    auto& store = **opened;
    auto const now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    write_set w;
    w.add(family::idempotency, "old", idempotency_value(7, now - 61'000));
    w.add(family::idempotency, "recent", idempotency_value(8, now - 59'000));
    w.add(family::idempotency, "future", idempotency_value(9, now + 3'600'000)); // a clock stepped back
    w.add(family::idempotency, "not-ours", "short");
    w.add(family::parts, key::part(1, 1), idempotency_value(1, 0)); // other families are left alone
    write_set const* sets[] = {&w};
    ASSERT_FALSE(store.write(sets));
    ASSERT_FALSE(store.compact(family::idempotency));
    ASSERT_FALSE(store.compact(family::parts));
    EXPECT_EQ(*store.get(family::idempotency, "old"), std::nullopt) << "past the window: dropped";
    EXPECT_TRUE(store.get(family::idempotency, "recent")->has_value());
    EXPECT_TRUE(store.get(family::idempotency, "future")->has_value());
    EXPECT_TRUE(store.get(family::idempotency, "not-ours")->has_value());
    EXPECT_TRUE(store.get(family::parts, key::part(1, 1))->has_value());
}

TEST(rocks_store, memory_stays_within_the_cache_and_memtable_budgets) {
    test::temp_dir dir;
    store_options options{dir.str()};
    options.cache_bytes = 1u << 20;
    options.memtable_bytes = 4u << 20;
    auto opened = rocks_store::open(options);
    ASSERT_TRUE(opened) << opened.error().message;
    auto& store = **opened;
    // 32 MB of parts: without the budget they would all sit in one 64 MB memtable.
    std::string const body(1024, 'x');
    std::uint64_t peak = 0;
    for (std::uint64_t batch = 0; batch < 32; ++batch) {
        write_set w;
        for (std::uint64_t i = 0; i < 1024; ++i) w.add(family::parts, key::part(batch + 1, i + 1), body);
        write_set const* sets[] = {&w};
        ASSERT_FALSE(store.write(sets));
        peak = std::max(peak, store.memory().memtables);
    }
    // The active memtable and one being flushed, however far flushes lag (a quarter of
    // the budget each), and a little more for their arenas.
    EXPECT_LE(peak, options.memtable_bytes + (1u << 20));
    EXPECT_GT(peak, 0u);
    for (std::uint64_t batch = 0; batch < 32; ++batch)
        for (std::uint64_t i = 0; i < 1024; i += 7) ASSERT_TRUE(store.get(family::parts, key::part(batch + 1, i + 1))->has_value());
    auto const cached = store.memory().block_cache;
    EXPECT_GT(cached, 0u);
    // LRU capacity, plus what is pinned (level 0's index and filter blocks).
    EXPECT_LE(cached, 2 * options.cache_bytes);
}

} // namespace
} // namespace parley::store
