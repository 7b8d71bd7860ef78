#include <parley/index/conversation_query.hpp>
#include <parley/index/index_keys.hpp>
#include <parley/protocol/conversation_counters.hpp>
#include <parley/store/keyspace.hpp>

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace parley::index {
namespace {

constexpr std::int64_t hour = 3'600'000;
constexpr std::int64_t t0 = 1'700'000'000'000;

/// A real store holding rows and entries written exactly as the relay writes them,
/// and the same rows in memory for a brute-force answer to compare with.
class conversation_query_test : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::rocks_store::open({dir_.str(), false});
        ASSERT_TRUE(opened);
        store_ = std::move(*opened);
    }

    /// The row's entries and, as the relay writes them beside, its counters: where a
    /// query finds the exact updated_at and message_count.
    void put(conversation_row const& r, std::optional<conversation_row> const& before = std::nullopt) {
        store::write_set w;
        add_changes(w, before, r);
        protocol::conversation c;
        c.id = r.id;
        c.updated_at = r.updated_at;
        c.message_count = r.message_count;
        w.add(store::family::conversations, store::key::conversation_counters(r.id), protocol::encode_counters(c));
        store::write_set const* sets[] = {&w};
        ASSERT_FALSE(store_->write(sets));
        auto it = std::find_if(rows_.begin(), rows_.end(), [&](auto const& x) { return x.id == r.id; });
        if (it == rows_.end()) rows_.push_back(r);
        else *it = r;
    }

    void fill(std::size_t n, unsigned seed) {
        std::mt19937 rng(seed);
        auto pick = [&](auto const& options) { return options[rng() % options.size()]; };
        std::vector<std::string> statuses{"queued", "assigned", "finished"};
        std::vector<std::string> agents{"op-1", "op-2", "op-3"};
        std::vector<std::string> departments{"sales", "support"};
        std::vector<std::string> tags{"vip", "refund", "bug"};
        for (std::size_t i = 1; i <= n; ++i) {
            conversation_row r;
            r.id = i;
            r.site = i % 7 == 0 ? "other" : "demo";
            r.created_at = t0 + static_cast<std::int64_t>(i) * 60'000 + static_cast<std::int64_t>(rng() % 1000);
            r.updated_at = r.created_at + static_cast<std::int64_t>(rng() % (10 * hour));
            r.status = pick(statuses);
            if (r.status != "queued") r.agent_id = pick(agents);
            if (r.status == "finished") r.ends_at = r.updated_at;
            r.visitor_id = "v-" + std::to_string(rng() % 40);
            if (rng() % 3) r.department = pick(departments);
            r.message_count = rng() % 30;
            if (rng() % 2) r.rating = 1 + static_cast<std::int64_t>(rng() % 5);
            for (auto const& t : tags)
                if (rng() % 4 == 0) r.tags.push_back(t);
            put(r);
        }
    }

    /// What the query should answer, by looking at every row.
    list_page brute_force(list_query const& q) const {
        auto in = [](auto const& list, auto const& v) { return !list || std::find(list->begin(), list->end(), v) != list->end(); };
        auto within = [](std::optional<bounds> const& b, std::optional<std::uint64_t> v) {
            return !b || (v && (!b->from || *v >= *b->from) && (!b->to || *v <= *b->to));
        };
        std::vector<std::pair<std::uint64_t, std::uint64_t>> found;
        for (auto const& r : rows_) {
            if (r.site != q.site) continue;
            if (!in(q.ids, r.id) || !in(q.status, r.status) || !in(q.visitor_id, r.visitor_id)) continue;
            if (q.agent_id && (!r.agent_id || !in(q.agent_id, *r.agent_id))) continue;
            if (q.department && (!r.department || !in(q.department, *r.department))) continue;
            if (q.tag && std::none_of(r.tags.begin(), r.tags.end(), [&](auto const& t) { return in(q.tag, t); })) continue;
            auto u = [](std::int64_t v) { return std::optional<std::uint64_t>(static_cast<std::uint64_t>(v)); };
            if (!within(q.created_at, u(r.created_at)) || !within(q.updated_at, u(r.updated_at)) ||
                !within(q.ends_at, r.ends_at ? u(*r.ends_at) : std::nullopt) ||
                !within(q.message_count, r.message_count) || !within(q.rating, r.rating ? u(*r.rating) : std::nullopt))
                continue;
            if (q.allowed && !q.allowed(r)) continue;
            std::uint64_t key = q.sort == sort_column::created_at      ? static_cast<std::uint64_t>(r.created_at)
                                : q.sort == sort_column::updated_at    ? static_cast<std::uint64_t>(r.updated_at)
                                : q.sort == sort_column::message_count ? r.message_count
                                                                       : r.id;
            found.emplace_back(key, r.id);
        }
        if (q.descending) std::sort(found.begin(), found.end(), std::greater<>());
        else std::sort(found.begin(), found.end());
        list_page page;
        page.total = found.size();
        for (std::size_t i = (q.page - 1) * q.per; i < found.size() && i < q.page * q.per; ++i) page.ids.push_back(found[i].second);
        return page;
    }

    void expect_same(list_query const& q, std::string const& what) {
        SCOPED_TRACE(what);
        auto got = run(*store_, q);
        ASSERT_TRUE(got) << got.error().message;
        auto const want = brute_force(q);
        EXPECT_EQ(got->total, want.total);
        EXPECT_EQ(got->ids, want.ids);
    }

    static list_query demo() {
        list_query q;
        q.site = "demo";
        return q;
    }

    test::temp_dir dir_;
    std::unique_ptr<store::rocks_store> store_;
    std::vector<conversation_row> rows_;
};

