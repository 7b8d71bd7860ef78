#include <parley/app/io_loop.hpp>

namespace parley::app {

namespace {

/// How long an idle thread waits for work before it beats anyway.
constexpr auto idle_beat = std::chrono::milliseconds(250);

} // namespace

void run_watched(boost::asio::io_context& ioc, heartbeat& beat) {
    // run_one_for() returns after each handler, or after idle_beat without one; run()
    // would give no sign of life between handlers. The context stops by itself when it
    // runs out of work, so the loop cannot spin.
    while (!ioc.stopped()) {
        ioc.run_one_for(idle_beat);
        beat.beat();
    }
    beat.retire();
}

} // namespace parley::app
