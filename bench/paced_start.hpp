#pragma once
// Sets up many connections with a bound on how many are in progress at once: thousands
// of simultaneous handshakes would overflow the server's listen backlog and turn a
// memory benchmark into a SYN-retry benchmark.

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

namespace parley::bench {

/// One connection's set-up as paced_start sees it: the `done` it must call exactly once,
/// and whether the set-up succeeded.
class setup_slot {
public:
    void arm(std::function<void(bool ok)> done) { done_ = std::move(done); }
    /// Set-up begun and not over yet.
    bool pending() const { return static_cast<bool>(done_); }
    bool ready() const { return ready_; }
    /// Reports how the set-up ended; only the first call counts.
    void finish(bool ok) {
        if (!done_) return;
        auto done = std::exchange(done_, nullptr);
        ready_ = ok;
        done(ok);
    }

private:
    std::function<void(bool ok)> done_;
    bool ready_ = false;
};

class paced_start {
public:
    /// Begins set-up `index`; must call `done(ok)` exactly once when it is over.
    using start_fn = std::function<void(std::size_t index, std::function<void(bool ok)> done)>;

    paced_start(std::size_t count, std::size_t max_in_flight, start_fn start)
        : count_(count), max_in_flight_(max_in_flight ? max_in_flight : 1),
          start_(std::move(start)) {}

    void begin() { launch_more(); }

    bool finished() const { return ok_ + failed_ == count_; }
    std::size_t succeeded() const { return ok_; }
    /// Set-ups that failed or never finished.
    std::size_t failed() const { return count_ - ok_; }

private:
    void launch_more() {
        while (next_ < count_ && next_ - ok_ - failed_ < max_in_flight_) {
            auto const index = next_++;
            start_(index, [this](bool ok) {
                ++(ok ? ok_ : failed_);
                launch_more();
            });
        }
    }

    std::size_t count_, max_in_flight_;
    start_fn start_;
    std::size_t next_ = 0, ok_ = 0, failed_ = 0;
};

} // namespace parley::bench
