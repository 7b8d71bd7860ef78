// Conversation commands (SPEC §3.2): part.edit / part.remove, assign, transfer, close,
// tag, event, typing, read.

#include "hub_state.hpp"

#include <parley/clock.hpp>
#include <parley/protocol/event.hpp>
#include <parley/protocol/fields.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/protocol/part.hpp>
#include <parley/relay/lifecycle.hpp>
#include <parley/store/keyspace.hpp>

#include <boost/json.hpp>

namespace parley::relay {

namespace json = boost::json;
using protocol::command;
using protocol::error_code;
using protocol::part_type;

namespace {

std::string conversation_reply(protocol::conversation const& c, auth::actor const& who, std::optional<std::string> const& ref) {
    auto const view = who.role == auth::role::visitor ? protocol::audience::visitor : protocol::audience::staff;
    return protocol::object_frame("conversation", "conversation", protocol::to_json(c, view, now_ms()), ref);
}

std::string display_name(protocol::person const& p) { return p.name.value_or(p.id); }

/// Tag lists of conversation.tag: strings of 1..64 characters.
expected<std::vector<std::string>, protocol::command_error> read_tags(command const& cmd, std::string_view key) {
    std::vector<std::string> out;
    auto const* v = cmd.fields.if_contains(key);
    if (!v || v->is_null()) return out;
    if (!v->is_array() || v->get_array().size() > 50)
        return unexpected{protocol::error_for(cmd, error_code::bad_request, std::string(key) + " must be an array of up to 50 tags")};
    for (auto const& t : v->get_array()) {
        if (!t.is_string() || t.get_string().empty() || protocol::code_points(t.get_string()) > 64)
            return unexpected{protocol::error_for(cmd, error_code::bad_request, "a tag is a string of 1..64 characters")};
        out.emplace_back(t.get_string());
    }
    return out;
}

} // namespace

void hub::update_part(client const& from, command const& cmd, bool remove) {
    auto id = protocol::require_id(cmd, "id");
    if (!id) return fail(from, id.error());
    std::optional<std::string> body;
    if (!remove) {
        auto b = protocol::read_string(cmd, "body", 4 * limits_.max_body_chars);
        if (!b) return fail(from, b.error());
        if (!*b) return fail(from, protocol::error_for(cmd, error_code::bad_request, "body is required"));
        if (protocol::code_points(**b) > limits_.max_body_chars)
            return fail(from, protocol::error_for(cmd, error_code::too_large, "body is longer than limits.max_body_chars"));
        body = std::move(*b);
    }
    auto st = open_named(from, cmd);
    if (!st) return;
    hub_lock lock(st->mutex);
    auto stored = store_.get(store::family::parts, store::key::part(st->data.id, *id));
    if (!stored) return fail(from, protocol::error_for(cmd, error_code::unavailable, "store unavailable"));
    if (!*stored) return fail(from, protocol::error_for(cmd, error_code::not_found, "no such part"));
    boost::system::error_code parse_ec;
    auto parsed = json::parse(**stored, parse_ec);
    if (parse_ec || !parsed.is_object()) return fail(from, protocol::error_for(cmd, error_code::internal, "unreadable part record"));
    auto part = std::move(parsed.as_object());
    auto const type = protocol::part_type_from_string(part.at("type").as_string()).value_or(part_type::service);
    bool const visitor = from.actor.role == auth::role::visitor;
    if (visitor && !protocol::visible_to_visitor(type))
        return fail(from, protocol::error_for(cmd, error_code::not_found, "no such part"));
    auto const& author = part.at("from").as_object();
    bool const is_author = author.at("role").as_string() == auth::to_string(from.actor.role) &&
                           author.at("id").as_string() == from.actor.id;
    bool const may = is_author || (remove && from.actor.role == auth::role::operator_);
    if (!may) return fail(from, protocol::error_for(cmd, error_code::forbidden, remove ? "only the author or an operator may remove a part" : "only the author may edit a part"));
    if (!part.at("removed").is_null() && !remove)
        return fail(from, protocol::error_for(cmd, error_code::conflict, "the part was removed"));

    auto const now = now_ms();
    if (remove) {
        part["removed"] = now / 1000;
        part["body"] = "";
        part["body_json"] = nullptr;
        part.erase("attachments");
    } else {
        part["edited"] = now / 1000;
        part["body"] = *body;
    }
    protocol::derive_read(part, st->data);
    auto const text = json::serialize(part);
    change_set change;
    change.writes.add(store::family::parts, store::key::part(st->data.id, *id), text);
    change.updated.emplace_back(std::make_shared<std::string const>(protocol::part_frame("part.updated", text)),
                                protocol::visible_to_visitor(type));
    json::object reply{{"op", "part.updated"}, {"part", part}};
    if (cmd.ref) reply["ref"] = *cmd.ref;
    change.reply = json::serialize(reply);
    st->data.updated_at = now;
    change.origin = from.conn;
    change.ref = cmd.ref;
    commit(st, std::move(change));
}

void hub::assign(client const& from, command const& cmd, bool transfer) {
    if (from.actor.role != auth::role::operator_)
        return fail(from, protocol::error_for(cmd, error_code::forbidden, "operators only"));
    auto target = protocol::read_actor_id(cmd, "operator");
    if (!target) return fail(from, target.error());
    auto department = protocol::read_string(cmd, "department", 128);
    if (!department) return fail(from, department.error());
    if (transfer && !*target && !*department)
        return fail(from, protocol::error_for(cmd, error_code::bad_request, "name an operator or a department"));
    if (!transfer && *department)
        return fail(from, protocol::error_for(cmd, error_code::bad_request, "assign takes an operator; use transfer for departments"));
    auto st = open_named(from, cmd);
    if (!st) return;
    hub_lock lock(st->mutex);
    auto& c = st->data;
    auto const now = now_ms();
    change_set change;
    change.conversation_changed = true;

    std::optional<protocol::person> assignee;
    if (!transfer && !*target) assignee = person_of(from.actor);
    else if (*target) assignee = **target == from.actor.id ? person_of(from.actor) : protocol::person{**target, std::nullopt};
    if (transfer) {
        std::string where = assignee ? "operator " + display_name(*assignee) : "";
        if (*department) where += (where.empty() ? "department " : " in department ") + **department;
        add_event(*st, change, protocol::event_type::chat_move, display_name(person_of(from.actor)) + " transferred the chat to " + where,
                  person_of(from.actor), std::nullopt, now);
        if (*department) c.department = **department;
    }
    if (assignee) {
        c.assignee = assignee;
        if (!c.assigned_at) c.assigned_at = now;
        if (c.status != "finished") c.status = "assigned";
        add_employee(c, *assignee);
        json::object extra{{"assignee", json::object{{"id", assignee->id},
                                                    {"name", assignee->name ? json::value(*assignee->name) : json::value(nullptr)}}}};
        add_server_part(*st, change, from.actor, part_type::assigned, std::move(extra), now);
    }
    c.updated_at = now;
    change.reply = conversation_reply(c, from.actor, cmd.ref);
    change.origin = from.conn;
    change.ref = cmd.ref;
    commit(st, std::move(change));
}

void hub::close(client const& from, command const& cmd) {
    if (from.actor.role == auth::role::bot)
        return fail(from, protocol::error_for(cmd, error_code::forbidden, "operators and visitors only"));
    auto st = open_named(from, cmd);
    if (!st) return;
    hub_lock lock(st->mutex);
    auto& c = st->data;
    if (c.status == "finished") return reply(from, conversation_reply(c, from.actor, cmd.ref));
    auto const now = now_ms();
    change_set change;
    change.conversation_changed = true;
    c.status = "finished";
    c.ends_at = now;
    c.updated_at = now;
    add_server_part(*st, change, from.actor, part_type::closed, {}, now);
    if (from.actor.role == auth::role::visitor)
        add_event(*st, change, protocol::event_type::chat_close, display_name(c.visitor) + " closed the chat", std::nullopt, std::nullopt, now);
    change.reply = conversation_reply(c, from.actor, cmd.ref);
    change.origin = from.conn;
    change.ref = cmd.ref;
    commit(st, std::move(change));
}

void hub::tag(client const& from, command const& cmd) {
    if (from.actor.role != auth::role::operator_)
        return fail(from, protocol::error_for(cmd, error_code::forbidden, "operators only"));
    auto add = read_tags(cmd, "add");
    if (!add) return fail(from, add.error());
    auto remove = read_tags(cmd, "remove");
    if (!remove) return fail(from, remove.error());
    auto st = open_named(from, cmd);
    if (!st) return;
    hub_lock lock(st->mutex);
    auto& c = st->data;
    auto const now = now_ms();
    change_set change;
    for (auto const& t : *add) {
        if (std::find(c.tags.begin(), c.tags.end(), t) != c.tags.end()) continue;
        c.tags.push_back(t);
        add_server_part(*st, change, from.actor, part_type::tag_added, json::object{{"tag", t}}, now);
    }
    for (auto const& t : *remove) {
        auto it = std::find(c.tags.begin(), c.tags.end(), t);
        if (it == c.tags.end()) continue;
        c.tags.erase(it);
        add_server_part(*st, change, from.actor, part_type::tag_deleted, json::object{{"tag", t}}, now);
    }
    change.conversation_changed = !change.parts.empty();
    c.updated_at = now;
    change.reply = conversation_reply(c, from.actor, cmd.ref);
    change.origin = from.conn;
    change.ref = cmd.ref;
    commit(st, std::move(change));
}

void hub::report_event(client const& from, command const& cmd) {
    if (from.actor.role == auth::role::operator_)
        return fail(from, protocol::error_for(cmd, error_code::forbidden, "visitors and bots report events"));
    auto const* type_v = cmd.fields.if_contains("event_type");
    auto const type = type_v && type_v->is_string() ? protocol::reportable_event(type_v->get_string()) : std::nullopt;
    if (!type) return fail(from, protocol::error_for(cmd, error_code::bad_request, "unknown or server-only event_type"));
    auto page = protocol::read_string(cmd, "page", 2048);
    if (!page) return fail(from, page.error());
    if (auto const* meta = cmd.fields.if_contains("meta"); meta && !meta->is_null() && !meta->is_object())
        return fail(from, protocol::error_for(cmd, error_code::bad_request, "meta must be an object"));
    auto st = open_named(from, cmd);
    if (!st) return;
    hub_lock lock(st->mutex);
    auto const now = now_ms();
    change_set change;
    add_event(*st, change, *type, display_name(st->data.visitor) + ": " + std::string(*type), std::nullopt, *page, now);
    st->data.updated_at = now;
    change.reply = protocol::ok_frame(cmd.ref);
    change.origin = from.conn;
    change.ref = cmd.ref;
    commit(st, std::move(change));
}

void hub::typing(client const& from, command const& cmd) {
    auto st = open_named(from, cmd);
    if (!st) return;
    json::object frame{{"op", "typing"}, {"conversation", st->data.id}, {"from", protocol::from_of(from.actor)}};
    auto const shared = std::make_shared<std::string const>(json::serialize(frame));
    hub_lock lock(st->mutex);
    for (auto const& sub : st->subscribers)
        if (sub.address != from.conn.get() && !sub.replaying)
            if (auto* conn = hub_lock::reach(sub.conn)) conn->deliver(shared);
    reply(from, protocol::ok_frame(cmd.ref));
}

void hub::read(client const& from, command const& cmd) {
    if (from.actor.role == auth::role::bot)
        return fail(from, protocol::error_for(cmd, error_code::forbidden, "visitors and operators only"));
    auto up_to = protocol::require_id(cmd, "up_to");
    if (!up_to) return fail(from, up_to.error());
    auto st = open_named(from, cmd);
    if (!st) return;
    hub_lock lock(st->mutex);
    auto& c = st->data;
    bool const visitor = from.actor.role == auth::role::visitor;
    auto& cursor = visitor ? c.visitor_read_up_to : c.operator_read_up_to;
    auto const target = std::min(*up_to, c.last_part_id);
    if (target <= cursor) return reply(from, protocol::ok_frame(cmd.ref));
    cursor = target;
    change_set change;
    json::object frame{{"op", "read"}, {"conversation", st->data.id}, {"by", visitor ? "visitor" : "operator"}, {"up_to", target}};
    change.updated.emplace_back(std::make_shared<std::string const>(json::serialize(frame)), true);
    change.reply = protocol::ok_frame(cmd.ref);
    change.origin = from.conn;
    change.ref = cmd.ref;
    commit(st, std::move(change));
}

} // namespace parley::relay
