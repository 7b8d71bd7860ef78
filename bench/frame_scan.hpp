#pragma once
// Cheap scans of server frames. The generator reads hundreds of thousands of frames a
// second on one core, so it looks for the few fields it needs instead of parsing JSON.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::bench {

/// The unsigned number right after the first `key` in `frame`, or nullopt.
inline std::optional<std::uint64_t> number_after(std::string_view frame, std::string_view key) {
    auto pos = frame.find(key);
    if (pos == std::string_view::npos) return std::nullopt;
    pos += key.size();
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(frame.data() + pos, frame.data() + frame.size(), v);
    if (ec != std::errc{}) return std::nullopt;
    return v;
}

/// Whether `frame` is a server message with this `op` (the server writes `op` first).
inline bool is_op(std::string_view frame, std::string_view op) {
    constexpr std::string_view head = R"({"op":")";
    return frame.size() > head.size() + op.size() && frame.starts_with(head) &&
           frame.substr(head.size(), op.size()) == op && frame[head.size() + op.size()] == '"';
}

/// Appends `v` in decimal (no temporary string).
inline void append_number(std::string& out, std::uint64_t v) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
    out.append(digits, end);
}

} // namespace parley::bench
