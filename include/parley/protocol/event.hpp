#pragma once

#include <parley/protocol/conversation.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::protocol {

/// Event types the server writes itself (SPEC §2.2).
namespace event_type {
inline constexpr std::string_view chat_open = "visitor-chat-open";
inline constexpr std::string_view chat_close = "visitor-chat-close";
inline constexpr std::string_view chat_reopen = "visitor-chat-reopen";
inline constexpr std::string_view chat_move = "visitor-chat-move";
} // namespace event_type

/// A ConversationEvent (SPEC §2.2).
boost::json::object make_event(std::uint64_t id, std::uint64_t conversation, std::string_view type,
                               std::string text, std::optional<person> const& employee,
                               std::optional<std::string> const& page, std::int64_t created_ms);

/// Event types a client may report with the `event` command, in the reference's
/// spelling (`vistor-navigate`; `visitor-navigate` is accepted and stored as that).
/// @return the stored spelling, or nullopt when clients may not report `type`.
std::optional<std::string_view> reportable_event(std::string_view type);

} // namespace parley::protocol
