// conversation.start (SPEC §3.2): validated into a change, then applied: idempotent by
// random_id, committed with its visitor-chat-open event before the starter hears back.

#include "hub_state.hpp"

#include <parley/clock.hpp>
#include <parley/protocol/event.hpp>
#include <parley/protocol/fields.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/relay/lifecycle.hpp>
#include <parley/store/keyspace.hpp>
#include <parley/telemetry/metrics.hpp>

#include <boost/json.hpp>

namespace parley::relay {

namespace json = boost::json;
using protocol::command;
using protocol::error_code;

namespace {

std::string started_frame(protocol::conversation const& c, bool visitor, std::string const& random_id,
                          std::optional<std::string> const& ref, bool duplicate) {
    auto const who = visitor ? protocol::audience::visitor : protocol::audience::staff;
    json::object frame{{"op", "conversation.started"}, {"conversation", protocol::to_json(c, who, now_ms())},
                       {"random_id", random_id}};
    if (ref) frame["ref"] = *ref;
    if (duplicate) frame["duplicate"] = true;
    return json::serialize(frame);
}

/// The visitor the conversation is for: the visitor themself, or the one a bot names.
expected<protocol::person, protocol::command_error> visitor_of(auth::actor const& who, command const& cmd) {
    if (who.role == auth::role::visitor) return person_of(who);
    auto const* v = cmd.fields.if_contains("visitor");
    auto const* id = v && v->is_object() ? v->get_object().if_contains("id") : nullptr;
    if (!id || !id->is_string() || !auth::is_valid_actor_id(id->get_string()))
        return unexpected{protocol::error_for(cmd, error_code::bad_request,
                                              "visitor: a bot must name the visitor: {\"id\",\"name\"}, an id of 1..128 characters")};
    protocol::person p{std::string(id->get_string()), std::nullopt};
    if (auto const* name = v->get_object().if_contains("name"); name && name->is_string()) p.name = std::string(name->get_string());
    return p;
}

} // namespace

void hub::repeat_start(change const& ch, std::uint64_t cid) {
    std::string const random_id(ch.args.at("random_id").as_string());
    command const asked{ch.op, ch.ref, {}};
    auto st = open(*ch.by, cid, asked);
    if (!st) {
        auto err = st.error();
        err.random_id = random_id;
        metrics_.error_sent(err.code);
        if (ch.origin) ch.origin->deliver(share(protocol::error_frame(err)));
        return;
    }
    if (!ch.origin) return;
    hub_lock lock((*st)->mutex);
    // A retry, perhaps on a new connection after a drop: it is subscribed like the first.
    bool const visitor = ch.by->role == auth::role::visitor;
    add_subscription(ch.origin.get(), ch.origin, visitor, *st, false);
    ch.origin->deliver(share(started_frame((*st)->data, visitor, random_id, ch.ref, true)));
}

void hub::start_conversation(client const& from, command const& cmd) {
    if (from.actor.role == auth::role::operator_)
        return fail(from, protocol::error_for(cmd, error_code::forbidden, "operators do not start conversations"));
    auto random_id = protocol::require_random_id(cmd);
    if (!random_id) return fail(from, random_id.error());
    auto with_random_id = [&](protocol::command_error err) {
        err.random_id = *random_id;
        return err;
    };
    auto visitor = visitor_of(from.actor, cmd);
    if (!visitor) return fail(from, with_random_id(visitor.error()));
    auto department = protocol::read_string(cmd, "department", 128);
    if (!department) return fail(from, with_random_id(department.error()));
    json::object widget;
    for (auto key : protocol::widget_keys) {
        auto const* v = cmd.fields.if_contains(key);
        if (!v || v->is_null()) continue;
        bool const numeric = key == "visit_count" || key == "page_count";
        bool const object = key == "prechat_fields" || key == "visitor_variables";
        bool const ok = numeric ? (v->is_int64() || v->is_uint64()) : object ? v->is_object() : v->is_string();
        if (!ok) return fail(from, with_random_id(protocol::error_for(cmd, error_code::bad_request, std::string(key) + " has the wrong type")));
        widget[key] = *v;
    }
    json::object args{{"random_id", *random_id}, {"visitor_id", visitor->id}, {"widget", std::move(widget)}};
    if (visitor->name) args["visitor_name"] = *visitor->name;
    if (*department) args["department"] = **department;
    change ch;
    ch.op = cmd.op;
    // Not owned: the change is applied before this call returns.
    ch.by = std::shared_ptr<auth::actor const>(std::shared_ptr<void>(), &from.actor);
    ch.args = std::move(args);
    ch.origin = from.conn;
    ch.ref = cmd.ref;
    apply_start(std::move(ch));
}

void hub::apply_start(change ch) {
    std::string const random_id(ch.args.at("random_id").as_string());
    auto const db_key = store::key::idempotency(ch.by->site, 0, auth::to_string(ch.by->role), ch.by->id, random_id);
    hub_lock starts_lock(starts_mutex_);
    // Still being committed: answered (and subscribed) when the commit completes.
    if (auto it = starts_.find(db_key); it != starts_.end()) {
        if (ch.origin) it->second->waiters.push_back({ch.origin.get(), ch.origin, ch.ref, ch.by->role == auth::role::visitor});
        return;
    }
    if (auto known = store_.get(store::family::idempotency, db_key); known && *known && (*known)->size() == 16) {
        starts_lock.unlock();
        return repeat_start(ch, store::key::decode_u64(**known));
    }

    if (!ch.logged) ch.at_ms = now_ms();
    auto const now = ch.at_ms;
    auto const cid = take_id(last_conversation_id_, ch.conversations);
    protocol::conversation c;
    c.id = cid;
    c.site = ch.by->site;
    c.visitor.id = std::string(ch.args.at("visitor_id").as_string());
    if (auto const* name = ch.args.if_contains("visitor_name")) c.visitor.name = std::string(name->as_string());
    if (auto const* department = ch.args.if_contains("department")) c.department = std::string(department->as_string());
    c.widget = ch.args.at("widget").as_object();
    c.created_at = c.updated_at = now;
    if (auto const* referer = c.widget.if_contains("ext_referer"); referer && referer->is_string())
        if (auto search = protocol::search_from_referer(referer->get_string())) {
            c.search_engine = std::move(search->first);
            c.search_query = std::move(search->second);
        }

    auto const event_id = take_id(last_event_id_, ch.events);
    auto const who = c.visitor.name.value_or("Visitor " + c.visitor.id);
    std::optional<std::string> entry_page;
    if (auto const* page = c.widget.if_contains("entry_page"); page && page->is_string()) entry_page = std::string(page->get_string());
    auto event = json::serialize(
        protocol::make_event(event_id, cid, protocol::event_type::chat_open, who + " opened a chat", std::nullopt, entry_page, now));
    change_set change;
    change.writes.add(store::family::events, store::key::event(cid, event_id), event);
    change.writes.add(store::family::idempotency, db_key,
                      store::key::encode_u64(cid) + store::key::encode_u64(static_cast<std::uint64_t>(now)));
    change.writes.last_conversation_id = cid;
    change.writes.last_event_id = event_id;
    change.events.push_back(share(R"({"op":"event","event":)" + event + "}"));

    auto entry = std::make_shared<start_entry>();
    entry->conversation = cid;
    starts_[db_key] = entry;
    starts_lock.unlock();

    auto st = std::make_shared<conversation_state>();
    st->data = std::move(c);
    {
        hub_lock lock(conversations_mutex_);
        conversations_[cid] = st;
        trim_conversations();
    }
    hub_lock lock(st->mutex);
    // The starter is subscribed from the start, so it misses nothing said after.
    bool const visitor_view = ch.by->role == auth::role::visitor;
    if (ch.origin) add_subscription(ch.origin.get(), ch.origin, visitor_view, st, false);
    change.origin = std::move(ch.origin);
    change.reply = started_frame(st->data, visitor_view, random_id, ch.ref, false);
    change.ref = ch.ref;
    change.random_id = random_id;
    change.failure = "could not store the conversation";
    change.start = std::move(entry);
    change.start_key = db_key;
    if (recorder_) change.log_entry = encode(ch);
    // Retries are answered in the starter's view: they are the same actor.
    change.started = [visitor_view, random_id](protocol::conversation const& c, std::optional<std::string> const& ref) {
        return started_frame(c, visitor_view, random_id, ref, true);
    };
    commit(st, std::move(change));
}

} // namespace parley::relay