TEST_F(conversation_query_test, every_filter_alone_and_combined_matches_a_brute_force_answer) {
    fill(600, 1);
    using strings = std::vector<std::string>;
    auto const c = static_cast<std::uint64_t>(t0);
    std::vector<std::pair<std::string, std::function<void(list_query&)>>> cases{
        {"nothing", [](list_query&) {}},
        {"status", [](list_query& q) { q.status = strings{"queued"}; }},
        {"two statuses", [](list_query& q) { q.status = strings{"queued", "finished"}; }},
        {"agent", [](list_query& q) { q.agent_id = strings{"op-2"}; }},
        {"visitor", [](list_query& q) { q.visitor_id = strings{"v-3", "v-4"}; }},
        {"department", [](list_query& q) { q.department = strings{"sales"}; }},
        {"tag", [](list_query& q) { q.tag = strings{"vip", "bug"}; }},
        {"ids", [](list_query& q) { q.ids = std::vector<std::uint64_t>{1, 2, 3, 5, 8, 13, 14, 99999}; }},
        {"created hour", [c](list_query& q) { q.created_at = bounds{c + hour, c + 2 * hour}; }},
        {"created from", [c](list_query& q) { q.created_at = bounds{c + 300 * 60'000, std::nullopt}; }},
        {"updated to", [c](list_query& q) { q.updated_at = bounds{std::nullopt, c + 3 * hour}; }},
        {"ends", [c](list_query& q) { q.ends_at = bounds{c, c + 5 * hour}; }},
        {"message_count", [](list_query& q) { q.message_count = bounds{10, 12}; }},
        {"rating", [](list_query& q) { q.rating = bounds{4, std::nullopt}; }},
        {"status and created", [c](list_query& q) {
             q.status = strings{"assigned"};
             q.created_at = bounds{c, c + 4 * hour};
         }},
        {"tag, rating and department", [](list_query& q) {
             q.tag = strings{"refund"};
             q.rating = bounds{1, 3};
             q.department = strings{"support"};
         }},
        {"a filter and an access rule that do not meet", [](list_query& q) { q.visitor_id = strings{}; }},
        {"access rule", [](list_query& q) {
             q.allowed = [](conversation_row const& r) { return !r.department || *r.department == "sales"; };
         }},
    };
    for (auto const& [name, apply] : cases)
        for (auto sort : {sort_column::created_at, sort_column::updated_at, sort_column::id, sort_column::message_count})
            for (bool desc : {true, false})
                for (std::uint64_t page : {1, 2, 40}) {
                    auto q = demo();
                    apply(q);
                    q.sort = sort;
                    q.descending = desc;
                    q.page = page;
                    q.per = 7;
                    expect_same(q, name + " sort " + std::to_string(static_cast<int>(sort)) + (desc ? " desc" : " asc") +
                                       " page " + std::to_string(page));
                }
}

TEST_F(conversation_query_test, moved_entries_are_found_at_their_new_values_only) {
    fill(50, 2);
    auto before = rows_[10];
    auto after = before;
    after.status = "finished";
    after.ends_at = after.updated_at = before.updated_at + 5;
    after.tags = {"moved"};
    after.message_count = 999;
    put(after, before);
    auto q = demo();
    q.tag = std::vector<std::string>{"moved"};
    expect_same(q, "new tag");
    q = demo();
    q.message_count = bounds{before.message_count, before.message_count};
    expect_same(q, "old count");
    q = demo();
    q.message_count = bounds{999, 999};
    auto got = run(*store_, q);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->ids, std::vector<std::uint64_t>{after.id});
}

TEST_F(conversation_query_test, pages_of_a_bucketed_order_follow_the_exact_values) {
    // Many conversations in few buckets: every page starts and ends inside one.
    std::mt19937 rng(11);
    for (std::uint64_t i = 1; i <= 300; ++i) {
        conversation_row r;
        r.id = i;
        r.site = "demo";
        r.created_at = t0 + static_cast<std::int64_t>(i);
        r.updated_at = t0 + static_cast<std::int64_t>(rng() % 150'000); // three minutes
        r.status = "queued";
        r.visitor_id = "v";
        r.message_count = 2 + rng() % 60;
        put(r);
    }
    for (auto sort : {sort_column::updated_at, sort_column::message_count})
        for (bool desc : {true, false})
            for (std::uint64_t per : {1, 7, 50, 200})
                for (std::uint64_t page = 1; (page - 1) * per <= 300; ++page) {
                    auto q = demo();
                    q.sort = sort;
                    q.descending = desc;
                    q.page = page;
                    q.per = per;
                    expect_same(q, std::to_string(static_cast<int>(sort)) + (desc ? " desc" : " asc") + " per " +
                                       std::to_string(per) + " page " + std::to_string(page));
                }
    // A range inside one bucket is decided by the exact values.
    auto q = demo();
    q.updated_at = bounds{static_cast<std::uint64_t>(t0) + 10'000, static_cast<std::uint64_t>(t0) + 20'000};
    expect_same(q, "updated within a minute");
    q = demo();
    q.message_count = bounds{33, 34};
    q.sort = sort_column::message_count;
    expect_same(q, "two counts of one bucket");
}

TEST_F(conversation_query_test, another_sites_conversations_are_never_listed) {
    fill(100, 3);
    auto q = demo();
    q.ids = std::vector<std::uint64_t>{7, 14, 21}; // all of site "other"
    auto got = run(*store_, q);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->total, 0u);
    EXPECT_TRUE(got->ids.empty());
}

TEST_F(conversation_query_test, a_time_range_reads_what_it_matches_not_the_store) {
    fill(3000, 4);
    auto q = demo();
    auto const c = static_cast<std::uint64_t>(t0);
    q.created_at = bounds{c + 100 * hour / 60, c + 100 * hour / 60 + hour}; // ~60 conversations
    q.per = 20;
    auto const before = store_->keys_read();
    auto got = run(*store_, q);
    ASSERT_TRUE(got);
    auto const read = store_->keys_read() - before;
    EXPECT_GT(got->total, 40u);
    EXPECT_LT(got->total, 80u);
    // One count of the range and one page of it.
    EXPECT_LE(read, got->total + q.per + 2) << "keys read for " << got->total << " matches";
}

TEST_F(conversation_query_test, a_wide_filter_asked_first_is_not_counted_whole) {
    fill(3000, 6);
    auto q = demo();
    q.status = std::vector<std::string>{"queued", "assigned", "finished"}; // everything, counted first
    auto const c = static_cast<std::uint64_t>(t0);
    q.created_at = bounds{c + 100 * hour / 60, c + 100 * hour / 60 + hour / 2}; // ~30 conversations
    auto const before = store_->keys_read();
    auto got = run(*store_, q);
    ASSERT_TRUE(got);
    // The race's first round (64 of each), then the range's own entries, rows included.
    EXPECT_LE(store_->keys_read() - before, 64u + 64u + 2 * got->total + 2) << got->total;
    expect_same(q, "every status and half an hour");
}

TEST_F(conversation_query_test, the_narrowest_filter_drives) {
    fill(3000, 5);
    auto q = demo();
    q.status = std::vector<std::string>{"queued", "assigned", "finished"}; // everything
    q.ids = std::vector<std::uint64_t>{10, 20, 30};
    auto const before = store_->keys_read();
    auto got = run(*store_, q);
    ASSERT_TRUE(got);
    // The ids are counted first (3); the status ranges are counted no further than 4
    // keys, then three rows are read.
    EXPECT_LE(store_->keys_read() - before, 20u);
    expect_same(q, "ids and every status");
}

} // namespace
} // namespace parley::index
