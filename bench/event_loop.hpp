#pragma once
// One io_context on one thread (the generator is pinned to one CPU), kept alive by a
// work guard so waiting with nothing pending sleeps instead of spinning.

#include "scenario.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>

namespace parley::bench {

class event_loop {
public:
    using clock = std::chrono::steady_clock;

    event_loop() : ioc_(1), guard_(boost::asio::make_work_guard(ioc_)) {}

    boost::asio::io_context& ioc() { return ioc_; }

    /// Runs handlers for `d`.
    void run_for(clock::duration d) {
        auto const until = clock::now() + d;
        while (clock::now() < until)
            ioc_.run_one_until(until);
    }

    /// Runs handlers until `done()` holds (checked every few milliseconds, so it may
    /// be a loop over thousands of connections) or `limit` passes. @return done().
    template <class Done> bool run_until(Done&& done, clock::duration limit) {
        auto const until = clock::now() + limit;
        while (!done() && clock::now() < until)
            run_for(std::chrono::milliseconds(5));
        return done();
    }

    /// Runs until `done()`, or until `progress()` (a count of what has arrived) stops
    /// moving for `stall`: an overloaded server may take long to drain a backlog, and
    /// that is not loss as long as it keeps delivering. @return done().
    template <class Done, class Progress>
    bool drain(Done&& done, Progress&& progress, clock::duration stall) {
        auto last = progress();
        auto last_change = clock::now();
        while (!done()) {
            run_for(std::chrono::milliseconds(5));
            auto const now_progress = progress();
            if (now_progress != last) {
                last = now_progress;
                last_change = clock::now();
            } else if (clock::now() - last_change > stall) {
                break;
            }
        }
        return done();
    }

    /// Warm-up, then the measured interval with `measuring` set. @return its seconds.
    double measure(timing const& time, bool& measuring) {
        run_for(time.warmup);
        measuring = true;
        auto const started = clock::now();
        run_for(time.duration);
        measuring = false;
        return std::chrono::duration<double>(clock::now() - started).count();
    }

private:
    boost::asio::io_context ioc_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
};

} // namespace parley::bench
