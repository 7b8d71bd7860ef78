#pragma once
// One page of a bucketed index (index_keys.hpp) in the exact order of its values.

#include <parley/index/index_keys.hpp>
#include <parley/store/rocks_store.hpp>

#include <cstdint>
#include <vector>

namespace parley::index {

/// The conversations at positions [offset, offset + per) of every entry in `all` (one
/// site's whole index of `k`, a bucketed kind), ordered by exact value then id,
/// ascending or descending.
///
/// Bucket order is exact order up to the order inside each bucket, so the page is the
/// same positions in bucket order, re-sorted together with the rest of the two buckets
/// it starts and ends in: it reads the page, those two buckets, and one counters record
/// per entry of an inexact bucket among them.
expected<std::vector<std::uint64_t>, store::store_error> bucketed_page(store::rocks_store const& store, kind k,
                                                                      store::rocks_store::range const& all,
                                                                      std::uint64_t offset, std::uint64_t per,
                                                                      bool descending);

} // namespace parley::index
