#pragma once

#include <parley/config/config.hpp>

#include <string>

namespace parley::app {

/// Exit codes of `parley serve`.
namespace exit_code {
inline constexpr int ok = 0;
/// Could not start: bad configuration, data dir in use, address in use.
inline constexpr int startup_failed = 2;
/// The watchdog found a thread stuck (`watchdog_s`): restart the process.
inline constexpr int stuck = 70;
} // namespace exit_code

/// Runs `parley serve`: opens the store, binds, serves until SIGINT/SIGTERM, then stops
/// accepting, closes WebSockets with 1001, lets in-flight work finish and closes the
/// store.
/// @return the process exit code.
int serve(config::server_config const& config, std::string const& web_root);

} // namespace parley::app
