#pragma once

#include <parley/expected.hpp>
#include <parley/protocol/command.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::protocol {

// Typed readers for command fields. Each returns the value, nullopt when the field is
// absent, or a `bad_request` naming the field when it has the wrong shape.

/// Ids the server assigns are positive and below 2^53 (SPEC §2).
inline constexpr std::uint64_t max_id = (std::uint64_t{1} << 53) - 1;

expected<std::optional<std::uint64_t>, command_error> read_id(command const& cmd, std::string_view name);
expected<std::optional<std::string>, command_error> read_string(command const& cmd, std::string_view name,
                                                                std::size_t max_bytes);
/// An actor id (auth::is_valid_actor_id) when the field is present.
expected<std::optional<std::string>, command_error> read_actor_id(command const& cmd, std::string_view name);
/// An id that must be present.
expected<std::uint64_t, command_error> require_id(command const& cmd, std::string_view name);
/// `random_id`: required, a string of 1..64 characters.
expected<std::string, command_error> require_random_id(command const& cmd);

/// Unicode code points in valid UTF-8 text (SPEC §3.4 counts body length this way).
std::size_t code_points(std::string_view utf8);

/// An error answering `cmd` (its `ref` echoed).
command_error error_for(command const& cmd, error_code code, std::string message);

} // namespace parley::protocol
