#include <parley/api/address_limit.hpp>

namespace parley::api {

bool address_limit::take(std::string_view address, std::int64_t now_ms) {
    auto const minute = now_ms / 60'000;
    std::lock_guard lock(mutex_);
    auto it = windows_.find(std::string(address));
    if (it == windows_.end()) {
        if (windows_.size() >= max_addresses_)
            std::erase_if(windows_, [&](auto const& entry) { return entry.second.minute != minute; });
        if (windows_.size() >= max_addresses_) return false;
        it = windows_.emplace(std::string(address), window{minute, 0}).first;
    }
    auto& w = it->second;
    if (w.minute != minute) w = {minute, 0};
    if (w.used >= per_minute_) return false;
    ++w.used;
    return true;
}

} // namespace parley::api
