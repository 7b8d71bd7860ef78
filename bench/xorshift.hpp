#pragma once

#include <cstdint>

namespace parley::bench {

/// xorshift64: cheap, and good enough to spread requests over conversations or days.
inline std::uint64_t next_random(std::uint64_t& state) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

} // namespace parley::bench
