#pragma once

#include <parley/auth/actor.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/store/write_set.hpp>

#include <cstdint>
#include <string>

/// The inputs every micro-benchmark shares: one part as the `pairs` scenario sends it
/// (BENCH.md: a visitor's `reply_user` with a 64-byte body) and the records the server
/// builds for it, so the ceilings measure the same work the end-to-end figures do.
namespace parley::micro {

/// Conversations the parts are spread over, as in `pairs` (C=100).
inline constexpr std::uint64_t conversations = 100;

/// The visitor who writes every part.
auth::actor const& typical_visitor();

/// The `part.create` text frame `pairs` sends for its part number `seq`.
std::string part_create_frame(std::uint64_t conversation, std::uint64_t seq);

/// A conversation well into its life: assigned, widget fields filled in, a few dozen
/// messages; its stored form is about 1.4 KB (a bare one, as `pairs` makes, 1.2 KB).
protocol::conversation typical_conversation(std::uint64_t id);

/// What src/relay/parts.cpp commits for an ordinary part `id` of `conversation`: the
/// part record, the idempotency record, the conversation's counters record (puts in
/// that order) and the part id high-water mark.
store::write_set part_write_set(std::uint64_t conversation, std::uint64_t id);

/// Gives a part_write_set() result a new part id in place, without rebuilding its
/// records, so a store benchmark times the commit and not the JSON.
/// @note The values keep the old id inside; only keys (and the mark) matter to the store.
void renumber(store::write_set& change, std::uint64_t id);

/// Bytes of keys and values in `change`: what the store has to write for it.
std::size_t payload_bytes(store::write_set const& change);

} // namespace parley::micro
