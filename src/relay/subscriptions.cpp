// subscribe / unsubscribe, live and with replay (SPEC §3.2, §3.3 Recovery).

#include "hub_state.hpp"

#include <parley/protocol/fields.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/protocol/part_type.hpp>
#include <parley/store/keyspace.hpp>
#include <parley/telemetry/metrics.hpp>
#include <parley/clock.hpp>

#include <boost/json.hpp>

namespace parley::relay {

namespace json = boost::json;
using protocol::command;
using protocol::error_code;

namespace {

/// Parts read per store scan while replaying; bounds one read's memory.
constexpr std::size_t replay_page = 500;

std::string subscribed_frame(protocol::conversation const& c, bool visitor, std::uint64_t replayed,
                             bool recovered, std::optional<std::string> const& ref) {
    auto const who = visitor ? protocol::audience::visitor : protocol::audience::staff;
    json::object frame{
        {"op", "subscribed"},
        {"conversation", protocol::to_json(c, who, now_ms())},
        {"replayed", replayed},
        {"last_id", visitor ? c.last_visitor_part_id : c.last_part_id},
        {"recovered", recovered},
    };
    if (ref) frame["ref"] = *ref;
    return json::serialize(frame);
}

/// Whether `w` points at `st`, without locking it: a strong reference made and dropped
/// under the conversations map's lock could be the conversation's last.
bool same_owner(std::weak_ptr<hub::conversation_state> const& w, std::shared_ptr<hub::conversation_state> const& st) {
    return !w.owner_before(st) && !st.owner_before(w);
}

} // namespace

void hub::add_subscription(subscriber const* address, std::weak_ptr<subscriber> const& conn, bool visitor,
                           std::shared_ptr<conversation_state> const& st, bool replaying) {
    {
        hub_lock lock(conversations_mutex_);
        auto& mine = subscribed_by_conn_[address];
        std::erase_if(mine, [](auto const& w) { return w.expired(); });
        if (std::none_of(mine.begin(), mine.end(), [&](auto const& w) { return same_owner(w, st); })) mine.push_back(st);
    }
    // A second subscribe from the same connection replaces the first (a resync).
    std::erase_if(st->subscribers, [&](auto const& s) { return s.address == address; });
    st->subscribers.push_back({address, conn, visitor, replaying, {}});
}

void hub::subscribe(client const& from, command const& cmd) {
    if (auto const* inbox = cmd.fields.if_contains("inbox"); inbox && inbox->is_bool() && inbox->get_bool())
        return subscribe_inbox(from, cmd);
    auto id = protocol::require_id(cmd, "conversation");
    if (!id) return fail(from, id.error());
    auto after = protocol::read_id(cmd, "after");
    if (!after) return fail(from, after.error());
    auto epoch = protocol::read_string(cmd, "epoch", 64);
    if (!epoch) return fail(from, epoch.error());
    auto st = open(from.actor, *id, cmd);
    if (!st) return fail(from, st.error());

    // Ids from another epoch mean nothing here: the client starts over from the beginning.
    bool const recovered = !*epoch || **epoch == epoch_;
    auto replay_after = *after;
    if (!recovered && replay_after) replay_after = 0;

    hub_lock lock((*st)->mutex);
    add_subscription(from.conn.get(), from.conn, from.actor.role == auth::role::visitor, *st, replay_after.has_value());
    if (!replay_after) {
        reply(from, subscribed_frame((*st)->data, from.actor.role == auth::role::visitor, 0, recovered, cmd.ref));
        return;
    }
    lock.unlock();
    replay(from, cmd, *st, *replay_after, recovered);
}

void hub::replay(client const& from, command const& cmd, std::shared_ptr<conversation_state> const& st,
                 std::uint64_t after, bool recovered) {
    // Read outside the lock: commits go on meanwhile, and their live copies are held.
    std::vector<store::rocks_store::record> records;
    auto const cid = st->data.id;
    store::rocks_store::range range{store::key::conversation_prefix(cid), store::key::part(cid, after), {}, replay_page};
    for (;;) {
        auto page = store_.scan(store::family::parts, range);
        if (!page) {
            hub_lock lock(st->mutex);
            std::erase_if(st->subscribers, [&](auto const& s) { return s.address == from.conn.get(); });
            return fail(from, protocol::error_for(cmd, error_code::unavailable, "store unavailable"));
        }
        bool const more = page->size() == replay_page;
        if (!page->empty()) range.after = page->back().key;
        records.insert(records.end(), std::make_move_iterator(page->begin()), std::make_move_iterator(page->end()));
        if (!more) break;
    }

    bool const visitor = from.actor.role == auth::role::visitor;
    hub_lock lock(st->mutex);
    auto sub = std::find_if(st->subscribers.begin(), st->subscribers.end(),
                            [&](auto const& s) { return s.address == from.conn.get(); });
    if (sub == st->subscribers.end()) {
        // Unsubscribed while replaying: the subscribe still gets its one answer.
        return reply(from, subscribed_frame(st->data, visitor, 0, recovered, cmd.ref));
    }

    std::uint64_t last_read = after;
    std::uint64_t replayed = 0;
    for (auto const& r : records) {
        last_read = store::key::trailing_id(r.key);
        boost::system::error_code ec;
        auto part = json::parse(r.value, ec);
        if (ec || !part.is_object()) continue;
        auto const type = protocol::type_of(part.as_object());
        if (visitor && (!type || !protocol::visible_to_visitor(*type))) continue;
        protocol::derive_read(part.as_object(), st->data);
        from.conn->deliver(std::make_shared<std::string const>(protocol::part_frame("part", json::serialize(part))));
        ++replayed;
    }
    // `subscribed` marks the switch to live; then the live parts that arrived during
    // the read, only those the read did not see.
    reply(from, subscribed_frame(st->data, visitor, replayed, recovered, cmd.ref));
    for (auto const& [id, frame] : sub->held)
        if (id > last_read) from.conn->deliver(frame);
    sub->held.clear();
    sub->replaying = false;
    sub->replayed_up_to = last_read;
}

void hub::subscribe_inbox(client const& from, command const& cmd) {
    if (from.actor.role == auth::role::visitor)
        return fail(from, protocol::error_for(cmd, error_code::forbidden, "only operators and bots have an inbox"));
    auto const* parts = cmd.fields.if_contains("parts");
    if (parts && !parts->is_bool()) return fail(from, protocol::error_for(cmd, error_code::bad_request, "parts must be true or false"));
    bool const with_parts = parts && parts->get_bool();
    {
        hub_lock lock(inbox_mutex_);
        auto& subs = inbox_[from.actor.site];
        std::erase_if(subs, [&](auto const& s) { return s.address == from.conn.get(); });
        subs.push_back({from.conn.get(), from.conn, from.actor, with_parts});
    }
    json::object frame{{"op", "subscribed"}, {"inbox", true}, {"parts", with_parts}};
    if (cmd.ref) frame["ref"] = *cmd.ref;
    reply(from, json::serialize(frame));
}

void hub::unsubscribe(client const& from, command const& cmd) {
    if (auto const* inbox = cmd.fields.if_contains("inbox"); inbox && inbox->is_bool() && inbox->get_bool()) {
        hub_lock lock(inbox_mutex_);
        auto& subs = inbox_[from.actor.site];
        std::erase_if(subs, [&](auto const& s) { return s.address == from.conn.get(); });
    } else {
        auto st = open_named(from, cmd);
        if (!st) return;
        {
            hub_lock lock(conversations_mutex_);
            if (auto it = subscribed_by_conn_.find(from.conn.get()); it != subscribed_by_conn_.end())
                std::erase_if(it->second, [&](auto const& w) { return w.expired() || same_owner(w, st); });
        }
        hub_lock lock(st->mutex);
        std::erase_if(st->subscribers, [&](auto const& s) { return s.address == from.conn.get(); });
    }
    reply(from, protocol::ok_frame(cmd.ref));
}

} // namespace parley::relay
