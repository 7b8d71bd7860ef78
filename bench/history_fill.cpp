#include "history_fill.hpp"

#include "bench_client.hpp"
#include "frame_scan.hpp"
#include "part_frames.hpp"

#include <deque>
#include <fstream>

namespace parley::bench {

namespace {

/// One fill connection: starts its share of the conversations, then writes their parts,
/// keeping `window` commands in flight and at most one part per conversation.
class filler {
public:
    filler(event_loop& loop, target const& t, history_options const& o, std::size_t index,
           std::vector<filled_conversation>& all, run_errors& errors)
        : o_(o), all_(all), errors_(errors) {
        for (auto k = index; k < all.size(); k += static_cast<std::size_t>(o.fill_connections))
            mine_.push_back(k);
        std::string name = "h";
        append_number(name, index);
        ws_ = std::make_shared<bench_client>(loop.ioc(), t.port, ws_target(t, "visitor", name));
    }

    void start() {
        ws_->start(
            [this](bool ok) {
                if (!ok) return errors_.add("fill connection failed");
                pump();
            },
            [this](std::string_view f) { on_frame(f); },
            [this] { errors_.add("fill connection closed"); });
    }

    bool done() const {
        return started_ == mine_.size() &&
               parts_.acked() == mine_.size() * std::uint64_t(o_.fill_parts);
    }
    send_log const& parts() const { return parts_; }
    std::uint64_t started() const { return started_; }
    std::uint64_t starts_missing() const { return mine_.size() - started_; }
    std::uint64_t errors() const { return ws_->errors(); }

private:
    void pump() {
        while (in_flight_ < static_cast<std::size_t>(std::max(o_.fill_window, 1))) {
            if (next_start_ < mine_.size()) {
                std::string frame = R"({"op":"conversation.start","random_id":"c)";
                append_number(frame, mine_[next_start_++]);
                frame += R"("})";
                ws_->send(std::move(frame));
            } else if (!ready_.empty()) {
                auto const k = ready_.front();
                ready_.pop_front();
                part_of_seq_.push_back(k);
                ws_->send(part_create_frame(all_[k].id, "reply_user", parts_.next(), 'h',
                                            all_[k].parts, o_.body_bytes));
            } else {
                return;
            }
            ++in_flight_;
        }
    }

    void on_frame(std::string_view f) {
        if (is_op(f, "part.created")) {
            auto a = read_ack(f);
            if (!a || a->seq >= part_of_seq_.size()) return errors_.add("unreadable part.created");
            if (parts_.on_ack(a->seq, a->id, a->duplicate)) {
                auto const k = part_of_seq_[a->seq];
                if (++all_[k].parts < static_cast<std::uint32_t>(o_.fill_parts))
                    ready_.push_back(k);
            }
        } else if (is_op(f, "conversation.started")) {
            auto k = number_after(f, R"("random_id":"c)");
            auto id = number_after(f, R"("conversation":{"id":)");
            if (!k || !id || *k >= all_.size() || all_[*k].id)
                return errors_.add("unexpected conversation.started");
            all_[*k].id = *id;
            ++started_;
            if (o_.fill_parts > 0) ready_.push_back(*k);
        } else if (is_op(f, "error")) {
            errors_.add(f);
            if (auto seq = refused_seq(f)) parts_.on_refused(*seq);
        } else {
            return;
        }
        --in_flight_;
        pump();
    }

    history_options const& o_;
    std::vector<filled_conversation>& all_;
    run_errors& errors_;
    std::shared_ptr<bench_client> ws_;
    std::vector<std::size_t> mine_;        ///< indexes into all_
    std::deque<std::size_t> ready_;        ///< conversations whose next part may go
    std::vector<std::size_t> part_of_seq_; ///< the conversation of each part sent
    send_log parts_;
    std::size_t next_start_ = 0, started_ = 0, in_flight_ = 0;
};

} // namespace

fill_result fill_history(event_loop& loop, target const& t, history_options const& o,
                         run_errors& errors) {
    fill_result r;
    r.conversations.resize(static_cast<std::size_t>(std::max(o.fill_conversations, 0)));
    std::vector<std::unique_ptr<filler>> fillers;
    for (int i = 0; i < std::max(o.fill_connections, 1); ++i)
        fillers.push_back(std::make_unique<filler>(loop, t, o, static_cast<std::size_t>(i),
                                                   r.conversations, errors));
    auto const started = std::chrono::steady_clock::now();
    for (auto& f : fillers)
        f->start();
    auto const all_done = [&] {
        if (errors.count()) return true; // the run is invalid already: do not wait it out
        for (auto const& f : fillers)
            if (!f->done()) return false;
        return true;
    };
    auto const progress = [&] {
        std::uint64_t n = 0;
        for (auto const& f : fillers)
            n += f->parts().acked() + f->started();
        return n;
    };
    loop.drain(all_done, progress, std::chrono::seconds(10));
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (auto const& f : fillers) {
        r.checks.add_sender(f->parts());
        r.checks.lost += f->starts_missing();
        r.parts += f->parts().acked();
        errors.add_silently(f->errors());
    }
    std::erase_if(r.conversations, [](auto const& c) { return c.id == 0; });
    return r;
}

bool save_conversations(std::string const& path,
                        std::vector<filled_conversation> const& conversations) {
    std::ofstream out(path);
    for (auto const& c : conversations)
        out << c.id << ' ' << c.parts << '\n';
    return static_cast<bool>(out);
}

std::optional<std::vector<filled_conversation>> load_conversations(std::string const& path) {
    std::ifstream in(path);
    std::vector<filled_conversation> out;
    filled_conversation c;
    while (in >> c.id >> c.parts)
        out.push_back(c);
    if (out.empty()) return std::nullopt;
    return out;
}

} // namespace parley::bench
