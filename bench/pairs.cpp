// The `pairs` scenario (BENCH.md): closed loop, checked for loss, duplication and order.

#include "bench_client.hpp"
#include "scenario.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <unordered_map>

namespace parley::bench {

namespace json = boost::json;
using clock = std::chrono::steady_clock;

namespace {

/// The number after `key` in `frame` (a cheap scan: the generator must not be the limit).
std::optional<std::uint64_t> number_after(std::string_view frame, std::string_view key) {
    auto pos = frame.find(key);
    if (pos == std::string_view::npos) return std::nullopt;
    pos += key.size();
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(frame.data() + pos, frame.data() + frame.size(), v);
    if (ec != std::errc{}) return std::nullopt;
    return v;
}

struct pair_state {
    std::shared_ptr<bench_client> visitor, operator_;
    std::uint64_t conversation = 0;
    bool ready = false;
    std::uint64_t next_seq = 0;
    std::unordered_map<std::uint64_t, clock::time_point> sent; // seq -> when
    std::uint64_t acked = 0, delivered = 0, last_delivered_id = 0;
    std::uint64_t duplicated = 0, reordered = 0;
};

} // namespace

std::int64_t latencies::percentile(double q) {
    if (samples_.empty()) return 0;
    if (!sorted_) std::sort(samples_.begin(), samples_.end()), sorted_ = true;
    auto idx = static_cast<std::size_t>(q * static_cast<double>(samples_.size() - 1));
    return samples_[idx];
}

json::object run_pairs(target const& t, timing const& time, int conversations, int window, int body_bytes) {
    boost::asio::io_context ioc(1);
    std::vector<pair_state> pairs(static_cast<std::size_t>(conversations));
    std::string const padding(static_cast<std::size_t>(std::max(body_bytes - 16, 0)), 'x');
    bool sending = false, measuring = false;
    latencies ack_us, delivery_us;
    std::uint64_t measured_acks = 0, measured_deliveries = 0, errors = 0;
    int ready = 0;

    auto send_part = [&](pair_state& p) {
        auto const seq = p.next_seq++;
        p.sent[seq] = clock::now();
        std::string frame = R"({"op":"part.create","conversation":)" + std::to_string(p.conversation) +
                            R"(,"type":"reply_user","random_id":"p)" + std::to_string(seq) + R"(","body":"seq:)" +
                            std::to_string(seq) + ";" + padding + R"("})";
        p.visitor->send(std::move(frame));
    };

    for (int i = 0; i < conversations; ++i) {
        auto& p = pairs[static_cast<std::size_t>(i)];
        auto const n = std::to_string(i);
        p.visitor = std::make_shared<bench_client>(ioc, t.port, "/v1/ws?token=" + token_for(t, "visitor", "bench-v" + n));
        p.operator_ = std::make_shared<bench_client>(ioc, t.port, "/v1/ws?token=" + token_for(t, "operator", "bench-o" + n));
        p.operator_->start([](bool ok) { if (!ok) std::fprintf(stderr, "operator connect failed\n"); },
                           [&, &p = p](std::string_view f) {
                               if (f.starts_with(R"({"op":"subscribed")")) {
                                   p.ready = true;
                                   ++ready;
                                   return;
                               }
                               if (!f.starts_with(R"({"op":"part")")) return;
                               auto id = number_after(f, R"("part":{"id":)");
                               auto seq = number_after(f, R"("body":"seq:)");
                               if (!id || !seq) return;
                               if (*id == p.last_delivered_id) ++p.duplicated;
                               else if (*id < p.last_delivered_id) ++p.reordered;
                               p.last_delivered_id = std::max(p.last_delivered_id, *id);
                               ++p.delivered;
                               auto it = p.sent.find(*seq);
                               if (it != p.sent.end() && measuring) {
                                   delivery_us.add(std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - it->second).count());
                                   ++measured_deliveries;
                               }
                           });
        p.visitor->start(
            [&, &p = p](bool ok) {
                if (!ok) return void(std::fprintf(stderr, "visitor connect failed\n"));
                p.visitor->send(R"({"op":"conversation.start","random_id":"bench-start"})");
            },
            [&, &p = p](std::string_view f) {
                if (f.starts_with(R"({"op":"conversation.started")")) {
                    p.conversation = number_after(f, R"("conversation":{"id":)").value_or(0);
                    p.operator_->send(R"({"op":"subscribe","conversation":)" + std::to_string(p.conversation) + "}");
                    return;
                }
                if (f.starts_with(R"({"op":"error")")) {
                    ++errors;
                    return;
                }
                if (!f.starts_with(R"({"op":"part.created")")) return;
                auto seq = number_after(f, R"("random_id":"p)");
                if (!seq) return;
                auto it = p.sent.find(*seq);
                if (it == p.sent.end()) return;
                if (measuring) {
                    ack_us.add(std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - it->second).count());
                    ++measured_acks;
                }
                ++p.acked;
                if (sending) send_part(p);
            });
    }

    // Connect everything, then start all pairs at once.
    auto const setup_deadline = clock::now() + std::chrono::seconds(30);
    while (ready < conversations && clock::now() < setup_deadline) ioc.run_one_for(std::chrono::milliseconds(100));
    sending = true;
    for (auto& p : pairs)
        if (p.ready)
            for (int w = 0; w < window; ++w) send_part(p);
    auto run_until = [&](clock::time_point until) {
        while (clock::now() < until) ioc.run_one_for(until - clock::now());
    };
    run_until(clock::now() + time.warmup);
    measuring = true;
    auto const started = clock::now();
    run_until(started + time.duration);
    auto const elapsed = std::chrono::duration<double>(clock::now() - started).count();
    measuring = false;
    sending = false;

    // Drain: every sent part acknowledged and delivered, or it counts as lost.
    auto const drain_deadline = clock::now() + std::chrono::seconds(10);
    auto settled = [&] {
        for (auto const& p : pairs)
            if (p.acked < p.next_seq || p.delivered < p.acked) return false;
        return true;
    };
    while (!settled() && clock::now() < drain_deadline) ioc.run_one_for(std::chrono::milliseconds(50));

    std::uint64_t lost = 0, duplicated = 0, reordered = 0, unready = 0;
    for (auto& p : pairs) {
        if (!p.ready) ++unready;
        lost += (p.next_seq - std::min(p.next_seq, p.acked)) + (p.acked - std::min(p.acked, p.delivered));
        duplicated += p.duplicated;
        reordered += p.reordered;
        errors += p.visitor->errors() + p.operator_->errors();
        p.visitor->close();
        p.operator_->close();
    }
    ioc.run_for(std::chrono::milliseconds(500));

    return json::object{
        {"conversations", conversations},
        {"window", window},
        {"duration_s", elapsed},
        {"committed_parts_per_s", static_cast<double>(measured_acks) / elapsed},
        {"delivered_msgs_per_s", static_cast<double>(measured_deliveries) / elapsed},
        {"ack_p50_us", ack_us.percentile(0.50)},
        {"ack_p99_us", ack_us.percentile(0.99)},
        {"ack_p999_us", ack_us.percentile(0.999)},
        {"delivery_p50_us", delivery_us.percentile(0.50)},
        {"delivery_p99_us", delivery_us.percentile(0.99)},
        {"delivery_p999_us", delivery_us.percentile(0.999)},
        {"errors", errors + unready},
        {"lost", lost},
        {"duplicated", duplicated},
        {"reordered", reordered},
    };
}

} // namespace parley::bench
