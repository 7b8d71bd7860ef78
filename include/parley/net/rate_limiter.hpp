#pragma once

#include <algorithm>
#include <chrono>

namespace parley::net {

/// A token bucket (SPEC §3.4 `commands_per_s`, `commands_burst`): a connection may send
/// `burst` commands at once, then `rate` per second.
/// @note Not thread-safe: used on its connection's strand.
class rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    rate_limiter(double rate_per_s, double burst) : rate_(rate_per_s), burst_(burst), tokens_(burst), last_(clock::now()) {}

    /// Takes one token. @return false when the bucket is empty (the command is refused).
    bool try_take(clock::time_point now = clock::now()) {
        auto const elapsed = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
        if (tokens_ < 1.0) return false;
        tokens_ -= 1.0;
        return true;
    }

private:
    double rate_;
    double burst_;
    double tokens_;
    clock::time_point last_;
};

} // namespace parley::net
