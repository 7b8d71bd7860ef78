#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::store {

/// The column families of SPEC §7. One family per kind of record keeps each kind's
/// keys dense for range scans and lets compaction tune each kind on its own.
namespace column {
inline constexpr std::string_view parts = "parts";
inline constexpr std::string_view events = "events";
inline constexpr std::string_view conversations = "conversations";
inline constexpr std::string_view indexes = "indexes";
inline constexpr std::string_view idempotency = "idempotency";
/// Server-wide records: the epoch, id counters.
inline constexpr std::string_view meta = "meta";
} // namespace column

inline constexpr std::array<std::string_view, 6> all_columns = {
    column::parts,   column::events,      column::conversations,
    column::indexes, column::idempotency, column::meta,
};

/// A column family by position in all_columns.
enum class family : std::uint8_t { parts, events, conversations, indexes, idempotency, meta };

/// Keys of the `meta` family.
namespace meta_key {
/// Random string fixed when the data directory is created (SPEC §3.1 `hello.epoch`).
inline constexpr std::string_view epoch = "epoch";
/// High-water marks of assigned ids (8-byte big-endian), so a restart never reuses one.
inline constexpr std::string_view last_part_id = "last_part_id";
inline constexpr std::string_view last_conversation_id = "last_conversation_id";
inline constexpr std::string_view last_event_id = "last_event_id";
} // namespace meta_key

/// Keys are built so that RocksDB's byte order is the order parley reads in: ids are
/// 8-byte big-endian, so a conversation's parts are contiguous and sorted by id.
namespace key {

/// `parts`: conversation id, part id.
std::string part(std::uint64_t conversation, std::uint64_t id);
/// `events`: conversation id, event id.
std::string event(std::uint64_t conversation, std::uint64_t id);
/// The prefix shared by every part (or event) key of one conversation.
std::string conversation_prefix(std::uint64_t conversation);
/// `conversations`: conversation id → the whole aggregate (JSON).
std::string conversation(std::uint64_t id);
/// `conversations`: conversation id, 0x01 → its counters (protocol::encode_counters),
/// rewritten by every part. Nine bytes, so a scan of records skips them by length.
std::string conversation_counters(std::uint64_t id);
// `indexes`: the conversation list's entries, laid out in parley/index/index_keys.hpp.
/// `idempotency`: who asked, where, with which random_id. Conversation 0 stands for
/// `conversation.start`. NUL separators: ids and random_ids cannot hold NUL.
std::string idempotency(std::string_view site, std::uint64_t conversation, std::string_view role,
                        std::string_view actor, std::string_view random_id);

/// The id in the last 8 bytes of a part or event key.
std::uint64_t trailing_id(std::string_view key);

std::string encode_u64(std::uint64_t v);
std::uint64_t decode_u64(std::string_view bytes);

} // namespace key

} // namespace parley::store
