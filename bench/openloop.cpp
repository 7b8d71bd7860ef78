// The `openloop` scenario (BENCH.md): the pairs layout, but parts leave on a schedule at a
// fixed total rate, whatever the server's answers do. This is the latency users feel.

#include "latencies.hpp"
#include "pair_layout.hpp"
#include "part_frames.hpp"

namespace parley::bench {

namespace {

/// Sends part k at start + k/rate, round-robin over the ready pairs. Each part is
/// stamped with its SCHEDULED send time, not the moment it actually left: if the
/// generator or the server stalls, the parts that should have gone out during the
/// stall carry that wait in their latency (no coordinated omission).
class schedule {
public:
    schedule(pair_layout& layout, double rate, bool const& measuring)
        : layout_(layout), interval_ns_(1e9 / rate), measuring_(measuring) {
        for (auto& p : layout_.pairs())
            if (p.setup.ready()) ready_.push_back(&p);
        start_ns_ = now_ns();
    }

    /// Runs the loop until `until`, sending every part when it is due. Close to a due
    /// time it polls instead of sleeping: at 20,000 parts/s a sleep and wake-up per part
    /// costs more than the sends and is late by tens of microseconds (the generator has
    /// a CPU of its own, so spinning there takes nothing from the server).
    void run(event_loop& loop, std::chrono::steady_clock::duration d) {
        using namespace std::chrono;
        auto const until = now_ns() + duration_cast<nanoseconds>(d).count();
        for (auto now = now_ns(); now < until; now = now_ns()) {
            for (; !ready_.empty() && due(next_) <= now; ++next_) {
                if (measuring_) send_lag_us_.add((now - due(next_)) / 1000);
                layout_.send_part(*ready_[next_ % ready_.size()], due(next_));
            }
            auto const wait = std::min(due(next_), until) - now;
            if (wait > 200'000)
                loop.ioc().run_one_for(nanoseconds(wait - 100'000));
            else
                loop.ioc().poll();
        }
    }

    /// Parts sent so far.
    std::uint64_t sent() const { return next_; }
    /// How late parts left against their schedule while measuring: large values mean
    /// the generator, not the server, could not keep the rate.
    latencies& send_lag() { return send_lag_us_; }

private:
    std::int64_t due(std::uint64_t k) const {
        return start_ns_ + static_cast<std::int64_t>(static_cast<double>(k) * interval_ns_);
    }

    pair_layout& layout_;
    double interval_ns_;
    bool const& measuring_;
    latencies send_lag_us_;
    std::vector<pair_layout::pair*> ready_;
    std::int64_t start_ns_ = 0;
    std::uint64_t next_ = 0;
};

} // namespace

boost::json::object run_openloop(target const& t, timing const& time, openloop_options const& o) {
    event_loop loop;
    bool measuring = false;
    latencies ack_us, delivery_us;
    std::uint64_t measured_acks = 0, measured_deliveries = 0;

    pair_layout layout(loop, t, o.conversations, o.body_bytes);
    layout.on_ack([&](pair_layout::pair&, std::int64_t scheduled) {
        if (!measuring) return;
        ack_us.add(micros_since(scheduled));
        ++measured_acks;
    });
    layout.on_delivery([&](pair_layout::pair&, std::int64_t scheduled) {
        if (!measuring) return;
        delivery_us.add(micros_since(scheduled));
        ++measured_deliveries;
    });
    layout.connect(std::chrono::seconds(60));

    schedule sched(layout, o.rate > 0 ? o.rate : 1, measuring);
    sched.run(loop, time.warmup);
    auto const sent_before = sched.sent();
    measuring = true;
    auto const started = std::chrono::steady_clock::now();
    sched.run(loop, time.duration);
    measuring = false;
    auto const elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    auto const sent_measured = sched.sent() - sent_before;
    layout.drain(std::chrono::seconds(5));

    boost::json::object out{
        {"conversations", o.conversations},
        {"rate", o.rate},
        {"body_bytes", o.body_bytes},
        {"duration_s", elapsed},
        {"achieved_rate", static_cast<double>(sent_measured) / elapsed},
        {"committed_parts_per_s", static_cast<double>(measured_acks) / elapsed},
        {"delivered_msgs_per_s", static_cast<double>(measured_deliveries) / elapsed},
    };
    ack_us.put(out, "ack_");
    delivery_us.put(out, "delivery_");
    delivery_us.put(out, "");
    sched.send_lag().put(out, "send_lag_");
    layout.finish(out);
    return out;
}

} // namespace parley::bench
