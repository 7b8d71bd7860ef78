#include <parley/clock.hpp>
#include <parley/telemetry/log.hpp>

#include <atomic>
#include <cstdio>
#include <mutex>

namespace parley::log {
namespace {

std::atomic<int> min_level{static_cast<int>(level::info)};
std::mutex write_mutex;

bool needs_quotes(std::string_view v) {
    if (v.empty()) return true;
    for (char c : v)
        if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
    return false;
}

void append_value(std::string& line, std::string_view v) {
    if (!needs_quotes(v)) {
        line += v;
        return;
    }
    line += '"';
    for (char c : v) {
        if (c == '"' || c == '\\') line += '\\';
        line += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
    line += '"';
}

} // namespace

void set_level(level min) { min_level.store(static_cast<int>(min), std::memory_order_relaxed); }

bool enabled(level l) { return static_cast<int>(l) >= min_level.load(std::memory_order_relaxed); }

std::string iso8601_now() { return iso8601(now_ms()); }

void write(level l, std::string_view event, std::initializer_list<field> fields) {
    if (!enabled(l)) return;
    std::string line = iso8601_now();
    line += ' ';
    line += config::to_string(l);
    line += ' ';
    line += event;
    for (auto const& f : fields) {
        line += ' ';
        line += f.key;
        line += '=';
        append_value(line, f.value);
    }
    line += '\n';
    std::lock_guard lock(write_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace parley::log
