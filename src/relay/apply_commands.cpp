// What each conversation command does to its conversation, applied in order: the state
// is updated, and the result is what to store and whom to tell. Only the change and the
// conversation's state (and its stored parts) are read, and the time is the change's.

#include "hub_state.hpp"

#include <parley/protocol/event.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/protocol/part.hpp>
#include <parley/relay/lifecycle.hpp>
#include <parley/store/keyspace.hpp>

#include <boost/json.hpp>

namespace parley::relay {

namespace json = boost::json;
using protocol::error_code;
using protocol::part_type;

namespace {

using applied = expected<hub::change_set, protocol::command_error>;

protocol::command_error refuse(hub::change const& ch, error_code code, std::string message) {
    return {code, std::move(message), ch.ref, std::nullopt};
}

std::string conversation_reply(protocol::conversation const& c, hub::change const& ch) {
    auto const view = ch.by->role == auth::role::visitor ? protocol::audience::visitor : protocol::audience::staff;
    return protocol::object_frame("conversation", "conversation", protocol::to_json(c, view, ch.at_ms), ch.ref);
}

std::string display_name(protocol::person const& p) { return p.name.value_or(p.id); }

std::optional<std::string> optional_string(json::object const& args, std::string_view key) {
    auto const* v = args.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

} // namespace

applied hub::apply(conversation_state& st, change& ch) {
    auto const& op = ch.op;
    if (op == "part.create") return apply_create(st, ch);
    if (op == "part.edit" || op == "part.remove") return apply_part_update(st, ch);
    if (op == "conversation.assign" || op == "conversation.transfer") return apply_assign(st, ch);
    if (op == "conversation.close") return apply_close(st, ch);
    if (op == "conversation.tag") return apply_tag(st, ch);
    if (op == "event") return apply_event(st, ch);
    if (op == "read") return apply_read(st, ch);
    return unexpected{refuse(ch, error_code::internal, "no such change")};
}

applied hub::apply_part_update(conversation_state& st, change& ch) {
    bool const remove = ch.op == "part.remove";
    auto const id = ch.args.at("id").to_number<std::uint64_t>();
    // A rewrite still on its way to the store is the part as it is now.
    std::string record;
    if (auto pending = st.unsettled_parts.find(id); pending != st.unsettled_parts.end()) {
        record = pending->second.first;
    } else {
        auto stored = store_.get(store::family::parts, store::key::part(st.data.id, id));
        if (!stored) return unexpected{refuse(ch, error_code::unavailable, "store unavailable")};
        if (!*stored) return unexpected{refuse(ch, error_code::not_found, "no such part")};
        record = std::move(**stored);
    }
    boost::system::error_code parse_ec;
    auto parsed = json::parse(record, parse_ec);
    if (parse_ec || !parsed.is_object()) return unexpected{refuse(ch, error_code::internal, "unreadable part record")};
    auto part = std::move(parsed.as_object());
    auto const type = protocol::part_type_from_string(part.at("type").as_string()).value_or(part_type::service);
    if (ch.by->role == auth::role::visitor && !protocol::visible_to_visitor(type))
        return unexpected{refuse(ch, error_code::not_found, "no such part")};
    auto const& author = part.at("from").as_object();
    bool const is_author = author.at("role").as_string() == auth::to_string(ch.by->role) && author.at("id").as_string() == ch.by->id;
    if (!(is_author || (remove && ch.by->role == auth::role::operator_)))
        return unexpected{refuse(ch, error_code::forbidden,
                                 remove ? "only the author or an operator may remove a part" : "only the author may edit a part")};
    if (!part.at("removed").is_null() && !remove) return unexpected{refuse(ch, error_code::conflict, "the part was removed")};

    if (remove) {
        part["removed"] = ch.at_ms / 1000;
        part["body"] = "";
        part["body_json"] = nullptr;
        part.erase("attachments");
    } else {
        part["edited"] = ch.at_ms / 1000;
        part["body"] = ch.args.at("body");
    }
    protocol::derive_read(part, st.data);
    auto const text = json::serialize(part);
    change_set change;
    change.writes.add(store::family::parts, store::key::part(st.data.id, id), text);
    change.updated.emplace_back(share(protocol::part_frame("part.updated", text)), protocol::visible_to_visitor(type));
    auto const rewrite = ++st.part_rewrites;
    st.unsettled_parts[id] = {text, rewrite};
    change.rewrites.emplace_back(id, rewrite);
    json::object reply{{"op", "part.updated"}, {"part", part}};
    if (ch.ref) reply["ref"] = *ch.ref;
    change.reply = json::serialize(reply);
    st.data.updated_at = ch.at_ms;
    return change;
}

applied hub::apply_assign(conversation_state& st, change& ch) {
    bool const transfer = ch.op == "conversation.transfer";
    auto const target = optional_string(ch.args, "operator");
    auto const department = optional_string(ch.args, "department");
    auto& c = st.data;
    auto const by = person_of(*ch.by);
    change_set change;
    change.conversation_changed = true;

    std::optional<protocol::person> assignee;
    if (!transfer && !target) assignee = by;
    else if (target) assignee = *target == ch.by->id ? by : protocol::person{*target, std::nullopt};
    if (transfer) {
        std::string where = assignee ? "operator " + display_name(*assignee) : "";
        if (department) where += (where.empty() ? "department " : " in department ") + *department;
        add_event(st, change, ch, protocol::event_type::chat_move, display_name(by) + " transferred the chat to " + where, by,
                  std::nullopt);
        if (department) c.department = *department;
    }
    if (assignee) {
        c.assignee = assignee;
        if (!c.assigned_at) c.assigned_at = ch.at_ms;
        if (c.status != "finished") c.status = "assigned";
        add_employee(c, *assignee);
        json::object extra{{"assignee", json::object{{"id", assignee->id},
                                                    {"name", assignee->name ? json::value(*assignee->name) : json::value(nullptr)}}}};
        add_server_part(st, change, ch, part_type::assigned, std::move(extra));
    }
    c.updated_at = ch.at_ms;
    change.reply = conversation_reply(c, ch);
    return change;
}

applied hub::apply_close(conversation_state& st, change& ch) {
    auto& c = st.data;
    change_set change;
    if (c.status == "finished") {
        change.unchanged = true;
        change.reply = conversation_reply(c, ch);
        return change;
    }
    change.conversation_changed = true;
    c.status = "finished";
    c.ends_at = ch.at_ms;
    c.updated_at = ch.at_ms;
    add_server_part(st, change, ch, part_type::closed, {});
    if (ch.by->role == auth::role::visitor)
        add_event(st, change, ch, protocol::event_type::chat_close, display_name(c.visitor) + " closed the chat", std::nullopt,
                  std::nullopt);
    change.reply = conversation_reply(c, ch);
    return change;
}

applied hub::apply_tag(conversation_state& st, change& ch) {
    auto& c = st.data;
    change_set change;
    for (auto const& v : ch.args.at("add").as_array()) {
        std::string t(v.as_string());
        if (std::find(c.tags.begin(), c.tags.end(), t) != c.tags.end()) continue;
        c.tags.push_back(t);
        add_server_part(st, change, ch, part_type::tag_added, json::object{{"tag", t}});
    }
    for (auto const& v : ch.args.at("remove").as_array()) {
        auto it = std::find(c.tags.begin(), c.tags.end(), v.as_string());
        if (it == c.tags.end()) continue;
        c.tags.erase(it);
        add_server_part(st, change, ch, part_type::tag_deleted, json::object{{"tag", v}});
    }
    change.conversation_changed = !change.parts.empty();
    c.updated_at = ch.at_ms;
    change.reply = conversation_reply(c, ch);
    return change;
}

applied hub::apply_event(conversation_state& st, change& ch) {
    auto const type = std::string(ch.args.at("event_type").as_string());
    change_set change;
    add_event(st, change, ch, type, display_name(st.data.visitor) + ": " + type, std::nullopt, optional_string(ch.args, "page"));
    st.data.updated_at = ch.at_ms;
    change.reply = protocol::ok_frame(ch.ref);
    return change;
}

applied hub::apply_read(conversation_state& st, change& ch) {
    auto& c = st.data;
    bool const visitor = ch.by->role == auth::role::visitor;
    auto& cursor = visitor ? c.visitor_read_up_to : c.operator_read_up_to;
    auto const target = std::min(ch.args.at("up_to").to_number<std::uint64_t>(), c.last_part_id);
    change_set change;
    change.reply = protocol::ok_frame(ch.ref);
    if (target <= cursor) {
        change.unchanged = true;
        return change;
    }
    cursor = target;
    json::object frame{{"op", "read"}, {"conversation", c.id}, {"by", visitor ? "visitor" : "operator"}, {"up_to", target}};
    change.updated.emplace_back(share(json::serialize(frame)), true);
    return change;
}

} // namespace parley::relay
