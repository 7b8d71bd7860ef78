#pragma once

#include <parley/auth/actor.hpp>
#include <parley/config/limits.hpp>
#include <parley/protocol/command.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace parley::protocol {

/// The first frame after an upgrade (SPEC §3.1 `hello`): who the client is, the server
/// version and epoch, and the limits it must stay within.
std::string hello_frame(auth::actor const& who, std::string_view server_version,
                        std::string_view epoch, config::limits const& limits);

/// `{"op":"pong"}`, with `ref` when the ping had one.
std::string pong_frame(std::optional<std::string> const& ref);

/// `{"op":"error","code","message","ref"?,"random_id"?}`.
std::string error_frame(command_error const& err);

} // namespace parley::protocol
