#pragma once

#include <parley/index/conversation_row.hpp>
#include <parley/store/write_set.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::index {

/// The conversation list's secondary indexes, in the `indexes` family. Every entry is
/// a key with an empty value, but for created_at, whose value is the conversation's row:
/// a time range, the commonest filter, then checks its candidates against the other
/// filters in the same scan instead of one read per candidate. Keys are ordered so that
/// one index value's conversations are one contiguous range sorted by what the list
/// sorts on:
///
///     <kind> site NUL <value> <conversation id, 8 bytes big-endian>
///
/// where a string value is followed by a NUL (ids cannot hold one) and a time or count
/// is 8 bytes big-endian. An entry exists only while its value does: an open
/// conversation has no `ends_at` entry, an unrated one no `rating` entry.
enum class kind : char {
    created_at = 'c',
    updated_at = 'u',
    ends_at = 'e',
    message_count = 'm',
    rating = 'r',
    status = 's',
    agent_id = 'a',
    visitor_id = 'v',
    department = 'd',
    tag = 't',
    /// Not an index: the conversation_row of each conversation, by id.
    row = '_',
};

/// Whether entries of `k` carry an 8-byte number (else a NUL-terminated string).
constexpr bool numeric(kind k) {
    return k == kind::created_at || k == kind::updated_at || k == kind::ends_at || k == kind::message_count ||
           k == kind::rating;
}

/// Whether entries of `k` carry a bucket of the value rather than the value itself.
/// updated_at and message_count change with nearly every part; an entry that moved on
/// each of them would cost the hot path two more index writes per part. A bucket
/// (updated_at to the minute, message_count to its two leading bits) moves only when
/// the value leaves it, and the exact value is in the conversation's counters, which
/// every part writes anyway. A query scans the buckets and checks the exact values.
constexpr bool bucketed(kind k) { return k == kind::updated_at || k == kind::message_count; }

/// The value an entry of `k` carries for `v`: `v` itself unless bucketed(k).
std::uint64_t bucket(kind k, std::uint64_t v);
/// Whether every value in the bucket `b` of `k` is `b` itself: its entries are then in
/// exact order already.
bool exact(kind k, std::uint64_t b);

/// Every entry of `k` on `site`.
std::string prefix(kind k, std::string_view site);
/// Every entry of `k` on `site` with the string `value`.
std::string prefix(kind k, std::string_view site, std::string_view value);
/// The entry of a numeric `value`, already a bucket where bucketed(k) (pass
/// conversation 0 for a range's start).
std::string entry(kind k, std::string_view site, std::uint64_t value, std::uint64_t conversation);
/// The row of a conversation.
std::string row_key(std::string_view site, std::uint64_t conversation);

/// The conversation an index entry points at (its last 8 bytes).
std::uint64_t conversation_of(std::string_view entry);
/// The number of a numeric entry.
std::uint64_t number_of(std::string_view entry, std::string_view prefix);

/// The index writes that move a conversation from `before` (nullopt: not indexed yet)
/// to `after`, into `writes`: entries whose value (or bucket) changed go from the old
/// key to the new, the rest are not touched, and the row is rewritten when one of its
/// stored fields changed. @return whether anything was written.
bool add_changes(store::write_set& writes, std::optional<conversation_row> const& before,
                 conversation_row const& after);

/// add_changes() for a change of updated_at and message_count alone (most parts): the
/// same writes, without building and comparing a whole row. Updates `row` to match.
void move_activity(store::write_set& writes, conversation_row& row, std::int64_t updated_at,
                   std::uint64_t message_count);

} // namespace parley::index
