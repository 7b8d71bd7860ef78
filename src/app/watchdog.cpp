#include <parley/app/server.hpp>
#include <parley/app/watchdog.hpp>
#include <parley/telemetry/log.hpp>

#include <cstdlib>

namespace parley::app {

namespace {

std::int64_t to_ms(watchdog::clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

} // namespace

heartbeat::clock::duration heartbeat::stalled_for(clock::time_point now) const noexcept {
    if (retired_.load(std::memory_order_relaxed)) return clock::duration::zero();
    auto const last = clock::time_point(clock::duration(last_.load(std::memory_order_relaxed)));
    return now > last ? now - last : clock::duration::zero();
}

watchdog::watchdog(clock::duration limit, on_stuck fire) : limit_(limit), fire_(std::move(fire)) {
    if (!fire_) fire_ = [limit](auto const& stuck) { exit_stuck(stuck, limit); };
}

watchdog::~watchdog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void watchdog::watch(std::string thread, stall_probe probe) { watched_.emplace_back(std::move(thread), std::move(probe)); }

void watchdog::start() { thread_ = std::thread([this] { run(); }); }

void watchdog::exit_stuck(std::vector<std::pair<std::string, clock::duration>> const& stuck, clock::duration limit) {
    for (auto const& [thread, stalled] : stuck)
        log::error("watchdog.stuck", {{"thread", thread}, {"stalled_ms", to_ms(stalled)}, {"limit_ms", to_ms(limit)}});
    log::error("watchdog.exiting", {{"exit_code", exit_code::stuck}});
    // No destructors, no atexit handlers: they could wait on the very locks the stuck
    // threads hold. What was acknowledged is in the WAL already.
    std::_Exit(exit_code::stuck);
}

void watchdog::run() {
    // Polling a few times per limit bounds how late a stall is seen.
    auto const period = std::min<clock::duration>(limit_ / 4, std::chrono::milliseconds(250));
    std::unique_lock lock(mutex_);
    while (!stop_.wait_for(lock, period, [&] { return stopping_; })) {
        auto const now = clock::now();
        std::vector<std::pair<std::string, clock::duration>> stuck;
        for (auto const& [thread, probe] : watched_)
            if (auto const stalled = probe(now); stalled >= limit_) stuck.emplace_back(thread, stalled);
        if (stuck.empty()) continue;
        lock.unlock();
        fire_(stuck);
        return;
    }
}

} // namespace parley::app
