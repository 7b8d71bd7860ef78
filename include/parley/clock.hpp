#pragma once

#include <cstdint>
#include <string>

namespace parley {

/// Wall-clock milliseconds since the Unix epoch.
std::int64_t now_ms();

/// Wall-clock seconds since the Unix epoch (parts' `created`, tokens' `exp`).
std::int64_t now_unix();

/// ISO 8601 UTC with milliseconds, the timestamp form of SPEC §2:
/// `2026-11-21T07:27:14.000Z`.
std::string iso8601(std::int64_t unix_ms);

} // namespace parley
