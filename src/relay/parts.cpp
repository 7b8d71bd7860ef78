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
    auto opened = open(from.actor, req->conversation, cmd);
    if (!opened) {
        auto err = opened.error();
        err.random_id = req->random_id;
        return fail(from, err);
    }
    auto const& st = *opened;
    auto ch = decide(from, cmd, *st, {});
    ch.part = std::move(*req);
    ch.over_http = from.over_http;
    sequence(st, std::move(ch));
}

expected<hub::change_set, protocol::command_error> hub::apply_create(conversation_state& st, change& ch) {
    auto const type = ch.part->type;
    auto const& random_id = ch.part->random_id;
    auto const cid = st.data.id;
    auto const key = create_key(*ch.by, random_id);
    auto const db_key = store::key::idempotency(st.data.site, cid, auth::to_string(ch.by->role), ch.by->id, random_id);

    // A retry: answer with the original, store and broadcast nothing.
    auto duplicate_of = [&](std::uint64_t id) -> expected<change_set, protocol::command_error> {
        auto original = stored_part(store_, cid, id);
        if (!original) return unexpected{protocol::command_error{error_code::unavailable, "store unavailable", ch.ref, random_id}};
        change_set answer;
        answer.unchanged = true;
        answer.reply = protocol::part_created_frame(*original, random_id, ch.ref, true);
        return answer;
    };
    auto const now = ch.at_ms;
    auto const window_ms = static_cast<std::int64_t>(limits_.idempotency_window_s) * 1000;
    // A logged change was told apart from its retries where it was taken; what this
    // node remembers of recent creates must not decide differently here. Nor does a key
    // older than the window, in memory or in the store.
    if (auto it = st.recent.find(key); !ch.logged && it != st.recent.end() &&
                                       !(it->second.committed && now - it->second.at_ms > window_ms)) {
        if (it->second.committed) return duplicate_of(it->second.part_id);
        // Being committed: answered with it.
        if (ch.origin) it->second.waiters.push_back({ch.origin.get(), ch.origin, ch.ref, ch.by->role == auth::role::visitor});
        change_set later;
        later.unchanged = true;
        return later;
    }
    if (auto known = ch.logged ? decltype(store_.get(store::family::idempotency, db_key)){std::nullopt}
                               : store_.get(store::family::idempotency, db_key);
        known && *known && (*known)->size() == 16) {
        auto const at = static_cast<std::int64_t>(store::key::decode_u64(std::string_view(**known).substr(8)));
        if (now - at <= window_ms)
            return duplicate_of(store::key::decode_u64(**known));
    }

    auto const id = take_id(last_part_id_, ch.parts);
    auto& data = st.data;
    bool const first = data.last_part_id == 0;
    // Kept for the log only when one is recorded; otherwise the part takes it.
    json::object content = recorder_ ? ch.part->content : std::move(ch.part->content);
    std::optional<std::int64_t> rating;
    if (type == protocol::part_type::vote) rating = content.at("meta_data").at("rating").to_number<std::int64_t>();
    auto part = protocol::make_part(id, cid, now / 1000, type, std::move(content), *ch.by,
                                    ch.over_http ? "api" : protocol::sent_via_websocket(ch.by->role), first);
    auto const effect = apply_part(data, type, *ch.by, id, now, rating);
    auto const part_json = json::serialize(part);

    change_set change;
    change.writes.add(store::family::parts, store::key::part(cid, id), part_json);
    change.writes.add(store::family::idempotency, db_key, idempotency_value(id, now));
    change.writes.last_part_id = id;
    if (effect.reopened) {
        auto const event_id = take_id(last_event_id_, ch.events);
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
    change.parts.emplace_back(id, share(protocol::part_frame("part", part_json)), protocol::visible_to_visitor(type));
    change.parts_skip_origin = true;
    change.reply = protocol::part_created_frame(part_json, random_id, ch.ref, false);
    change.random_id = random_id;
    change.failure = "could not store the part";
    change.create_key = key;
    change.part_json = part_json;

    st.recent[key] = {id, false, {}, now};
    st.recent_order.push_back(key);
    return change;
}

} // namespace parley::relay
