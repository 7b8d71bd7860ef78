#pragma once

#include <cstdint>
#include <vector>

namespace parley::bench {

/// How many parts every receiver of one conversation already holds. All receivers get
/// the same parts in the same (id) order, so the n-th part one receiver gets is the
/// n-th part for all of them: counting receivers per position is enough, in a ring as
/// long as no receiver runs more than the ring's size ahead of the slowest.
class delivery_tally {
public:
    explicit delivery_tally(std::size_t ring) : counts_(ring ? ring : 1) {}

    void set_receivers(std::size_t n) { receivers_ = n; }

    /// A receiver got its `nth` part (from 0). @return whether everywhere() advanced.
    bool reached(std::uint64_t nth) {
        if (++counts_[nth % counts_.size()] < receivers_) return false;
        bool advanced = false;
        while (counts_[everywhere_ % counts_.size()] >= receivers_) {
            counts_[everywhere_ % counts_.size()] = 0;
            ++everywhere_;
            advanced = true;
        }
        return advanced;
    }

    /// Of `sent` parts, how many some receiver still lacks (0 without receivers).
    std::uint64_t lag(std::uint64_t sent) const {
        return receivers_ && sent > everywhere_ ? sent - everywhere_ : 0;
    }

private:
    std::vector<std::uint32_t> counts_;
    std::size_t receivers_ = 0;
    std::uint64_t everywhere_ = 0;
};

} // namespace parley::bench
