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

    store::write_set change;
    change.add(store::family::parts, store::key::part(cid, id), part_json);
    change.add(store::family::idempotency, db_key, idempotency_value(id, now));
    change.last_part_id = id;
    std::vector<frame_ptr> events;
    if (effect.reopened) {
        auto const event_id = ++last_event_id_;
        auto event = protocol::make_event(event_id, cid, protocol::event_type::chat_reopen,
                                          "Visitor reopened the chat", std::nullopt, std::nullopt, now);
        auto text = json::serialize(event);
        change.add(store::family::events, store::key::event(cid, event_id), text);
        change.last_event_id = event_id;
        events.push_back(share(R"({"op":"event","event":)" + text + "}"));
    }
    store_aggregate(change, data, st->indexed, effect.record_changed);

    st->recent[key] = {id, false, {}};
    st->recent_order.push_back(key);
    auto const live = share(protocol::part_frame("part", part_json));
    auto const ack = share(protocol::part_created_frame(part_json, req->random_id, cmd.ref, false));
    bool const visible = protocol::visible_to_visitor(req->type);
    bool const status_changed = effect.reopened;
    auto const conversation_frame =
        status_changed || inbox_listened(data.site)
            ? share(protocol::object_frame("conversation", "conversation", protocol::to_json(data, protocol::audience::staff, now)))
            : nullptr;
    auto const visitor_conversation =
        status_changed ? share(protocol::object_frame("conversation", "conversation",
                                                      protocol::to_json(data, protocol::audience::visitor, now)))
                       : nullptr;

    // Submitted under the conversation's lock, so submit order is id order.
    log_.submit(std::move(change), [this, st, origin = from.conn, key, id, live, ack, conversation_frame, events,
                                    visible, visitor_conversation, part_json, random_id = req->random_id,
                                    ref = cmd.ref](std::optional<store::store_error> const& err) {
        hub_lock lock(st->mutex);
        auto entry = st->recent.find(key);
        std::vector<waiter> waiters;
        if (entry != st->recent.end()) waiters = std::move(entry->second.waiters);
        if (err) {
            // Memory is ahead of the disk now: reload before the next command.
            st->stale = true;
            if (entry != st->recent.end()) st->recent.erase(entry);
            protocol::command_error e{error_code::unavailable, "could not store the part", ref, random_id};
            metrics_.error_sent(e.code);
            origin->deliver(share(protocol::error_frame(e)));
            for (auto const& w : waiters) {
                e.ref = w.ref;
                if (auto* conn = hub_lock::reach(w.conn)) conn->deliver(share(protocol::error_frame(e)));
            }
            return;
        }
        metrics_.parts_written(1);
        if (!events.empty()) metrics_.events_written(events.size());
        if (entry != st->recent.end()) entry->second.committed = true;
        origin->deliver(ack);
        for (auto const& w : waiters)
            if (auto* conn = hub_lock::reach(w.conn))
                conn->deliver(share(protocol::part_created_frame(part_json, random_id, w.ref, true)));
        fan_out_part(*st, id, visible, origin.get(), live);
        if (visitor_conversation) // the status changed: everyone subscribed hears it
            for (auto const& sub : st->subscribers)
                if (auto* conn = hub_lock::reach(sub.conn)) conn->deliver(sub.visitor ? visitor_conversation : conversation_frame);
        announce(*st, conversation_frame, events);
        while (st->recent_order.size() > recent_creates_kept) {
            auto old = st->recent.find(st->recent_order.front());
            if (old != st->recent.end() && !old->second.committed) break;
            if (old != st->recent.end()) st->recent.erase(old);
            st->recent_order.pop_front();
        }
    });
}

} // namespace parley::relay
