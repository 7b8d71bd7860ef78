#pragma once

#include <parley/protocol/conversation.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::protocol {

/// The part of the conversation aggregate that every part changes (counters, message
/// times, response bookkeeping, last ids, read cursors), in a small fixed binary form.
///
/// A part stores this (~130 bytes) beside itself instead of the whole aggregate (~1 KB
/// of JSON built from to_json): serializing the aggregate was half the CPU of a
/// part.create. The whole record is still written whenever anything else changes, always
/// together with the counters, so the counters are never older than the record and a
/// reload is the record overlaid with them.
std::string encode_counters(conversation const& c);

/// Overlays counters from encode_counters() onto `c`.
/// @return false (and `c` untouched) when `bytes` is not a counters record.
bool apply_counters(conversation& c, std::string_view bytes);

/// What the conversation list filters and sorts on among the counters.
struct activity {
    std::int64_t updated_at = 0;
    std::uint64_t message_count = 0;
};

/// The activity in a record from encode_counters(), without decoding the rest.
/// @return nullopt when `bytes` is not a counters record.
std::optional<activity> read_activity(std::string_view bytes);

} // namespace parley::protocol
