#pragma once
// The one way the hub takes its locks; private to src/relay.

#include <parley/relay/subscriber.hpp>

#include <memory>
#include <mutex>

namespace parley::relay {

/// Holds one of the hub's mutexes (a conversation's, the conversations map's, the
/// inbox's, the start table's) and keeps the hub's lifetime invariant:
///
///   No thread drops the last reference to a subscriber, or calls back into the hub,
///   while it holds a hub lock.
///
/// A connection's destructor calls hub::forget, which takes hub locks; run under one,
/// the thread would wait for itself. Any strong reference taken under a lock can turn
/// out to be the last: the connection may close on another thread meanwhile. So a
/// subscriber is reached under a lock only through reach() or keep(), which park the
/// reference per thread, and the parked references are dropped when the thread's
/// outermost hub lock is released, after the unlock.
///
/// hub::handle and hub::forget refuse to run on a thread that holds a hub lock (the
/// process aborts with a log line): that would be a deadlock, or a lock-order inversion
/// waiting to become one.
class hub_lock {
public:
    explicit hub_lock(std::mutex& m);
    ~hub_lock();
    hub_lock(hub_lock const&) = delete;
    hub_lock& operator=(hub_lock const&) = delete;

    /// Unlocks early; the destructor then does nothing.
    void unlock();

    /// The subscriber behind `conn`, or null when it has gone. It stays alive until this
    /// thread holds no hub lock. @note Only under a hub lock.
    static subscriber* reach(std::weak_ptr<subscriber> const& conn);
    /// Keeps `conn` alive until this thread holds no hub lock.
    /// @note Only under a hub lock.
    static subscriber* keep(std::shared_ptr<subscriber> conn);

    /// Whether this thread holds any hub lock.
    static bool held();
    /// Aborts, naming `where`, if this thread holds a hub lock: `where` calls back into
    /// the hub and would deadlock.
    static void assert_not_held(char const* where);

private:
    std::mutex* mutex_;
};

} // namespace parley::relay
