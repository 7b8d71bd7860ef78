#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parley::app {

/// One thread's last sign of life, stamped each time it finishes a unit of work.
/// @note Lock-free; beat() costs a clock read and a relaxed store.
class heartbeat {
public:
    using clock = std::chrono::steady_clock;

    heartbeat() { beat(); }

    void beat() noexcept { last_.store(clock::now().time_since_epoch().count(), std::memory_order_relaxed); }
    /// The thread has finished for good: it can no longer be stuck.
    void retire() noexcept { retired_.store(true, std::memory_order_relaxed); }

    /// How long since the last beat; zero once retired.
    clock::duration stalled_for(clock::time_point now) const noexcept;

private:
    std::atomic<clock::rep> last_;
    std::atomic<bool> retired_{false};
};

/// Notices threads that have stopped making progress while work waits for them (a
/// deadlock, a wedged disk) and ends the process, so that its supervisor restarts it
/// instead of leaving a server that accepts connections and answers nothing. Acked
/// parts are in the WAL, so a restart loses nothing acknowledged.
///
/// Each watched thread is a probe saying how long it has been stuck (zero while it is
/// idle or moving). The watchdog's own thread polls them; it takes no lock that a stuck
/// thread could hold.
class watchdog {
public:
    using clock = std::chrono::steady_clock;
    using stall_probe = std::function<clock::duration(clock::time_point now)>;
    /// Told about every stuck thread found in one poll, then the process is expected to
    /// end. The default logs `watchdog.stuck` and exits with exit_code::stuck.
    using on_stuck = std::function<void(std::vector<std::pair<std::string, clock::duration>> const& stuck)>;

    /// @param limit how long a thread may go without progress; must be positive.
    explicit watchdog(clock::duration limit, on_stuck fire = {});
    /// Stops polling.
    ~watchdog();
    watchdog(watchdog const&) = delete;
    watchdog& operator=(watchdog const&) = delete;

    /// Watches `thread` (a name for the log: "committer", "io-0"). @note Before start().
    void watch(std::string thread, stall_probe probe);
    void start();

    /// What the default on_stuck does: logs each stuck thread, then exits the process.
    [[noreturn]] static void exit_stuck(std::vector<std::pair<std::string, clock::duration>> const& stuck,
                                        clock::duration limit);

private:
    void run();

    clock::duration const limit_;
    on_stuck fire_;
    std::vector<std::pair<std::string, stall_probe>> watched_;
    std::mutex mutex_;
    std::condition_variable stop_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace parley::app
