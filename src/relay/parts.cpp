// part.create (SPEC §3.2, §3.3): validated, idempotent by random_id, committed before
// anyone hears of it, then acknowledged to its sender and fanned out to the others.

#include "hub_state.hpp"

#include <parley/clock.hpp>
#include <parley/protocol/event.hpp>
#include <parley/protocol/fields.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/protocol/part.hpp>
#include <parley/relay/lifecycle.hpp>
#include <parley/store/keyspace.hpp>
#include <parley/telemetry/metrics.hpp>

#include <boost/json.hpp>

namespace parley::relay {

namespace json = boost::json;
using protocol::command;
using protocol::error_code;

namespace {

/// The stored part `id` of conversation `cid`, as text, or nullopt.
std::optional<std::string> stored_part(store::rocks_store const& store, std::uint64_t cid, std::uint64_t id) {
    auto got = store.get(store::family::parts, store::key::part(cid, id));
    if (!got || !*got) return std::nullopt;
    return std::move(**got);
}

std::string idempotency_value(std::uint64_t id, std::int64_t at_ms) {
    return store::key::encode_u64(id) + store::key::encode_u64(static_cast<std::uint64_t>(at_ms));
}

} // namespace

void hub::create_part(client const& from, command const& cmd) {
    auto req = protocol::parse_part_create(cmd, from.actor.role, limits_);
    if (!req) return fail(from, req.error());
    auto with_random_id = [&](protocol::command_error err) {
        err.random_id = req->random_id;
        return err;
    };
    auto opened = open(from.actor, req->conversation, cmd);
    if (!opened) return fail(from, with_random_id(opened.error()));
    auto st = std::move(*opened);
    auto const cid = req->conversation;

    hub_lock lock(st->mutex);
    auto const key = create_key(from.actor, req->random_id);
    auto const db_key = store::key::idempotency(st->data.site, cid, auth::to_string(from.actor.role), from.actor.id,
                                                req->random_id);

    // A retry: answer with the original, store and broadcast nothing.
    auto duplicate_of = [&](std::uint64_t id) {
        auto original = stored_part(store_, cid, id);
        if (!original) return fail(from, with_random_id(protocol::error_for(cmd, error_code::unavailable, "store unavailable")));
        reply(from, protocol::part_created_frame(*original, req->random_id, cmd.ref, true));
    };
    if (auto it = st->recent.find(key); it != st->recent.end()) {
        if (it->second.committed) return duplicate_of(it->second.part_id);
        it->second.waiters.push_back({from.conn.get(), from.conn, cmd.ref, from.actor.role == auth::role::visitor});
        return;
    }
    auto const now = now_ms();
    if (auto known = store_.get(store::family::idempotency, db_key); known && *known && (*known)->size() == 16) {
        auto const at = static_cast<std::int64_t>(store::key::decode_u64(std::string_view(**known).substr(8)));
        if (now - at <= static_cast<std::int64_t>(limits_.idempotency_window_s) * 1000)
            return duplicate_of(store::key::decode_u64(**known));
    }

    auto const id = ++last_part_id_;
    auto& data = st->data;
    bool const first = data.last_part_id == 0;
    std::optional<std::int64_t> rating;
    if (req->type == protocol::part_type::vote)
        rating = req->content.at("meta_data").at("rating").to_number<std::int64_t>();
    auto part = protocol::make_part(id, cid, now / 1000, req->type, std::move(req->content), from.actor,
                                    from.over_http ? "api" : protocol::sent_via_websocket(from.actor.role), first);
    auto const effect = apply_part(data, req->type, from.actor, id, now, rating);
    auto const part_json = json::serialize(part);

    change_set change;
    change.writes.add(store::family::parts, store::key::part(cid, id), part_json);
    change.writes.add(store::family::idempotency, db_key, idempotency_value(id, now));
    change.writes.last_part_id = id;
    if (effect.reopened) {
        auto const event_id = ++last_event_id_;
        auto event = protocol::make_event(event_id, cid, protocol::event_type::chat_reopen,
                                          "Visitor reopened the chat", std::nullopt, std::nullopt, now);
        auto text = json::serialize(event);
        change.writes.add(store::family::events, store::key::event(cid, event_id), text);
        change.writes.last_event_id = event_id;
        change.events.push_back(share(R"({"op":"event","event":)" + text + "}"));
    }
    change.whole_record = effect.record_changed;
    // A reopened conversation: everyone subscribed hears of its status.
    change.conversation_changed = effect.reopened;
    change.reply_is_conversation = false;
    change.parts.emplace_back(id, share(protocol::part_frame("part", part_json)), protocol::visible_to_visitor(req->type));
    change.parts_skip_origin = true;
    change.origin = from.conn;
    change.reply = protocol::part_created_frame(part_json, req->random_id, cmd.ref, false);
    change.ref = cmd.ref;
    change.random_id = req->random_id;
    change.failure = "could not store the part";
    change.create_key = key;
    change.part_json = part_json;

    st->recent[key] = {id, false, {}};
    st->recent_order.push_back(key);
    commit(st, std::move(change));
}

} // namespace parley::relay
