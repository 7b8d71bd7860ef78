#include <parley/protocol/part_type.hpp>

#include <array>
#include <utility>

namespace parley::protocol {
namespace {

constexpr std::array<std::pair<part_type, std::string_view>, 15> names{{
    {part_type::reply_user, "reply_user"},
    {part_type::reply_admin, "reply_admin"},
    {part_type::note, "note"},
    {part_type::article, "article"},
    {part_type::auto_reply, "auto_reply"},
    {part_type::chat_bot_admin, "chat_bot_admin"},
    {part_type::chat_bot_user, "chat_bot_user"},
    {part_type::service, "service"},
    {part_type::vote, "vote"},
    {part_type::assigned, "assigned"},
    {part_type::closed, "closed"},
    {part_type::delayed, "delayed"},
    {part_type::tag_added, "tag_added"},
    {part_type::tag_deleted, "tag_deleted"},
    {part_type::channel_changed, "channel_changed"},
}};

} // namespace

std::string_view to_string(part_type t) {
    for (auto const& [type, name] : names)
        if (type == t) return name;
    return "service";
}

std::optional<part_type> part_type_from_string(std::string_view name) {
    for (auto const& [type, n] : names)
        if (n == name) return type;
    return std::nullopt;
}

std::optional<part_type> type_of(boost::json::object const& part) {
    auto const* type = part.if_contains("type");
    if (!type || !type->is_string()) return std::nullopt;
    return part_type_from_string(type->get_string());
}

bool visible_to_visitor(part_type t) {
    return t != part_type::note && t != part_type::tag_added && t != part_type::tag_deleted;
}

bool counts_as_message(part_type t) {
    switch (t) {
    case part_type::reply_user:
    case part_type::reply_admin:
    case part_type::article:
    case part_type::auto_reply:
    case part_type::chat_bot_admin:
    case part_type::chat_bot_user: return true;
    default: return false;
    }
}

bool client_may_create(auth::role role, part_type t) {
    switch (t) {
    case part_type::reply_user:
    case part_type::vote: return role == auth::role::visitor;
    case part_type::reply_admin:
    case part_type::article: return role == auth::role::operator_;
    case part_type::note: return role == auth::role::operator_ || role == auth::role::bot;
    case part_type::auto_reply:
    case part_type::chat_bot_admin:
    case part_type::chat_bot_user:
    case part_type::service: return role == auth::role::bot;
    default: return false; // assigned, closed, delayed, tag_*, channel_changed: server only
    }
}

} // namespace parley::protocol
