#pragma once

#include <parley/app/watchdog.hpp>

#include <boost/asio/io_context.hpp>

namespace parley::app {

/// Runs `ioc` on the calling thread until it stops, beating `beat` after every handler
/// and at least every 250 ms while idle: a handler that never returns, and only that,
/// shows as a stall. `beat` is retired on return.
void run_watched(boost::asio::io_context& ioc, heartbeat& beat);

} // namespace parley::app
