#pragma once

#include <parley/store/rocks_store.hpp>

#include <optional>

namespace parley::index {

/// Version of the index layout (index_keys.hpp) this build writes.
inline constexpr std::string_view layout_version = "3";

/// Brings the indexes of a store written by an earlier version up to this layout:
/// what an earlier layout wrote is removed, then every conversation gets its entries
/// and row. Runs at start-up, before the server
/// accepts work; a store already at this layout costs one read.
/// @return the number of conversations indexed, or the store's error.
expected<std::size_t, store::store_error> backfill(store::rocks_store& store);

} // namespace parley::index
