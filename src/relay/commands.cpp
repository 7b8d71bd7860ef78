// Conversation commands (SPEC §3.2): part.edit / part.remove, assign, transfer, close,
// tag, event, typing, read. Each is validated here, as far as it can be without the
// conversation's state, and becomes a change; apply_commands.cpp applies changes.

#include "hub_state.hpp"

#include <parley/clock.hpp>
#include <parley/protocol/event.hpp>
#include <parley/protocol/fields.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/protocol/part.hpp>
#include <parley/telemetry/metrics.hpp>

#include <boost/json.hpp>

namespace parley::relay {

namespace json = boost::json;
using protocol::command;
using protocol::error_code;

namespace {

/// Tag lists of conversation.tag: strings of 1..64 characters.
expected<json::array, protocol::command_error> read_tags(command const& cmd, std::string_view key) {
    json::array out;
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

hub::change hub::decide(client const& from, command const& cmd, conversation_state const& st, json::object args) const {
    change ch;
    ch.op = cmd.op;
    ch.conversation = st.data.id;
    // Not owned: the change is applied before this call returns.
    ch.by = std::shared_ptr<auth::actor const>(std::shared_ptr<void>(), &from.actor);
    ch.args = std::move(args);
    ch.origin = from.conn;
    ch.ref = cmd.ref;
    return ch;
}

void hub::sequence(std::shared_ptr<conversation_state> const& st, change ch) {
    hub_lock lock(st->mutex);
    // Decided here, under the lock: changes of one conversation get their times in the
    // order they are applied (a logged change brings the time it was decided with).
    if (!ch.logged) ch.at_ms = now_ms();
    // Access again, against the state the change meets: a transfer to another department
    // may have come in between, here and on every node applying the same log.
    if (auto refused = check_access(*ch.by, st->data, protocol::command{ch.op, ch.ref, {}})) {
        metrics_.error_sent(refused->code);
        if (ch.origin) ch.origin->deliver(share(protocol::error_frame(*refused)));
        return;
    }
    auto applied = apply(*st, ch);
    if (!applied) {
        metrics_.error_sent(applied.error().code);
        if (ch.origin) ch.origin->deliver(share(protocol::error_frame(applied.error())));
        return;
    }
    if (applied->unchanged) {
        // Answered now, or (a retry of a create still being committed) with it.
        if (ch.origin && !applied->reply.empty()) ch.origin->deliver(share(std::move(applied->reply)));
        return;
    }
    // Recorded once committed (hub::committed), with the ids it took here.
    if (recorder_) applied->log_entry = encode(ch);
    applied->origin = std::move(ch.origin);
    applied->ref = std::move(ch.ref);
    commit(st, std::move(*applied));
}

bool hub::apply_recorded(std::string_view entry) {
    auto ch = decode(entry);
    if (!ch) return false;
    if (ch->op == "conversation.start") {
        apply_start(std::move(*ch));
        return true;
    }
    // An edit or removal reads the part from the store: whatever the log said before it
    // must be committed first, as it was where it was decided (its author had the ack).
    if (ch->op == "part.edit" || ch->op == "part.remove") log_.drain();
    protocol::command const asked{ch->op, std::nullopt, {}};
    auto st = open(*ch->by, ch->conversation, asked);
    // Access is checked again where it is applied, against the state it meets there; a
    // conversation this store cannot read now is the caller's to retry.
    if (!st && st.error().code == error_code::unavailable) return false;
    if (!st) return true;
    sequence(*st, std::move(*ch));
    return true;
}

void hub::update_part(client const& from, command const& cmd, bool remove) {
    auto id = protocol::require_id(cmd, "id");
    if (!id) return fail(from, id.error());
    json::object args{{"id", *id}};
    if (!remove) {
        auto b = protocol::read_string(cmd, "body", 4 * limits_.max_body_chars);
        if (!b) return fail(from, b.error());
        if (!*b) return fail(from, protocol::error_for(cmd, error_code::bad_request, "body is required"));
        if (protocol::code_points(**b) > limits_.max_body_chars)
            return fail(from, protocol::error_for(cmd, error_code::too_large, "body is longer than limits.max_body_chars"));
        args["body"] = std::move(**b);
    }
    auto st = open_named(from, cmd);
    if (!st) return;
    sequence(st, decide(from, cmd, *st, std::move(args)));
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
    json::object args;
    if (*target) args["operator"] = **target;
    if (*department) args["department"] = **department;
    sequence(st, decide(from, cmd, *st, std::move(args)));
}

void hub::close(client const& from, command const& cmd) {
    if (from.actor.role == auth::role::bot)
        return fail(from, protocol::error_for(cmd, error_code::forbidden, "operators and visitors only"));
    auto st = open_named(from, cmd);
    if (!st) return;
    sequence(st, decide(from, cmd, *st, {}));
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
    sequence(st, decide(from, cmd, *st, {{"add", std::move(*add)}, {"remove", std::move(*remove)}}));
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
    json::object args{{"event_type", *type}};
    if (*page) args["page"] = **page;
    sequence(st, decide(from, cmd, *st, std::move(args)));
}

void hub::typing(client const& from, command const& cmd) {
    // Not a change: nothing is stored, and nobody but the subscribers now hears it.
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
    sequence(st, decide(from, cmd, *st, {{"up_to", *up_to}}));
}

} // namespace parley::relay
