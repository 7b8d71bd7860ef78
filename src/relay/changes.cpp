// What a change writes: the conversation's aggregate and index entries, server-written
// parts and events.

#include "hub_state.hpp"

#include <parley/clock.hpp>
#include <parley/index/index_keys.hpp>
#include <parley/protocol/conversation_counters.hpp>
#include <parley/protocol/event.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/protocol/part.hpp>
#include <parley/relay/lifecycle.hpp>
#include <parley/store/keyspace.hpp>
#include <parley/telemetry/metrics.hpp>

#include <boost/json.hpp>

namespace parley::relay {

namespace json = boost::json;

void store_aggregate(store::write_set& writes, protocol::conversation const& c,
                     std::optional<index::conversation_row>& indexed, bool whole) {
    // Without a change to the record, only the counters moved; of what the row stores,
    // only the rating is among them.
    if (!whole && indexed && indexed->rating == c.rating) {
        index::move_activity(writes, *indexed, c.updated_at, c.message_count);
    } else {
        auto row = index::row_of(c);
        index::add_changes(writes, indexed, row);
        indexed = std::move(row);
    }
    if (whole) writes.add(store::family::conversations, store::key::conversation(c.id), protocol::to_stored(c));
    writes.add(store::family::conversations, store::key::conversation_counters(c.id), protocol::encode_counters(c));
}

void hub::add_server_part(conversation_state& st, change_set& out, change& ch, protocol::part_type type, json::object extra) {
    auto const id = take_id(last_part_id_, ch.parts);
    auto& c = st.data;
    auto part = protocol::make_part(id, c.id, ch.at_ms / 1000, type, std::move(extra), *ch.by, "system", c.last_part_id == 0);
    apply_part(c, type, *ch.by, id, ch.at_ms, std::nullopt);
    auto text = json::serialize(part);
    out.writes.add(store::family::parts, store::key::part(c.id, id), text);
    out.writes.last_part_id = std::max(out.writes.last_part_id, id);
    out.parts.emplace_back(id, share(protocol::part_frame("part", text)), protocol::visible_to_visitor(type));
}

void hub::add_event(conversation_state& st, change_set& out, change& ch, std::string_view type, std::string text,
                    std::optional<protocol::person> employee, std::optional<std::string> page) {
    auto const id = take_id(last_event_id_, ch.events);
    auto event = json::serialize(protocol::make_event(id, st.data.id, type, std::move(text), employee, page, ch.at_ms));
    out.writes.add(store::family::events, store::key::event(st.data.id, id), event);
    out.writes.last_event_id = std::max(out.writes.last_event_id, id);
    out.events.push_back(share(R"({"op":"event","event":)" + event + "}"));
}

} // namespace parley::relay
