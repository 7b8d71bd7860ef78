#pragma once

#include <parley/auth/actor.hpp>
#include <parley/config/limits.hpp>
#include <parley/protocol/command.hpp>

#include <boost/json/object.hpp>

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

/// `{"op":OP,"part":PART}` around an already serialized part: the part is serialized
/// once and the same text is stored and sent (OP is `part` or `part.updated`).
std::string part_frame(std::string_view op, std::string_view part_json);

/// The answer to the connection that created (or repeated) a part:
/// `{"op":"part.created","part":{...,"random_id":R},"ref"?,"duplicate"?:true}`.
std::string part_created_frame(std::string_view part_json, std::string_view random_id,
                               std::optional<std::string> const& ref, bool duplicate);

/// `{"op":OP, KEY: VALUE, "ref"?}` for replies carrying one object.
std::string object_frame(std::string_view op, std::string_view key, boost::json::object const& value,
                         std::optional<std::string> const& ref = std::nullopt);

/// `{"op":"ok","ref"?}`.
std::string ok_frame(std::optional<std::string> const& ref);

} // namespace parley::protocol
