#include "hub_state.hpp"

#include <parley/protocol/conversation_counters.hpp>
#include <parley/protocol/fields.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/store/conversation_records.hpp>
#include <parley/store/keyspace.hpp>
#include <parley/telemetry/log.hpp>
#include <parley/telemetry/metrics.hpp>

#include <algorithm>

namespace parley::relay {

using protocol::command;
using protocol::command_error;
using protocol::error_code;

bool serves_department(auth::actor const& who, std::optional<std::string> const& department) {
    if (who.role != auth::role::operator_ || !who.departments || !department) return true;
    return std::find(who.departments->begin(), who.departments->end(), *department) != who.departments->end();
}

std::optional<command_error> check_access(auth::actor const& who, protocol::conversation const& c, command const& cmd) {
    if (c.site != who.site) return protocol::error_for(cmd, error_code::not_found, "no such conversation");
    if (who.role == auth::role::visitor && c.visitor.id != who.id)
        return protocol::error_for(cmd, error_code::forbidden, "not your conversation");
    if (!serves_department(who, c.department))
        return protocol::error_for(cmd, error_code::forbidden, "conversation of another department");
    return std::nullopt;
}

std::string create_key(auth::actor const& who, std::string_view random_id) {
    std::string k(auth::to_string(who.role));
    k.push_back('\0');
    k += who.id;
    k.push_back('\0');
    k += random_id;
    return k;
}

hub::hub(store::rocks_store& store, store::commit_log& log, config::limits const& limits, std::string epoch,
         telemetry::metrics& metrics)
    : store_(store), log_(log), limits_(limits), epoch_(std::move(epoch)), metrics_(metrics),
      last_part_id_(store.marks().last_part_id), last_conversation_id_(store.marks().last_conversation_id),
      last_event_id_(store.marks().last_event_id) {}

hub::~hub() = default;

void hub::reply(client const& to, std::string frame) const {
    to.conn->deliver(std::make_shared<std::string const>(std::move(frame)));
}

void hub::fail(client const& to, command_error const& err) const {
    metrics_.error_sent(err.code);
    reply(to, protocol::error_frame(err));
}

void hub::handle(client const& from, command const& cmd) {
    hub_lock::assert_not_held("hub::handle");
    auto const& op = cmd.op;
    if (op == "part.create") return create_part(from, cmd);
    if (op == "subscribe") return subscribe(from, cmd);
    if (op == "unsubscribe") return unsubscribe(from, cmd);
    if (op == "conversation.start") return start_conversation(from, cmd);
    if (op == "part.edit") return update_part(from, cmd, false);
    if (op == "part.remove") return update_part(from, cmd, true);
    if (op == "conversation.assign") return assign(from, cmd, false);
    if (op == "conversation.transfer") return assign(from, cmd, true);
    if (op == "conversation.close") return close(from, cmd);
    if (op == "conversation.tag") return tag(from, cmd);
    if (op == "event") return report_event(from, cmd);
    if (op == "typing") return typing(from, cmd);
    if (op == "read") return read(from, cmd);
    fail(from, protocol::error_for(cmd, error_code::bad_request, "unknown op"));
}

expected<std::shared_ptr<hub::conversation_state>, command_error> hub::open(auth::actor const& who, std::uint64_t id,
                                                                           command const& cmd) {
    std::shared_ptr<conversation_state> st;
    {
        hub_lock lock(conversations_mutex_);
        if (auto it = conversations_.find(id); it != conversations_.end()) st = it->second;
    }
    auto load = [&]() -> std::optional<command_error> {
        auto loaded = store::load_conversation(store_, id);
        if (!loaded) {
            auto const& e = loaded.error();
            auto const code = e.kind == store::record_error::kind::missing ? error_code::not_found
                              : e.kind == store::record_error::kind::store ? error_code::unavailable
                                                                           : error_code::internal;
            return protocol::error_for(cmd, code, code == error_code::unavailable ? "store unavailable" : e.message);
        }
        st->data = std::move(*loaded);
        // What the store holds is what its index entries say: they were written together.
        st->indexed = index::row_of(st->data);
        st->stale = false;
        return std::nullopt;
    };
    if (!st) {
        st = std::make_shared<conversation_state>();
        if (auto err = load()) return unexpected{std::move(*err)};
        hub_lock lock(conversations_mutex_);
        st = conversations_.try_emplace(id, st).first->second;
        trim_conversations();
    }
    hub_lock lock(st->mutex);
    if (st->stale)
        if (auto err = load()) return unexpected{std::move(*err)};
    if (auto err = check_access(who, st->data, cmd)) return unexpected{std::move(*err)};
    return st;
}

void hub::trim_conversations() {
    auto const limit = std::size_t{limits_.conversations_in_memory};
    if (conversations_.size() <= limit) return;
    auto const target = limit - limit / 10;
    for (auto it = conversations_.begin(); it != conversations_.end() && conversations_.size() > target;) {
        auto const& st = it->second;
        // Only the map holds it (no command, commit or reader has it), and nobody is
        // subscribed: the store has all of it. A locked one is in use: skip it.
        bool idle = false;
        if (st.use_count() == 1) {
            std::unique_lock<std::mutex> in_use(st->mutex, std::try_to_lock);
            idle = in_use.owns_lock() && st->subscribers.empty();
        }
        if (idle) it = conversations_.erase(it);
        else ++it;
    }
}

std::size_t hub::conversations_in_memory() {
    hub_lock lock(conversations_mutex_);
    return conversations_.size();
}

std::optional<std::uint64_t> hub::needs_load(command const& cmd) {
    auto const* v = cmd.fields.if_contains("conversation");
    if (!v || !(v->is_uint64() || v->is_int64())) return std::nullopt;
    auto const id = v->to_number<std::uint64_t>();
    hub_lock lock(conversations_mutex_);
    if (auto it = conversations_.find(id); it != conversations_.end()) return std::nullopt;
    return id;
}

std::shared_ptr<hub::conversation_state> hub::open_named(client const& from, command const& cmd) {
    auto id = protocol::require_id(cmd, "conversation");
    if (!id) return fail(from, id.error()), nullptr;
    auto st = open(from.actor, *id, cmd);
    if (!st) return fail(from, st.error()), nullptr;
    return std::move(*st);
}

expected<protocol::conversation, command_error> hub::conversation_for(auth::actor const& who, std::uint64_t id) {
    command const none{};
    auto st = open(who, id, none);
    if (!st) return unexpected{st.error()};
    hub_lock lock((*st)->mutex);
    return (*st)->data;
}

void hub::fan_out_part(conversation_state& st, std::uint64_t part_id, bool visitor_visible, subscriber const* origin,
                       std::shared_ptr<std::string const> const& frame) {
    // Inbox listeners for parts first: usually there are none, and then the
    // conversation's subscribers (thousands, in a busy room) need no bookkeeping.
    std::vector<std::pair<subscriber const*, subscriber*>> inbox_targets;
    {
        hub_lock lock(inbox_mutex_);
        if (auto it = inbox_.find(st.data.site); it != inbox_.end())
            for (auto const& sub : it->second)
                if (sub.parts && sub.address != origin && serves_department(sub.actor, st.data.department))
                    if (auto* conn = hub_lock::reach(sub.conn)) inbox_targets.emplace_back(sub.address, conn);
    }
    std::vector<subscriber const*> reached;
    for (auto& sub : st.subscribers) {
        if (sub.address == origin || (sub.visitor && !visitor_visible)) continue;
        if (!inbox_targets.empty()) reached.push_back(sub.address);
        if (part_id <= sub.replayed_up_to) continue; // the replay already sent it
        if (sub.replaying) {
            sub.held.emplace_back(part_id, frame);
        } else if (auto* conn = hub_lock::reach(sub.conn)) {
            conn->deliver(frame);
        }
    }
    // A connection subscribed to both the conversation and the inbox gets it once.
    std::sort(reached.begin(), reached.end());
    for (auto const& [address, conn] : inbox_targets)
        if (!std::binary_search(reached.begin(), reached.end(), address)) conn->deliver(frame);
}

void hub::announce(conversation_state& st, std::shared_ptr<std::string const> const& conversation_frame,
                   std::vector<std::shared_ptr<std::string const>> const& event_frames) {
    std::vector<subscriber const*> reached;
    for (auto const& sub : st.subscribers) {
        if (sub.visitor || event_frames.empty()) continue;
        auto* conn = hub_lock::reach(sub.conn);
        if (!conn) continue;
        reached.push_back(sub.address);
        for (auto const& e : event_frames) conn->deliver(e);
    }
    hub_lock lock(inbox_mutex_);
    auto it = inbox_.find(st.data.site);
    if (it == inbox_.end()) return;
    for (auto const& sub : it->second) {
        if (!serves_department(sub.actor, st.data.department)) continue;
        auto* conn = hub_lock::reach(sub.conn);
        if (!conn) continue;
        if (conversation_frame) conn->deliver(conversation_frame);
        if (std::find(reached.begin(), reached.end(), sub.address) != reached.end()) continue;
        for (auto const& e : event_frames) conn->deliver(e);
    }
}

bool hub::inbox_listened(std::string const& site) {
    hub_lock lock(inbox_mutex_);
    auto it = inbox_.find(site);
    return it != inbox_.end() && !it->second.empty();
}

void hub::forget(subscriber const* conn) {
    hub_lock::assert_not_held("hub::forget");
    std::vector<std::weak_ptr<conversation_state>> states;
    {
        hub_lock lock(conversations_mutex_);
        if (auto it = subscribed_by_conn_.find(conn); it != subscribed_by_conn_.end()) {
            states = std::move(it->second);
            subscribed_by_conn_.erase(it);
        }
    }
    for (auto const& weak : states) {
        auto st = weak.lock();
        if (!st) continue;
        hub_lock lock(st->mutex);
        std::erase_if(st->subscribers, [conn](auto const& s) { return s.address == conn; });
    }
    hub_lock lock(inbox_mutex_);
    for (auto& [site, subs] : inbox_) std::erase_if(subs, [conn](auto const& s) { return s.address == conn; });
}

} // namespace parley::relay
