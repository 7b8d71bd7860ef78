#include <parley/protocol/conversation_counters.hpp>
#include <parley/store/conversation_records.hpp>
#include <parley/store/keyspace.hpp>

namespace parley::store {

expected<protocol::conversation, record_error> load_conversation(rocks_store const& store, std::uint64_t id) {
    auto const record_key = key::conversation(id);
    auto stored = store.scan(family::conversations, {record_key, {}, {}, 2, false});
    if (!stored) return unexpected{record_error{record_error::kind::store, stored.error().message}};
    if (stored->empty() || stored->front().key != record_key)
        return unexpected{record_error{record_error::kind::missing, "no such conversation"}};
    auto parsed = protocol::from_stored(stored->front().value);
    if (!parsed) return unexpected{record_error{record_error::kind::unreadable, "unreadable conversation record"}};
    bool const has_counters = stored->size() == 2 && stored->back().key == key::conversation_counters(id);
    if (has_counters && !protocol::apply_counters(*parsed, stored->back().value))
        return unexpected{record_error{record_error::kind::unreadable, "unreadable conversation counters"}};
    return std::move(*parsed);
}

std::optional<store_error> for_each_conversation(rocks_store const& store,
                                                 std::function<void(protocol::conversation&&)> const& visit) {
    // Pages of records and counters together; a page may end between the two.
    constexpr std::size_t page = 1024;
    rocks_store::range r{{}, {}, {}, page, false};
    std::optional<protocol::conversation> pending;
    for (;;) {
        auto stored = store.scan(family::conversations, r);
        if (!stored) return stored.error();
        for (auto const& rec : *stored) {
            if (rec.key.size() == 8) {
                if (pending) visit(std::move(*pending));
                pending = protocol::from_stored(rec.value);
            } else if (pending && rec.key == key::conversation_counters(pending->id)) {
                if (!protocol::apply_counters(*pending, rec.value)) pending.reset();
            }
        }
        if (stored->size() < page) break;
        r.after = stored->back().key;
    }
    if (pending) visit(std::move(*pending));
    return std::nullopt;
}

} // namespace parley::store
