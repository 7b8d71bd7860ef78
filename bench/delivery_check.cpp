#include "delivery_check.hpp"

#include <cstdio>

namespace parley::bench {

bool send_log::on_ack(std::uint64_t seq, std::uint64_t id, bool duplicate) {
    if (seq >= acked_flags_.size() || acked_flags_[seq] || duplicate) {
        ++bad_acks_;
        return false;
    }
    acked_flags_[seq] = true;
    acked_.add(id);
    return true;
}

void check_totals::add_sender(send_log const& s) {
    lost += s.in_flight();
    duplicated += s.bad_acks();
}

void check_totals::add_receiver(receive_log const& r, id_digest const& expected,
                                std::string const& who) {
    duplicated += r.duplicated();
    reordered += r.reordered();
    auto const& got = r.got();
    if (got == expected) return;
    auto const missing =
        got.count < expected.count ? expected.count - got.count : got.count - expected.count;
    lost += missing ? missing : 1;
    // Only the first few: with thousands of receivers one fault would flood the terminal.
    static int reported = 0;
    if (reported++ < 5)
        std::fprintf(stderr, "parley-bench: %s received %llu parts, expected %llu%s\n", who.c_str(),
                     static_cast<unsigned long long>(got.count),
                     static_cast<unsigned long long>(expected.count),
                     missing ? "" : " (same count, different ids)");
}

void check_totals::put(boost::json::object& out) const {
    out["lost"] = lost;
    out["duplicated"] = duplicated;
    out["reordered"] = reordered;
}

} // namespace parley::bench
