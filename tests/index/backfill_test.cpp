#include <parley/index/backfill.hpp>
#include <parley/index/conversation_query.hpp>
#include <parley/index/index_keys.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/protocol/conversation_counters.hpp>
#include <parley/store/keyspace.hpp>

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace parley::index {
namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

class backfill_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::rocks_store::open({dir_.str(), false});
        ASSERT_TRUE(opened);
        store_ = std::move(*opened);
    }

    /// Conversations as a version without indexes stored them: record and counters.
    void put_conversations(std::uint64_t n) {
        store::write_set w;
        for (std::uint64_t i = 1; i <= n; ++i) {
            protocol::conversation c;
            c.id = i;
            c.site = "demo";
            c.visitor = {"v-" + std::to_string(i), std::nullopt};
            c.created_at = t0 + static_cast<std::int64_t>(i) * 1000;
            c.updated_at = c.created_at + 500;
            c.status = i % 2 ? "queued" : "finished";
            c.message_count = i;
            w.add(store::family::conversations, store::key::conversation(i), protocol::to_stored(c));
            w.add(store::family::conversations, store::key::conversation_counters(i), protocol::encode_counters(c));
        }
        write(w);
    }

    void write(store::write_set const& w) {
        store::write_set const* sets[] = {&w};
        ASSERT_FALSE(store_->write(sets));
    }

    std::size_t index_keys() {
        auto keys = store_->scan_keys(store::family::indexes, {{}, {}, {}, 1'000'000, false});
        EXPECT_TRUE(keys);
        return keys ? keys->size() : 0;
    }

    list_page list(list_query q) {
        q.site = "demo";
        auto got = run(*store_, q);
        EXPECT_TRUE(got);
        return got ? *got : list_page{};
    }

    test::temp_dir dir_;
    std::unique_ptr<store::rocks_store> store_;
};

TEST_F(backfill_test, a_store_without_indexes_gets_every_conversation_indexed) {
    put_conversations(30);
    auto done = backfill(*store_);
    ASSERT_TRUE(done);
    EXPECT_EQ(*done, 30u);
    EXPECT_EQ(list({}).total, 30u);
    list_query q;
    q.status = std::vector<std::string>{"finished"};
    q.sort = sort_column::message_count;
    auto page = list(q);
    EXPECT_EQ(page.total, 15u);
    ASSERT_FALSE(page.ids.empty());
    EXPECT_EQ(page.ids.front(), 30u);
    auto version = store_->get(store::family::meta, "index_version");
    ASSERT_TRUE(version && *version);
    EXPECT_EQ(**version, layout_version);
}

TEST_F(backfill_test, a_store_at_this_layout_is_left_alone) {
    put_conversations(5);
    ASSERT_TRUE(backfill(*store_));
    auto const keys = index_keys();
    auto again = backfill(*store_);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0u);
    EXPECT_EQ(index_keys(), keys);
}

TEST_F(backfill_test, an_earlier_layouts_entries_are_removed_before_rebuilding) {
    put_conversations(5);
    ASSERT_TRUE(backfill(*store_));
    auto const keys = index_keys();
    // What an earlier layout left: an entry at an exact updated_at and an old version.
    store::write_set old;
    old.add(store::family::indexes, entry(kind::updated_at, "demo", static_cast<std::uint64_t>(t0) + 1500, 1), {});
    old.add(store::family::meta, "index_version", "1");
    write(old);
    ASSERT_EQ(index_keys(), keys + 1);

    auto done = backfill(*store_);
    ASSERT_TRUE(done);
    EXPECT_EQ(*done, 5u);
    EXPECT_EQ(index_keys(), keys);
    list_query q;
    q.updated_at = bounds{static_cast<std::uint64_t>(t0), static_cast<std::uint64_t>(t0) + 2000};
    EXPECT_EQ(list(q).ids, std::vector<std::uint64_t>{1});
}

} // namespace
} // namespace parley::index
