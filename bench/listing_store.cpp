#include "listing_store.hpp"

#include <parley/index/backfill.hpp>
#include <parley/index/index_keys.hpp>
#include <parley/protocol/conversation_counters.hpp>
#include <parley/store/keyspace.hpp>
#include <parley/store/rocks_store.hpp>

namespace parley::bench {

namespace {
constexpr std::int64_t minute = 60'000;
constexpr std::uint64_t batch_conversations = 2000;
} // namespace

std::string_view listing_status(std::uint64_t i) {
    return i % 10 == 0 ? "finished" : i % 3 == 0 ? "assigned" : "queued";
}

protocol::conversation listing_conversation(std::uint64_t i, std::int64_t spacing_ms, std::string_view site) {
    protocol::conversation c;
    c.id = i;
    c.site = std::string(site);
    c.visitor = {"v-" + std::to_string(i % 5000), "Visitor " + std::to_string(i)};
    c.created_at = listing_t0 + static_cast<std::int64_t>(i) * spacing_ms;
    c.updated_at = c.created_at + 5 * minute;
    c.status = std::string(listing_status(i));
    if (c.status != "queued") c.assignee = protocol::person{"op-" + std::to_string(i % 7), std::nullopt};
    if (i % 10 == 0) c.ends_at = c.updated_at;
    c.department = i % 2 ? std::optional<std::string>("sales") : std::optional<std::string>("support");
    c.message_count = i % 40;
    if (i % 4 == 0) c.rating = static_cast<std::int64_t>(1 + i % 5);
    if (i % 100 == 0) c.tags = {"vip"};
    return c;
}

std::optional<std::string> fill_listing_store(std::string const& path, std::uint64_t n, std::int64_t spacing_ms,
                                              std::string_view site) {
    auto opened = store::rocks_store::open({path, false});
    if (!opened) return opened.error().message;
    auto& s = **opened;
    store::write_set batch;
    auto flush = [&]() -> std::optional<std::string> {
        store::write_set const* sets[] = {&batch};
        if (auto err = s.write(sets)) return err->message;
        batch = {};
        return std::nullopt;
    };
    for (std::uint64_t i = 1; i <= n; ++i) {
        auto const c = listing_conversation(i, spacing_ms, site);
        batch.add(store::family::conversations, store::key::conversation(i), protocol::to_stored(c));
        batch.add(store::family::conversations, store::key::conversation_counters(i), protocol::encode_counters(c));
        index::add_changes(batch, std::nullopt, index::row_of(c));
        batch.last_conversation_id = i;
        if (i % batch_conversations == 0)
            if (auto err = flush()) return err;
    }
    // This layout is current: the server must not rebuild what is here.
    batch.add(store::family::meta, "index_version", std::string(index::layout_version));
    if (auto err = flush()) return err;
    if (auto err = s.close()) return err->message;
    return std::nullopt;
}

} // namespace parley::bench
