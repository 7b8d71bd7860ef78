#pragma once
// The layout shared by `pairs`, `sync` and `openloop`: C conversations, each started by a
// visitor connection and watched by an operator connection subscribed to it. The
// scenarios differ only in when the visitors send.

#include "bench_client.hpp"
#include "delivery_check.hpp"
#include "event_loop.hpp"
#include "paced_start.hpp"
#include "run_errors.hpp"
#include "scenario.hpp"

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <vector>

namespace parley::bench {

class pair_layout {
public:
    struct pair {
        std::shared_ptr<bench_client> visitor, operator_;
        std::uint64_t conversation = 0;
        setup_slot setup;                     ///< ready(): started, and the operator is subscribed
        send_log sent;                        ///< the visitor's parts
        receive_log received;                 ///< what the operator got
    };
    /// Runs for each ack (on the visitor) or delivery (on the operator) of a new part,
    /// with the send stamp its body carries.
    using part_hook = std::function<void(pair&, std::int64_t stamp_ns)>;

    pair_layout(event_loop& loop, target const& t, int conversations, int body_bytes);

    void on_ack(part_hook hook) { on_ack_ = std::move(hook); }
    void on_delivery(part_hook hook) { on_delivery_ = std::move(hook); }

    /// Connects, starts and subscribes every pair. @return how many are ready.
    int connect(std::chrono::seconds limit);
    std::vector<pair>& pairs() { return pairs_; }

    /// Sends the next part of `p` (a `reply_user`) with `stamp_ns` in its body.
    void send_part(pair& p, std::int64_t stamp_ns);

    /// Runs until every sent part is acknowledged and delivered, or nothing more has
    /// arrived for `stall`.
    void drain(std::chrono::seconds stall);

    /// Checks every pair, closes the connections, writes errors, lost, duplicated and
    /// reordered into `out`.
    void finish(boost::json::object& out);

private:
    void start_pair(pair& p, std::size_t index);
    void on_visitor_frame(pair& p, std::string_view f);
    void on_operator_frame(pair& p, std::string_view f);
    /// Ends the set-up of `p` once, however many ways it can fail.

    event_loop& loop_;
    target const& target_;
    int body_bytes_;
    part_hook on_ack_, on_delivery_;
    std::vector<pair> pairs_;
    run_errors errors_;
};

} // namespace parley::bench
