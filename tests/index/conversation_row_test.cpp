#include <parley/index/conversation_row.hpp>
#include <parley/index/index_keys.hpp>

#include <gtest/gtest.h>

#include <set>

namespace parley::index {
namespace {

conversation_row full_row() {
    conversation_row r;
    r.id = 42;
    r.site = "demo";
    r.created_at = 1'700'000'000'123;
    r.updated_at = 1'700'000'100'456;
    r.ends_at = 1'700'000'200'000;
    r.status = "finished";
    r.agent_id = "op-1";
    r.visitor_id = "v-1";
    r.department = "sales";
    r.message_count = 7;
    r.rating = 5;
    r.tags = {"vip", "refund"};
    return r;
}

TEST(conversation_row, round_trips_every_stored_field) {
    auto const r = full_row();
    auto back = decode_row(encode_row(r));
    ASSERT_TRUE(back);
    EXPECT_TRUE(same_stored_row(*back, r));
    // These two live in the counters, not in the row.
    EXPECT_EQ(back->updated_at, 0);
    EXPECT_EQ(back->message_count, 0u);
}

TEST(conversation_row, round_trips_absent_fields) {
    conversation_row r;
    r.id = 1;
    r.site = "s";
    r.status = "queued";
    r.visitor_id = "v";
    auto back = decode_row(encode_row(r));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, r);
    EXPECT_FALSE(back->agent_id);
    EXPECT_FALSE(back->department);
    EXPECT_FALSE(back->ends_at);
    EXPECT_FALSE(back->rating);
}

TEST(conversation_row, an_empty_department_is_not_an_absent_one) {
    auto r = full_row();
    r.department = "";
    EXPECT_EQ(decode_row(encode_row(r))->department, std::optional<std::string>(""));
}

TEST(conversation_row, truncated_bytes_are_refused_not_misread) {
    auto const bytes = encode_row(full_row());
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        auto back = decode_row(bytes.substr(0, n));
        // A prefix may end exactly after a tag and still be a row, but never the same one.
        if (back) {
            EXPECT_FALSE(same_stored_row(*back, full_row())) << n;
        }
    }
}

std::set<std::string> puts_of(store::write_set const& w) {
    std::set<std::string> out;
    for (auto const& p : w.puts) out.insert(p.key);
    return out;
}

std::set<std::string> erases_of(store::write_set const& w) {
    std::set<std::string> out;
    for (auto const& [f, k] : w.erases) out.insert(k);
    return out;
}

TEST(index_keys, a_new_conversation_gets_an_entry_per_value_and_its_row) {
    store::write_set w;
    EXPECT_TRUE(add_changes(w, std::nullopt, full_row()));
    // created, updated, ends, count, rating, status, agent, visitor, department, 2 tags, row
    EXPECT_EQ(w.puts.size(), 12u);
    EXPECT_TRUE(w.erases.empty());
    EXPECT_TRUE(puts_of(w).contains(prefix(kind::tag, "demo", "vip") + store::key::encode_u64(42)));
    EXPECT_TRUE(puts_of(w).contains(row_key("demo", 42)));
}

TEST(index_keys, an_unchanged_conversation_writes_nothing) {
    store::write_set w;
    EXPECT_FALSE(add_changes(w, full_row(), full_row()));
    EXPECT_TRUE(w.puts.empty());
    EXPECT_TRUE(w.erases.empty());
}

TEST(index_keys, a_new_part_within_its_buckets_writes_nothing) {
    auto before = full_row();
    before.updated_at = 1'700'000'040'000; // the start of its minute
    before.message_count = 8;
    auto after = before;
    after.updated_at += 1000;
    after.message_count = 9;
    store::write_set w;
    EXPECT_FALSE(add_changes(w, before, after));
    EXPECT_TRUE(w.puts.empty());
    EXPECT_TRUE(w.erases.empty());
}

TEST(index_keys, a_new_part_that_leaves_its_buckets_moves_only_updated_at_and_message_count) {
    auto before = full_row();
    before.updated_at = 1'700'000'099'500;
    before.message_count = 11;
    auto after = before;
    after.updated_at += 1000;
    after.message_count = 12;
    store::write_set w;
    EXPECT_TRUE(add_changes(w, before, after));
    EXPECT_EQ(erases_of(w), (std::set<std::string>{entry(kind::updated_at, "demo", 1'700'000'040'000, 42),
                                                   entry(kind::message_count, "demo", 8, 42)}));
    // The row leaves both out, so it is not rewritten.
    EXPECT_EQ(puts_of(w), (std::set<std::string>{entry(kind::updated_at, "demo", 1'700'000'100'000, 42),
                                                 entry(kind::message_count, "demo", 12, 42)}));
}

TEST(index_keys, buckets_hold_their_values_and_are_ordered_like_them) {
    for (std::uint64_t v : {0ull, 1ull, 3ull})
        EXPECT_EQ(bucket(kind::message_count, v), v);
    EXPECT_EQ(bucket(kind::message_count, 5), 4u);
    EXPECT_EQ(bucket(kind::message_count, 15), 12u);
    EXPECT_EQ(bucket(kind::message_count, 1000), 768u);
    EXPECT_EQ(bucket(kind::updated_at, 1'700'000'059'999), 1'700'000'040'000u);
    EXPECT_EQ(bucket(kind::created_at, 1'700'000'059'999), 1'700'000'059'999u);
    for (std::uint64_t v = 0; v < 5000; ++v) {
        EXPECT_LE(bucket(kind::message_count, v), v);
        EXPECT_LE(bucket(kind::message_count, v), bucket(kind::message_count, v + 1));
    }
    EXPECT_TRUE(exact(kind::message_count, 3));
    EXPECT_FALSE(exact(kind::message_count, 4));
    EXPECT_FALSE(exact(kind::updated_at, 0));
    EXPECT_TRUE(exact(kind::rating, 4));
}

TEST(index_keys, removing_a_tag_and_unassigning_erase_their_entries) {
    auto before = full_row();
    auto after = before;
    after.tags = {"vip"};
    after.agent_id.reset();
    store::write_set w;
    add_changes(w, before, after);
    EXPECT_EQ(erases_of(w), (std::set<std::string>{prefix(kind::tag, "demo", "refund") + store::key::encode_u64(42),
                                                   prefix(kind::agent_id, "demo", "op-1") + store::key::encode_u64(42)}));
}

TEST(index_keys, entries_of_one_value_sort_by_number_then_conversation) {
    EXPECT_LT(entry(kind::created_at, "s", 5, 9), entry(kind::created_at, "s", 6, 1));
    EXPECT_LT(entry(kind::created_at, "s", 5, 1), entry(kind::created_at, "s", 5, 2));
    EXPECT_EQ(number_of(entry(kind::created_at, "s", 77, 3), prefix(kind::created_at, "s")), 77u);
    EXPECT_EQ(conversation_of(entry(kind::created_at, "s", 77, 3)), 3u);
}

TEST(index_keys, one_site_is_never_a_prefix_of_another) {
    // "de" must not see "demo"'s entries: the site ends with a NUL.
    EXPECT_FALSE(prefix(kind::status, "demo").starts_with(prefix(kind::status, "de")));
}

} // namespace
} // namespace parley::index
