#pragma once

#include <parley/auth/actor.hpp>
#include <parley/config/limits.hpp>
#include <parley/expected.hpp>
#include <parley/protocol/command.hpp>
#include <parley/protocol/part_type.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

namespace parley::protocol {

/// A `part.create` that passed validation (SPEC §3.2): the fields a client may set,
/// normalised (`body` "", `meta_data` {}, `reply_type` "text", ... when absent).
struct part_request {
    std::uint64_t conversation = 0;
    part_type type = part_type::reply_user;
    std::string random_id;
    /// body, body_json, meta_data, reply_type, actions, external_id, attachments.
    boost::json::object content;
};

/// Validates a `part.create` from a client of `role`: shapes (`bad_request`), an
/// unknown type (`bad_request`), a type the role may not create (`forbidden`), a body
/// longer than `limits.max_body_chars` code points (`too_large`), a vote without
/// `meta_data.rating` 1..5 (`bad_request`).
expected<part_request, command_error> parse_part_create(command const& cmd, auth::role role,
                                                        config::limits const& limits);

/// `sent_via` for a part a client of `role` wrote over WebSocket.
std::string_view sent_via_websocket(auth::role role);

/// The whole part record (SPEC §2.1) as stored and sent; `read` starts false.
boost::json::object make_part(std::uint64_t id, std::uint64_t conversation, std::int64_t created_unix,
                              part_type type, boost::json::object content, auth::actor const& author,
                              std::string_view sent_via, bool first);

/// `{"role","id","name"}` of an actor, as in a part's `from`.
boost::json::object from_of(auth::actor const& who);

} // namespace parley::protocol
