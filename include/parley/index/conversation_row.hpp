#pragma once

#include <parley/protocol/conversation.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::index {

/// What the conversation list (SPEC §5.1) filters and sorts on, and nothing else: a
/// compact copy of those fields kept in the `indexes` family next to the entries, so a
/// query checks its other filters and sorts its candidates without reading, or parsing,
/// whole conversation records.
///
/// updated_at and message_count change with nearly every part, so the stored row leaves
/// them out (it would otherwise be rewritten on every part): decode_row() gives 0 for
/// both, and a query that needs them reads the conversation's counters.
struct conversation_row {
    std::uint64_t id = 0;
    std::string site;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    std::optional<std::int64_t> ends_at;
    std::string status;
    /// The assignee's id: the list's `agent_id`.
    std::optional<std::string> agent_id;
    std::string visitor_id;
    std::optional<std::string> department;
    std::uint64_t message_count = 0;
    std::optional<std::int64_t> rating;
    std::vector<std::string> tags;

    bool operator==(conversation_row const&) const = default;
};

conversation_row row_of(protocol::conversation const& c);

/// Whether `a` and `b` store the same row: equal but for updated_at and message_count.
bool same_stored_row(conversation_row const& a, conversation_row const& b);

/// A binary form: the row is read once per candidate of a query, so it must be cheap
/// to decode. @return nullopt when `bytes` is not a row.
std::string encode_row(conversation_row const& row);
std::optional<conversation_row> decode_row(std::string_view bytes);

} // namespace parley::index
