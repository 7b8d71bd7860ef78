#pragma once

#include <parley/expected.hpp>
#include <parley/protocol/error_code.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace parley::protocol {

/// One client command as it arrived: its `op`, the `ref` to echo, and the whole object
/// for the op's own fields.
struct command {
    std::string op;
    std::optional<std::string> ref;
    boost::json::object fields;
};

/// A command that cannot be answered; becomes one `error` frame (SPEC §3.1).
struct command_error {
    error_code code;
    std::string message;
    std::optional<std::string> ref;
    std::optional<std::string> random_id;
};

/// Longest `ref` a client may attach (SPEC §3).
inline constexpr std::size_t max_ref_chars = 64;

/// Parses one text frame. Malformed JSON, a non-object, a missing or non-string `op`, or
/// a `ref` that is not a string of at most 64 characters give `bad_request`; the `ref`
/// is echoed in the error whenever it was itself valid.
expected<command, command_error> parse_command(std::string_view text);

} // namespace parley::protocol
