#pragma once

#include <boost/asio/thread_pool.hpp>

#include <functional>

namespace parley::api {

/// The threads that run HTTP requests reading the store (`http.reader_threads`), so an
/// I/O thread never waits on the disk: a large export or a cold read delays only the
/// requests queued behind it here, never a WebSocket's frames.
/// @note Thread-safe.
class reader_pool {
public:
    explicit reader_pool(unsigned threads);
    ~reader_pool();

    /// Runs `work` on a reader thread. After join(), work is dropped unrun.
    void post(std::function<void()> work);

    /// Finishes the queued work and stops the threads. Idempotent.
    void join();

private:
    boost::asio::thread_pool pool_;
};

} // namespace parley::api
