#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace parley::bench {

/// Errors seen during a run (error frames, failed set-ups, bad responses). Any one
/// invalidates the run; the first few are printed so the cause is visible.
class run_errors {
public:
    void add(std::string_view what) {
        if (count_++ < 5)
            std::fprintf(stderr, "parley-bench: %.*s\n", static_cast<int>(what.size()),
                         what.data());
    }
    void add_silently(std::uint64_t n) { count_ += n; }
    std::uint64_t count() const { return count_; }

private:
    std::uint64_t count_ = 0;
};

} // namespace parley::bench
