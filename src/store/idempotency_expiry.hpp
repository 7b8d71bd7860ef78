#pragma once
// Private to src/store: RocksDB types never leave it.

#include <rocksdb/compaction_filter.h>

#include <cstdint>

namespace parley::store {

/// Drops idempotency keys older than the window while RocksDB compacts the family
/// (SPEC §3.3 promises a retry is recognised within `idempotency_window_s`, no longer),
/// so a server that runs for months does not keep every random_id it ever saw.
///
/// A value is the id (8 bytes) and the time it was written (8 bytes, unix ms), as
/// relay writes them; anything else is kept.
class idempotency_expiry final : public rocksdb::CompactionFilter {
public:
    explicit idempotency_expiry(std::int64_t window_s) : window_ms_(window_s * 1000) {}

    bool Filter(int level, rocksdb::Slice const& key, rocksdb::Slice const& value, std::string* new_value,
                bool* value_changed) const override;
    char const* Name() const override { return "parley.idempotency_expiry"; }

private:
    std::int64_t window_ms_;
};

} // namespace parley::store
