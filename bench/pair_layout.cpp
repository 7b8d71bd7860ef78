#include "pair_layout.hpp"

#include "frame_scan.hpp"
#include "paced_start.hpp"
#include "part_frames.hpp"

namespace parley::bench {

pair_layout::pair_layout(event_loop& loop, target const& t, int conversations, int body_bytes)
    : loop_(loop), target_(t), body_bytes_(body_bytes), on_ack_([](pair&, std::int64_t) {}),
      on_delivery_([](pair&, std::int64_t) {}),
      pairs_(static_cast<std::size_t>(std::max(conversations, 0))) {}

int pair_layout::connect(std::chrono::seconds limit) {
    paced_start starter(pairs_.size(), 128, [this](std::size_t i, std::function<void(bool)> done) {
        pairs_[i].setup.arm(std::move(done));
        start_pair(pairs_[i], i);
    });
    starter.begin();
    loop_.run_until([&] { return starter.finished(); }, limit);
    if (auto const failed = starter.failed()) {
        std::string what = "pairs not set up: ";
        append_number(what, failed);
        errors_.add(what);
        errors_.add_silently(failed - 1);
    }
    return static_cast<int>(starter.succeeded());
}

// The operator connects only once the conversation exists, so its subscribe never
// races its own handshake.
void pair_layout::start_pair(pair& p, std::size_t index) {
    std::string name = "v";
    append_number(name, index);
    p.visitor = std::make_shared<bench_client>(loop_.ioc(), target_.port,
                                               ws_target(target_, "visitor", name));
    name[0] = 'o';
    p.operator_ = std::make_shared<bench_client>(loop_.ioc(), target_.port,
                                                 ws_target(target_, "operator", name));
    p.visitor->start(
        [&p](bool ok) {
            if (!ok) return p.setup.finish(false);
            p.visitor->send(R"({"op":"conversation.start","random_id":"start"})");
        },
        [this, &p](std::string_view f) { on_visitor_frame(p, f); });
}

void pair_layout::on_visitor_frame(pair& p, std::string_view f) {
    if (is_op(f, "part.created")) {
        auto a = read_ack(f);
        if (!a) return errors_.add("unreadable part.created: " + std::string(f.substr(0, 200)));
        if (p.sent.on_ack(a->seq, a->id, a->duplicate)) on_ack_(p, send_stamp(f).value_or(0));
        return;
    }
    if (is_op(f, "error")) {
        errors_.add(f);
        if (auto seq = refused_seq(f)) p.sent.on_refused(*seq);
        return p.setup.finish(false);
    }
    if (is_op(f, "conversation.started")) {
        p.conversation = number_after(f, R"("conversation":{"id":)").value_or(0);
        p.operator_->start(
            [this, &p](bool ok) {
                if (!ok) return p.setup.finish(false);
                std::string sub = R"({"op":"subscribe","conversation":)";
                append_number(sub, p.conversation);
                sub += '}';
                p.operator_->send(std::move(sub));
            },
            [this, &p](std::string_view of) { on_operator_frame(p, of); });
    }
}

void pair_layout::on_operator_frame(pair& p, std::string_view f) {
    if (is_op(f, "part")) {
        auto id = part_id(f);
        if (!id) return errors_.add("unreadable part: " + std::string(f.substr(0, 200)));
        if (p.received.on_part(*id)) on_delivery_(p, send_stamp(f).value_or(0));
        return;
    }
    if (is_op(f, "subscribed")) return p.setup.finish(true);
    if (is_op(f, "error")) {
        errors_.add(f);
        p.setup.finish(false);
    }
}

void pair_layout::send_part(pair& p, std::int64_t stamp_ns) {
    p.visitor->send(part_create_frame(p.conversation, "reply_user", p.sent.next(), 't',
                                      static_cast<std::uint64_t>(stamp_ns), body_bytes_));
}

void pair_layout::drain(std::chrono::seconds stall) {
    loop_.drain(
        [&] {
            for (auto const& p : pairs_)
                if (p.sent.in_flight() || p.received.count() < p.sent.acked()) return false;
            return true;
        },
        [&] {
            std::uint64_t arrived = 0;
            for (auto const& p : pairs_)
                arrived += p.sent.acked() + p.received.count();
            return arrived;
        },
        stall);
}

void pair_layout::finish(boost::json::object& out) {
    check_totals totals;
    std::uint64_t client_errors = 0;
    for (auto& p : pairs_) {
        if (!p.visitor) continue;
        totals.add_sender(p.sent);
        std::string who = "operator of conversation ";
        append_number(who, p.conversation);
        if (p.setup.ready()) totals.add_receiver(p.received, p.sent.acked_ids(), who);
        client_errors += p.visitor->errors() + p.operator_->errors();
        p.visitor->close();
        p.operator_->close();
    }
    loop_.run_for(std::chrono::milliseconds(300));
    out["errors"] = errors_.count() + client_errors;
    totals.put(out);
}

} // namespace parley::bench
