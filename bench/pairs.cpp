// The `pairs` scenario (BENCH.md), also run as `sync`: every visitor keeps `window` parts
// in flight and sends the next one as each is acknowledged (closed loop).

#include "latencies.hpp"
#include "pair_layout.hpp"
#include "part_frames.hpp"

namespace parley::bench {

boost::json::object run_pairs(target const& t, timing const& time, pairs_options const& o) {
    event_loop loop;
    bool sending = false, measuring = false;
    latencies ack_us, delivery_us;
    std::uint64_t measured_acks = 0, measured_deliveries = 0;

    pair_layout layout(loop, t, o.conversations, o.body_bytes);
    layout.on_ack([&](pair_layout::pair& p, std::int64_t stamp) {
        // Stamped with the actual send time: in a closed loop nothing waits to be sent.
        if (measuring) {
            ack_us.add(micros_since(stamp));
            ++measured_acks;
        }
        if (sending) layout.send_part(p, now_ns());
    });
    layout.on_delivery([&](pair_layout::pair&, std::int64_t stamp) {
        if (!measuring) return;
        delivery_us.add(micros_since(stamp));
        ++measured_deliveries;
    });

    layout.connect(std::chrono::seconds(60));
    sending = true;
    for (auto& p : layout.pairs())
        if (p.setup.ready())
            for (int w = 0; w < o.window; ++w)
                layout.send_part(p, now_ns());
    auto const elapsed = loop.measure(time, measuring);
    sending = false;
    layout.drain(std::chrono::seconds(5));

    boost::json::object out{
        {"conversations", o.conversations},
        {"window", o.window},
        {"body_bytes", o.body_bytes},
        {"duration_s", elapsed},
        {"committed_parts_per_s", static_cast<double>(measured_acks) / elapsed},
        {"delivered_msgs_per_s", static_cast<double>(measured_deliveries) / elapsed},
    };
    ack_us.put(out, "ack_");
    delivery_us.put(out, "delivery_");
    delivery_us.put(out, "");
    layout.finish(out);
    return out;
}

} // namespace parley::bench
