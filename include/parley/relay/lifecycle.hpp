#pragma once

#include <parley/auth/actor.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/protocol/part_type.hpp>

#include <cstdint>

namespace parley::relay {

/// What a new part did to its conversation beyond the counters.
struct part_effect {
    /// A visitor wrote into a finished conversation: write `visitor-chat-reopen`.
    bool reopened = false;
    /// Something beyond the counters changed (status, employees): the whole stored
    /// record must be rewritten, not just the counters.
    bool record_changed = false;
};

/// Applies a new part of `type` by `author` with id `part_id` at `now_ms` to the
/// aggregate (SPEC §2.3): counters, first/last message times, reopening, `answered`,
/// employees, response times, rating, the last ids and `updated_at`.
part_effect apply_part(protocol::conversation& c, protocol::part_type type, auth::actor const& author,
                       std::uint64_t part_id, std::int64_t now_ms, std::optional<std::int64_t> rating);

/// Adds `who` to `employees` unless already there (order of first participation).
/// @return whether it was added.
bool add_employee(protocol::conversation& c, protocol::person const& who);

/// `{"id","name"}` of an actor.
protocol::person person_of(auth::actor const& who);

} // namespace parley::relay
