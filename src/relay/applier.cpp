// Where a committed change reaches the hub: every command's commit ends here, in commit
// order, whatever the command was.

#include "hub_state.hpp"

#include <parley/clock.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/protocol/part.hpp>
#include <parley/telemetry/metrics.hpp>

namespace parley::relay {

void hub::commit(std::shared_ptr<conversation_state> const& st, change_set change) {
    auto& c = st->data;
    store_aggregate(change.writes, c, st->indexed, change.whole_record);
    auto const now = now_ms();
    if (change.conversation_changed || inbox_listened(c.site))
        change.staff_view = share(protocol::object_frame("conversation", "conversation", protocol::to_json(c, protocol::audience::staff, now)));
    if (change.conversation_changed)
        change.visitor_view = share(protocol::object_frame("conversation", "conversation", protocol::to_json(c, protocol::audience::visitor, now)));
    auto shared = std::make_shared<change_set>(std::move(change));
    auto writes = std::move(shared->writes);
    log_.submit(std::move(writes), [this, st, shared](std::optional<store::store_error> const& err) {
        committed(st, *shared, err);
    });
}

void hub::committed(std::shared_ptr<conversation_state> const& st, change_set& change,
                    std::optional<store::store_error> const& err) {
    std::vector<waiter> waiters;
    if (change.start) {
        // Committed or not, the entry goes: later retries find the stored key.
        hub_lock starts(starts_mutex_);
        waiters = std::move(change.start->waiters);
        starts_.erase(change.start_key);
    }
    // Deliveries stay under the conversation's lock: a replay switches its subscriber to
    // live under it too, which is what makes `subscribe` with `after` exact. hub_lock
    // keeps the references reached here until after the unlock.
    hub_lock lock(st->mutex);
    auto recent = change.create_key ? st->recent.find(*change.create_key) : st->recent.end();
    // Stored or refused, these rewrites are no longer ahead of the store (unless a later
    // change rewrote the same part again).
    for (auto const& [id, rewrite] : change.rewrites)
        if (auto pending = st->unsettled_parts.find(id); pending != st->unsettled_parts.end() && pending->second.second == rewrite)
            st->unsettled_parts.erase(pending);
    if (recent != st->recent.end()) waiters = std::move(recent->second.waiters);

    if (err) {
        if (change.start) {
            hub_lock conversations(conversations_mutex_);
            conversations_.erase(st->data.id);
        } else {
            // Memory is ahead of the disk now: reload before the next command.
            st->stale = true;
        }
        if (recent != st->recent.end()) st->recent.erase(recent);
        protocol::command_error e{protocol::error_code::unavailable, std::string(change.failure), change.ref, change.random_id};
        metrics_.error_sent(e.code);
        if (change.origin) change.origin->deliver(share(protocol::error_frame(e)));
        for (auto const& w : waiters) {
            e.ref = w.ref;
            if (auto* conn = hub_lock::reach(w.conn)) conn->deliver(share(protocol::error_frame(e)));
        }
        return;
    }

    // Only what was stored is in the log: a failed commit leaves no trace for others.
    if (recorder_ && !change.log_entry.empty()) recorder_(std::move(change.log_entry));
    metrics_.parts_written(change.parts.size() + change.updated.size());
    if (!change.events.empty()) metrics_.events_written(change.events.size());
    subscriber const* origin = change.origin.get();
    if (change.origin) change.origin->deliver(share(std::move(change.reply)));
    if (recent != st->recent.end()) recent->second.committed = true;
    for (auto const& w : waiters) {
        auto* conn = hub_lock::reach(w.conn);
        if (!conn) continue; // closed while it waited: nobody to answer
        if (change.start) {
            // A retry that raced the commit is subscribed like the original.
            add_subscription(w.address, w.conn, w.visitor, st, false);
            conn->deliver(share(change.started(st->data, w.ref)));
        } else {
            conn->deliver(share(protocol::part_created_frame(change.part_json, *change.random_id, w.ref, true)));
        }
    }
    for (auto const& [id, frame, visible] : change.parts)
        fan_out_part(*st, id, visible, change.parts_skip_origin ? origin : nullptr, frame);
    // An update is always released after a replay (max id): a repeat of the whole part is harmless.
    for (auto const& [frame, visible] : change.updated) fan_out_part(*st, UINT64_MAX, visible, origin, frame);
    if (change.visitor_view)
        for (auto const& sub : st->subscribers) {
            if (sub.address == origin && change.reply_is_conversation) continue;
            if (auto* conn = hub_lock::reach(sub.conn)) conn->deliver(sub.visitor ? change.visitor_view : change.staff_view);
        }
    announce(*st, change.staff_view, change.events);

    while (st->recent_order.size() > recent_creates_kept) {
        auto old = st->recent.find(st->recent_order.front());
        if (old != st->recent.end() && !old->second.committed) break;
        if (old != st->recent.end()) st->recent.erase(old);
        st->recent_order.pop_front();
    }
}

} // namespace parley::relay
