#pragma once
// A store of many conversations spread over time, written straight into RocksDB exactly
// as the relay writes them (record, counters, index entries, layout version): the
// `list` scenario and the list tests need creation times far apart, which conversations
// started live through the server cannot have.

#include <parley/protocol/conversation.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::bench {

/// 2026-11-01T00:00:00Z: conversation i is created at listing_t0 + i × spacing.
inline constexpr std::int64_t listing_t0 = 1'793'491'200'000;

/// Conversation i (from 1) of site `site`: every 10th finished, else every 3rd assigned
/// (to one of 7 operators), else queued; departments alternate sales/support; visitors
/// `v-<i % 5000>`; message_count i % 40; every 4th rated; every 100th tagged `vip`.
protocol::conversation listing_conversation(std::uint64_t i, std::int64_t spacing_ms, std::string_view site = "demo");

/// The status listing_conversation(i) has, without building it.
std::string_view listing_status(std::uint64_t i);

/// Writes conversations 1..n into a new or empty store at `path`.
/// @return nullopt, or what went wrong (the store is locked while a server runs on it).
std::optional<std::string> fill_listing_store(std::string const& path, std::uint64_t n, std::int64_t spacing_ms,
                                              std::string_view site = "demo");

} // namespace parley::bench
