#pragma once

#include <parley/expected.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/store/rocks_store.hpp>

#include <cstdint>
#include <functional>
#include <optional>

namespace parley::store {

/// Why a stored conversation could not be read.
struct record_error {
    enum class kind { missing, unreadable, store };
    kind kind;
    std::string message;
};

/// The conversation `id` as committed: its record with its counters laid over it, read
/// from one consistent view (they are neighbours, one scan reads both), never a record
/// from before a commit with counters from after.
expected<protocol::conversation, record_error> load_conversation(rocks_store const& store, std::uint64_t id);

/// Every stored conversation in id order, to `visit`; records that do not parse are
/// skipped. @return the store's error, if a read failed.
std::optional<store_error> for_each_conversation(rocks_store const& store,
                                                 std::function<void(protocol::conversation&&)> const& visit);

} // namespace parley::store
