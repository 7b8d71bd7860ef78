#include "latencies.hpp"

#include <algorithm>

namespace parley::bench {

std::int64_t latencies::percentile(double q) {
    if (samples_.empty()) return 0;
    if (!sorted_) {
        std::sort(samples_.begin(), samples_.end());
        sorted_ = true;
    }
    auto idx = static_cast<std::size_t>(q * static_cast<double>(samples_.size() - 1));
    return samples_[idx];
}

void latencies::put(boost::json::object& out, std::string const& prefix) {
    out[prefix + "p50_us"] = percentile(0.50);
    out[prefix + "p99_us"] = percentile(0.99);
    out[prefix + "p999_us"] = percentile(0.999);
}

} // namespace parley::bench
