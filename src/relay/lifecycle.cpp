#include <parley/relay/lifecycle.hpp>

#include <algorithm>

namespace parley::relay {

using protocol::part_type;

protocol::person person_of(auth::actor const& who) { return {who.id, who.name}; }

bool add_employee(protocol::conversation& c, protocol::person const& who) {
    if (std::find(c.employees.begin(), c.employees.end(), who) != c.employees.end()) return false;
    c.employees.push_back(who);
    return true;
}

part_effect apply_part(protocol::conversation& c, part_type type, auth::actor const& author, std::uint64_t part_id,
                       std::int64_t now_ms, std::optional<std::int64_t> rating) {
    part_effect effect;
    c.updated_at = now_ms;
    c.last_part_id = part_id;
    if (protocol::visible_to_visitor(type)) c.last_visitor_part_id = part_id;

    if (author.role == auth::role::visitor && type == part_type::reply_user && c.status == "finished") {
        // Back to the assignee if there still is one, else to the queue.
        c.status = c.assignee ? "assigned" : "queued";
        c.ends_at.reset();
        effect.reopened = true;
        effect.record_changed = true;
    }
    if (protocol::counts_as_message(type)) {
        ++c.message_count;
        if (!c.first_msg_sent_at) c.first_msg_sent_at = now_ms;
        c.last_msg_sent_at = now_ms;
    }
    if (type == part_type::reply_user && !c.awaiting_reply_since) c.awaiting_reply_since = now_ms;

    bool const staff_reply = type == part_type::reply_admin || type == part_type::article ||
                             type == part_type::auto_reply || type == part_type::chat_bot_admin;
    if (staff_reply) {
        c.answered = true;
        if (c.awaiting_reply_since) {
            auto const waited = now_ms - *c.awaiting_reply_since;
            ++c.response_count;
            c.response_total_ms += waited;
            c.response_longest_ms = std::max(c.response_longest_ms, waited);
            c.awaiting_reply_since.reset();
        }
    }
    if (author.role == auth::role::operator_ && (type == part_type::reply_admin || type == part_type::article))
        effect.record_changed |= add_employee(c, person_of(author));
    if (type == part_type::vote && rating) c.rating = *rating;
    return effect;
}

} // namespace parley::relay
