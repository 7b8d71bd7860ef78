#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::bench {

/// What every scenario needs: where the server is and how to sign tokens for it.
struct target {
    unsigned short port = 8080;
    std::string site = "demo";
    std::string secret;
};

struct timing {
    std::chrono::seconds warmup{2};
    std::chrono::seconds duration{10};
};

/// Latencies in microseconds; percentiles on demand.
class latencies {
public:
    void add(std::int64_t us) { samples_.push_back(us); }
    std::size_t size() const { return samples_.size(); }
    /// @param q 0..1
    std::int64_t percentile(double q);

private:
    std::vector<std::int64_t> samples_;
    bool sorted_ = false;
};

/// A token for `sub` of `role` ("visitor", "operator", "bot") valid for a day.
std::string token_for(target const& t, std::string const& role, std::string const& sub);

/// `pairs`: C conversations, each a visitor sending closed-loop with W parts in flight and
/// an operator receiving. @return the result line's fields; `errors`, `lost`,
/// `duplicated`, `reordered` must all be 0 for a valid run.
boost::json::object run_pairs(target const& t, timing const& time, int conversations, int window, int body_bytes);

} // namespace parley::bench
