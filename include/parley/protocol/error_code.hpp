#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace parley::protocol {

/// The error codes of SPEC §3.1, shared by WebSocket `error` frames and HTTP errors.
enum class error_code {
    bad_request,
    unauthorized,
    forbidden,
    not_found,
    conflict,
    too_large,
    rate_limited,
    unavailable,
    internal,
};

inline constexpr std::size_t error_code_count = 9;

/// The wire spelling, e.g. "bad_request".
std::string_view to_string(error_code code);

/// The code spelled `name` on the wire, or nullopt.
std::optional<error_code> error_code_from_string(std::string_view name);

/// The HTTP status an HTTP error with this code carries (SPEC §5).
unsigned http_status(error_code code);

} // namespace parley::protocol
