#include "idempotency_expiry.hpp"

#include <parley/clock.hpp>
#include <parley/store/keyspace.hpp>

namespace parley::store {

bool idempotency_expiry::Filter(int, rocksdb::Slice const&, rocksdb::Slice const& value, std::string*, bool*) const {
    if (value.size() != 16) return false;
    auto const written_ms = static_cast<std::int64_t>(key::decode_u64(std::string_view(value.data() + 8, 8)));
    // A key the window still covers is kept, and one from the future (a clock stepped
    // back) too: dropping it early could let a retry be stored twice.
    return now_ms() - written_ms > window_ms_;
}

} // namespace parley::store
