// The `fanout` scenario (BENCH.md): one conversation, S operator connections sending
// closed-loop, N operator connections subscribed to it (or to the inbox with parts), each
// of which must receive every part once and in order.
//
// Flow control: a sender also waits while more than `max_lag` parts are not yet in
// every subscriber's hands. Without it, a generator that reads slower than the server
// writes would get its subscribers closed as slow consumers and the run would end in
// errors instead of a figure; `sends_held` says how often the cap bound.

#include "bench_client.hpp"
#include "delivery_tally.hpp"
#include "event_loop.hpp"
#include "fanout_setup.hpp"
#include "frame_scan.hpp"
#include "latencies.hpp"
#include "part_frames.hpp"

#include <deque>

namespace parley::bench {

namespace {

class fanout_run {
public:
    fanout_run(event_loop& loop, target const& t, fanout_options const& o)
        : loop_(loop), o_(o), setup_(loop, t, o, errors_),
          tally_(std::size_t(std::max(o.max_lag, 1)) * 2) {}

    boost::json::object run(timing const& time) {
        auto const subscribed = setup_.connect(
            [this](fanout_setup::subscriber& s, std::string_view f) { on_subscriber_frame(s, f); },
            [this](fanout_setup::sender& s, std::string_view f) { on_sender_frame(s, f); });
        tally_.set_receivers(subscribed);
        sending_ = true;
        for (auto& s : setup_.senders())
            if (s.ready)
                for (int w = 0; w < o_.window; ++w)
                    try_send(s);
        auto const elapsed = loop_.measure(time, measuring_);
        sending_ = false;
        waiting_.clear();
        loop_.drain([this] { return settled(); }, [this] { return arrived(); },
                    std::chrono::seconds(5));

        boost::json::object out{
            {"senders", o_.senders},
            {"subscribers", o_.subscribers},
            {"window", o_.window},
            {"body_bytes", o_.body_bytes},
            {"inbox", o_.inbox},
            {"max_lag", o_.max_lag},
            {"duration_s", elapsed},
            {"committed_parts_per_s", static_cast<double>(measured_acks_) / elapsed},
            {"delivered_msgs_per_s", static_cast<double>(measured_deliveries_) / elapsed},
            {"sends_held", sends_held_},
        };
        delivery_us_.put(out, "");
        ack_us_.put(out, "ack_");
        setup_.finish(out);
        return out;
    }

private:
    void try_send(fanout_setup::sender& s) {
        if (!sending_) return;
        if (tally_.lag(sent_) >= static_cast<std::uint64_t>(o_.max_lag)) {
            ++sends_held_;
            waiting_.push_back(&s);
            return;
        }
        ++sent_;
        s.ws->send(part_create_frame(setup_.conversation(), "reply_admin", s.sent.next(), 't',
                                     static_cast<std::uint64_t>(now_ns()), o_.body_bytes));
    }

    void on_sender_frame(fanout_setup::sender& s, std::string_view f) {
        if (is_op(f, "part.created")) {
            auto a = read_ack(f);
            if (!a) return errors_.add("unreadable part.created");
            if (!s.sent.on_ack(a->seq, a->id, a->duplicate)) return;
            if (measuring_) {
                ++measured_acks_;
                ack_us_.add(micros_since(send_stamp(f).value_or(0)));
            }
            try_send(s);
        } else if (is_op(f, "error")) {
            errors_.add(f);
            if (auto seq = refused_seq(f)) s.sent.on_refused(*seq);
        }
    }

    void on_subscriber_frame(fanout_setup::subscriber& s, std::string_view f) {
        if (!is_op(f, "part")) return;
        // On the inbox, parts of other conversations of the site are not ours.
        if (o_.inbox && number_after(f, R"("conversation":)") != setup_.conversation()) return;
        auto id = part_id(f);
        if (!id) return errors_.add("unreadable part");
        auto const nth = s.received.count();
        if (!s.received.on_part(*id)) return;
        if (measuring_) {
            ++measured_deliveries_;
            delivery_us_.add(micros_since(send_stamp(f).value_or(0)));
        }
        if (tally_.reached(nth))
            while (!waiting_.empty() && sending_ &&
                   tally_.lag(sent_) < static_cast<std::uint64_t>(o_.max_lag)) {
                auto* next = waiting_.front();
                waiting_.pop_front();
                try_send(*next);
            }
    }

    std::uint64_t arrived() const {
        std::uint64_t n = 0;
        for (auto const& s : setup_.senders())
            n += s.sent.acked();
        for (auto const& s : setup_.subscribers())
            n += s.received.count();
        return n;
    }

    bool settled() const {
        std::uint64_t acked = 0;
        for (auto const& s : setup_.senders()) {
            if (s.sent.in_flight()) return false;
            acked += s.sent.acked();
        }
        for (auto const& s : setup_.subscribers())
            if (s.setup.ready() && s.received.count() < acked) return false;
        return true;
    }

    event_loop& loop_;
    fanout_options const& o_;
    run_errors errors_;
    fanout_setup setup_;
    delivery_tally tally_;
    bool sending_ = false, measuring_ = false;
    std::uint64_t sent_ = 0, sends_held_ = 0, measured_acks_ = 0, measured_deliveries_ = 0;
    std::deque<fanout_setup::sender*> waiting_;
    latencies delivery_us_, ack_us_;
};

} // namespace

boost::json::object run_fanout(target const& t, timing const& time, fanout_options const& o) {
    event_loop loop;
    fanout_run run(loop, t, o);
    return run.run(time);
}

} // namespace parley::bench
