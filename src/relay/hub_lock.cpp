#include "hub_lock.hpp"

#include <parley/telemetry/log.hpp>

#include <cassert>
#include <cstdlib>
#include <vector>

namespace parley::relay {

namespace {

/// Per thread: how many hub locks it holds, and the subscribers it reached under them.
struct thread_locks {
    int depth = 0;
    std::vector<std::shared_ptr<subscriber>> parked;
};

thread_local thread_locks this_thread;

/// The thread has just released its outermost hub lock: the parked references may go
/// now. Dropping one can run a destructor that takes hub locks and parks again, so the
/// list is swapped out first; its capacity is kept for the next fan-out.
void release_parked() {
    if (this_thread.parked.empty()) return;
    std::vector<std::shared_ptr<subscriber>> dropping;
    dropping.swap(this_thread.parked);
    dropping.clear();
    if (this_thread.parked.capacity() < dropping.capacity()) this_thread.parked.swap(dropping);
}

} // namespace

hub_lock::hub_lock(std::mutex& m) : mutex_(&m) {
    mutex_->lock();
    ++this_thread.depth;
}

hub_lock::~hub_lock() { unlock(); }

void hub_lock::unlock() {
    if (!mutex_) return;
    mutex_->unlock();
    mutex_ = nullptr;
    if (--this_thread.depth == 0) release_parked();
}

subscriber* hub_lock::reach(std::weak_ptr<subscriber> const& conn) {
    auto strong = conn.lock();
    if (!strong) return nullptr;
    return keep(std::move(strong));
}

subscriber* hub_lock::keep(std::shared_ptr<subscriber> conn) {
    assert(this_thread.depth > 0);
    auto* raw = conn.get();
    this_thread.parked.push_back(std::move(conn));
    return raw;
}

bool hub_lock::held() { return this_thread.depth > 0; }

void hub_lock::assert_not_held(char const* where) {
    if (this_thread.depth == 0) return;
    log::error("relay.reentered_under_lock", {{"where", where}, {"locks_held", this_thread.depth}});
    std::abort();
}

} // namespace parley::relay
