#pragma once

#include <parley/auth/actor.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace parley::protocol {

/// The `type` of a ConversationPart (SPEC §2.1).
enum class part_type {
    reply_user,
    reply_admin,
    note,
    article,
    auto_reply,
    chat_bot_admin,
    chat_bot_user,
    service,
    vote,
    assigned,
    closed,
    delayed,
    tag_added,
    tag_deleted,
    channel_changed,
};

std::string_view to_string(part_type t);

/// @return the type spelled `name` on the wire, or nullopt (an unknown type).
std::optional<part_type> part_type_from_string(std::string_view name);

/// The type of a stored part record, or nullopt when the record has none.
std::optional<part_type> type_of(boost::json::object const& part);

/// Notes and tag changes never reach a visitor: not live, not in history.
bool visible_to_visitor(part_type t);

/// Text parts counted in a conversation's `message_count`.
bool counts_as_message(part_type t);

/// Whether a client of `role` may create `t` with `part.create` (SPEC §2.1 table).
/// Server-made types (`assigned`, `closed`, ...) are never client-creatable.
bool client_may_create(auth::role role, part_type t);

} // namespace parley::protocol
