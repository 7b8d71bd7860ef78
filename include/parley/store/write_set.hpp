#pragma once

#include <parley/store/keyspace.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace parley::store {

/// One logical change that must land all together or not at all: a part with its
/// conversation's counters, its index entries and its idempotency key (SPEC §7).
struct write_set {
    struct put {
        family column;
        std::string key;
        std::string value;
    };
    std::vector<put> puts;
    /// Keys this change deletes, applied before its puts: an index entry that moves
    /// goes from its old key to its new one in the same batch.
    std::vector<std::pair<family, std::string>> erases;
    /// Highest ids this change uses (0 = none); the store keeps high-water marks so a
    /// restart continues above them.
    std::uint64_t last_part_id = 0;
    std::uint64_t last_conversation_id = 0;
    std::uint64_t last_event_id = 0;

    void add(family column, std::string key, std::string value) {
        puts.push_back({column, std::move(key), std::move(value)});
    }
    void erase(family column, std::string key) { erases.emplace_back(column, std::move(key)); }
};

/// The id high-water marks found when the store was opened.
struct id_marks {
    std::uint64_t last_part_id = 0;
    std::uint64_t last_conversation_id = 0;
    std::uint64_t last_event_id = 0;
};

} // namespace parley::store
