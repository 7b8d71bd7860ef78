#include <parley/index/backfill.hpp>
#include <parley/index/index_keys.hpp>
#include <parley/store/conversation_records.hpp>
#include <parley/store/keyspace.hpp>

namespace parley::index {

namespace {
constexpr std::string_view version_key = "index_version";
constexpr std::size_t batch_conversations = 1000;
constexpr std::size_t batch_keys = 10'000;

/// Erases every key of the indexes family, a batch at a time.
std::optional<store::store_error> clear_indexes(store::rocks_store& store) {
    std::string after;
    for (;;) {
        auto keys = store.scan_keys(store::family::indexes, {{}, after, {}, batch_keys, false});
        if (!keys) return keys.error();
        if (keys->empty()) return std::nullopt;
        after = keys->back();
        store::write_set batch;
        for (auto& k : *keys) batch.erase(store::family::indexes, std::move(k));
        store::write_set const* sets[] = {&batch};
        if (auto err = store.write(sets)) return err;
    }
}

} // namespace

expected<std::size_t, store::store_error> backfill(store::rocks_store& store) {
    auto current = store.get(store::family::meta, version_key);
    if (!current) return unexpected{current.error()};
    if (*current && **current == layout_version) return std::size_t{0};
    if (*current)
        if (auto err = clear_indexes(store)) return unexpected{std::move(*err)};

    std::size_t indexed = 0;
    std::optional<store::store_error> failed;
    store::write_set batch;
    auto flush = [&] {
        if ((batch.puts.empty() && batch.erases.empty()) || failed) return;
        store::write_set const* sets[] = {&batch};
        failed = store.write(sets);
        batch = {};
    };
    auto err = store::for_each_conversation(store, [&](protocol::conversation&& c) {
        add_changes(batch, std::nullopt, row_of(c));
        if (++indexed % batch_conversations == 0) flush();
    });
    if (err) return unexpected{std::move(*err)};
    // The version goes with the last entries: an interrupted backfill starts over.
    batch.add(store::family::meta, std::string(version_key), std::string(layout_version));
    flush();
    if (failed) return unexpected{std::move(*failed)};
    return indexed;
}

} // namespace parley::index
