#pragma once
// The checks every scenario runs on what it measured (BENCH.md: "a run with an error is
// not a result"): every random_id acknowledged exactly once, and every receiver gets
// each acknowledged part of its conversation once, in strictly increasing id order.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::bench {

/// A set of part ids summarised by count, sum and sum of squares: two sets that agree
/// on all three are, for any realistic fault, the same set. O(1) per part, so it keeps
/// up with hundreds of thousands of deliveries a second.
struct id_digest {
    std::uint64_t count = 0, sum = 0, sum_sq = 0;

    void add(std::uint64_t id) {
        ++count;
        sum += id;
        sum_sq += id * id;
    }
    id_digest& operator+=(id_digest const& o) {
        count += o.count;
        sum += o.sum;
        sum_sq += o.sum_sq;
        return *this;
    }
    bool operator==(id_digest const&) const = default;
};

/// One sending connection's parts: random_id `r<seq>` for seq 0, 1, 2, ...
class send_log {
public:
    /// @return the seq of the next part to send.
    std::uint64_t next() {
        acked_flags_.push_back(false);
        return acked_flags_.size() - 1;
    }
    /// Records the ack of `seq`. @return false (and counts it) when `seq` was never sent,
    /// was already acknowledged, or the server marked it a duplicate.
    bool on_ack(std::uint64_t seq, std::uint64_t id, bool duplicate);

    /// Records that `seq` was answered with an error frame instead of an ack (the
    /// caller counts the error): it is not lost, and no receiver should get it.
    void on_refused(std::uint64_t seq) {
        if (seq < acked_flags_.size() && !acked_flags_[seq]) {
            acked_flags_[seq] = true;
            ++refused_;
        }
    }

    std::uint64_t sent() const { return acked_flags_.size(); }
    std::uint64_t acked() const { return acked_.count; }
    /// Sent and neither acknowledged nor refused yet.
    std::uint64_t in_flight() const { return sent() - acked() - refused_; }
    std::uint64_t bad_acks() const { return bad_acks_; }
    /// The ids of the acknowledged parts: what every receiver must end up with.
    id_digest const& acked_ids() const { return acked_; }

private:
    std::vector<bool> acked_flags_;
    id_digest acked_;
    std::uint64_t bad_acks_ = 0, refused_ = 0;
};

/// What one receiving connection got of one conversation.
class receive_log {
public:
    /// Records a delivered part. @return true when it is new and in order (ids must
    /// strictly increase); a repeat of the last id counts as duplicated, a lower id as
    /// reordered, and neither enters the digest.
    bool on_part(std::uint64_t id) {
        if (id > last_) {
            last_ = id;
            got_.add(id);
            return true;
        }
        ++(id == last_ ? duplicated_ : reordered_);
        return false;
    }
    std::uint64_t count() const { return got_.count; }
    id_digest const& got() const { return got_; }
    std::uint64_t duplicated() const { return duplicated_; }
    std::uint64_t reordered() const { return reordered_; }

private:
    std::uint64_t last_ = 0;
    id_digest got_;
    std::uint64_t duplicated_ = 0, reordered_ = 0;
};

/// The run's verdict: lost, duplicated and reordered parts.
struct check_totals {
    std::uint64_t lost = 0, duplicated = 0, reordered = 0;

    /// Unacknowledged parts count as lost, bad acks as duplicated.
    void add_sender(send_log const& s);
    /// A receiver must hold exactly `expected`: a count short is lost, a count over or
    /// a different set of the same size is counted as lost too (and reported on stderr).
    void add_receiver(receive_log const& r, id_digest const& expected, std::string const& who);
    /// Writes `lost`, `duplicated`, `reordered`.
    void put(boost::json::object& out) const;
};

} // namespace parley::bench
