#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::auth {

/// Who an actor is to parley (SPEC §1). `operator_` because `operator` is a keyword.
enum class role { visitor, operator_, bot };

inline constexpr std::size_t role_count = 3;

std::string_view to_string(role r);

/// @return the role named `name` on the wire, or nullopt.
std::optional<role> role_from_string(std::string_view name);

/// An authenticated client, taken from a verified token.
struct actor {
    std::string site;
    std::string id;
    auth::role role = auth::role::visitor;
    /// The token's `name` claim; nullopt when the token has none.
    std::optional<std::string> name;
    /// Operator only: the departments served; nullopt = all departments.
    std::optional<std::vector<std::string>> departments;
    /// The token's `exp` (unix seconds, rounded down): a WebSocket connection does not
    /// outlive it unless it is refreshed.
    std::int64_t expires_at = 0;
};

/// Longest actor id, in characters (SPEC §1).
inline constexpr std::size_t max_actor_id_chars = 128;

/// Whether `id` may name an actor (a token's `sub`, an operator named in a command, the
/// visitor a bot speaks for): 1..128 characters of valid UTF-8 without control
/// characters, so an id is never empty and never breaks a log line, a header or a key.
bool is_valid_actor_id(std::string_view id);

/// Whether a fresh token may take over a connection opened with `current`'s: the same
/// site, role and `sub`, and the same departments, so what the connection sees never
/// widens or narrows mid-way.
bool may_take_over(actor const& current, actor const& fresh);

} // namespace parley::auth
