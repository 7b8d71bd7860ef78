#pragma once

#include <parley/config/config.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace parley::log {

/// One `key=value` pair of a log line. Only identifiers and figures go here: message
/// bodies, tokens, names and other PII of SPEC §2.4 never do.
struct field {
    std::string_view key;
    std::string value;

    field(std::string_view k, std::string_view v) : key(k), value(v) {}
    field(std::string_view k, char const* v) : key(k), value(v) {}
    field(std::string_view k, std::int64_t v) : key(k), value(std::to_string(v)) {}
    field(std::string_view k, std::uint64_t v) : key(k), value(std::to_string(v)) {}
    field(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
    field(std::string_view k, unsigned v) : key(k), value(std::to_string(v)) {}
};

using level = config::log_level;

/// Lines below `min` are dropped. Default: info. @note Thread-safe.
void set_level(level min);
bool enabled(level l);

/// Writes one line to stderr: `2026-11-22T05:00:00.123Z info ws.open conn=7 role=visitor`.
/// Values with spaces or quotes are quoted. @note Thread-safe; lines never interleave.
void write(level l, std::string_view event, std::initializer_list<field> fields = {});

inline void debug(std::string_view e, std::initializer_list<field> f = {}) { write(level::debug, e, f); }
inline void info(std::string_view e, std::initializer_list<field> f = {}) { write(level::info, e, f); }
inline void warn(std::string_view e, std::initializer_list<field> f = {}) { write(level::warn, e, f); }
inline void error(std::string_view e, std::initializer_list<field> f = {}) { write(level::error, e, f); }

/// ISO 8601 UTC with milliseconds, the timestamp format of SPEC §2.
std::string iso8601_now();

} // namespace parley::log
