#pragma once

#include <cstddef>
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
};

} // namespace parley::auth
