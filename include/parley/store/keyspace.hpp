#pragma once

#include <array>
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

/// Keys of the `meta` family.
namespace meta_key {
/// Random string fixed when the data directory is created (SPEC §3.1 `hello.epoch`).
inline constexpr std::string_view epoch = "epoch";
} // namespace meta_key

} // namespace parley::store
