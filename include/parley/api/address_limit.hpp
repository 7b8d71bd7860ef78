#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley::api {

/// At most `per_minute` grants per client address in each clock minute: what keeps
/// one address from minting visitor identities without end (SPEC §1,
/// `limits.anonymous_per_ip_per_min`).
///
/// Bounded: addresses from earlier minutes are dropped once `max_addresses` are held,
/// and when that many addresses ask within one minute, new ones are refused until the
/// next minute rather than grow the table.
/// @note Thread-safe.
class address_limit {
public:
    explicit address_limit(std::uint32_t per_minute, std::size_t max_addresses = 65536)
        : per_minute_(per_minute), max_addresses_(max_addresses) {}

    /// Whether `address` may have one more grant at `now_ms`; counts it if so.
    bool take(std::string_view address, std::int64_t now_ms);

private:
    struct window {
        std::int64_t minute = 0;
        std::uint32_t used = 0;
    };

    std::uint32_t per_minute_;
    std::size_t max_addresses_;
    std::mutex mutex_;
    std::unordered_map<std::string, window> windows_;
};

} // namespace parley::api
