#include "fanout_setup.hpp"

#include "frame_scan.hpp"
#include "paced_start.hpp"
#include "part_frames.hpp"

namespace parley::bench {

namespace {

std::string numbered(char prefix, std::size_t i) {
    std::string name(1, prefix);
    append_number(name, i);
    return name;
}

} // namespace

fanout_setup::fanout_setup(event_loop& loop, target const& t, fanout_options const& o,
                           run_errors& errors)
    : loop_(loop), target_(t), o_(o), errors_(errors),
      subscribers_(static_cast<std::size_t>(std::max(o.subscribers, 0))),
      senders_(static_cast<std::size_t>(std::max(o.senders, 0))) {}

bool fanout_setup::start_conversation() {
    visitor_ = std::make_shared<bench_client>(loop_.ioc(), target_.port,
                                              ws_target(target_, "visitor", "fv"));
    visitor_->start(
        [this](bool ok) {
            if (!ok) return errors_.add("visitor could not connect");
            visitor_->send(R"({"op":"conversation.start","random_id":"start"})");
        },
        [this](std::string_view f) {
            if (is_op(f, "part")) {
                if (auto id = part_id(f)) visitor_received_.on_part(*id);
            } else if (is_op(f, "conversation.started")) {
                conversation_ = number_after(f, R"("conversation":{"id":)").value_or(0);
            } else if (is_op(f, "error")) {
                errors_.add(f);
            }
        });
    return loop_.run_until([this] { return conversation_ != 0; }, std::chrono::seconds(10));
}

void fanout_setup::start_subscriber(subscriber& s, std::size_t index) {
    s.ws = std::make_shared<bench_client>(loop_.ioc(), target_.port,
                                          ws_target(target_, "operator", numbered('f', index)));
    s.ws->start(
        [this, &s](bool ok) {
            if (!ok) return s.setup.finish(false);
            if (o_.inbox) return s.ws->send(R"({"op":"subscribe","inbox":true,"parts":true})");
            std::string sub = R"({"op":"subscribe","conversation":)";
            append_number(sub, conversation_);
            sub += '}';
            s.ws->send(std::move(sub));
        },
        [this, &s](std::string_view f) {
            if (s.setup.pending()) {
                if (is_op(f, "subscribed")) return s.setup.finish(true);
                if (is_op(f, "error")) {
                    errors_.add(f);
                    return s.setup.finish(false);
                }
            }
            on_subscriber_(s, f);
        });
}

std::size_t fanout_setup::connect(subscriber_frame on_subscriber, sender_frame on_sender) {
    on_subscriber_ = std::move(on_subscriber);
    if (!start_conversation()) {
        errors_.add("the conversation was not started");
        return 0;
    }
    paced_start starter(subscribers_.size(), 256,
                        [this](std::size_t i, std::function<void(bool)> done) {
                            subscribers_[i].setup.arm(std::move(done));
                            start_subscriber(subscribers_[i], i);
                        });
    starter.begin();
    loop_.run_until([&] { return starter.finished(); }, std::chrono::seconds(120));
    if (auto const failed = starter.failed()) {
        std::string what = "subscribers not subscribed: ";
        append_number(what, failed);
        errors_.add(what);
        errors_.add_silently(failed - 1);
    }

    for (std::size_t i = 0; i < senders_.size(); ++i) {
        auto& s = senders_[i];
        s.ws = std::make_shared<bench_client>(loop_.ioc(), target_.port,
                                              ws_target(target_, "operator", numbered('s', i)));
        s.ws->start(
            [this, &s](bool ok) {
                ++senders_connected_;
                s.ready = ok;
                if (!ok) errors_.add("sender could not connect");
            },
            [&s, on_sender](std::string_view f) { on_sender(s, f); });
    }
    loop_.run_until([&] { return senders_connected_ == senders_.size(); },
                    std::chrono::seconds(10));
    return starter.succeeded();
}

void fanout_setup::finish(boost::json::object& out) {
    check_totals totals;
    id_digest acked;
    std::uint64_t client_errors = visitor_ ? visitor_->errors() : 0;
    for (auto& s : senders_) {
        totals.add_sender(s.sent);
        acked += s.sent.acked_ids();
        if (s.ws) client_errors += s.ws->errors();
    }
    for (std::size_t i = 0; i < subscribers_.size(); ++i) {
        auto& s = subscribers_[i];
        if (s.setup.ready()) totals.add_receiver(s.received, acked, numbered('f', i));
        if (s.ws) client_errors += s.ws->errors();
    }
    if (visitor_) totals.add_receiver(visitor_received_, acked, "the visitor");

    for (auto& s : subscribers_)
        if (s.ws) s.ws->close();
    for (auto& s : senders_)
        if (s.ws) s.ws->close();
    if (visitor_) visitor_->close();
    loop_.run_for(std::chrono::milliseconds(500));
    out["errors"] = errors_.count() + client_errors;
    totals.put(out);
}

} // namespace parley::bench
