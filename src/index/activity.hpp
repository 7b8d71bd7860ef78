#pragma once
// The exact updated_at and message_count of a conversation, which its index entries
// only hold as buckets (index_keys.hpp): read from the counters every part writes.

#include <parley/protocol/conversation_counters.hpp>
#include <parley/store/keyspace.hpp>
#include <parley/store/rocks_store.hpp>

namespace parley::index {

/// nullopt when the conversation has no counters.
inline expected<std::optional<protocol::activity>, store::store_error> activity_of(store::rocks_store const& store,
                                                                                  std::uint64_t conversation) {
    auto stored = store.get(store::family::conversations, store::key::conversation_counters(conversation));
    if (!stored) return unexpected{stored.error()};
    if (!*stored) return std::optional<protocol::activity>{};
    return protocol::read_activity(**stored);
}

} // namespace parley::index
