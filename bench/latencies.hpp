#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::bench {

/// Latencies in microseconds; percentiles on demand.
class latencies {
public:
    void add(std::int64_t us) {
        samples_.push_back(us);
        sorted_ = false;
    }
    std::size_t size() const { return samples_.size(); }
    /// @param q 0..1. @return the sample at that rank, 0 when there are none.
    std::int64_t percentile(double q);

    /// Writes `<prefix>p50_us`, `<prefix>p99_us` and `<prefix>p999_us` into `out`.
    void put(boost::json::object& out, std::string const& prefix);

private:
    std::vector<std::int64_t> samples_;
    bool sorted_ = false;
};

} // namespace parley::bench
