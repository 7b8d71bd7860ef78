#pragma once
// The table of `/v1/` endpoints; private to src/api.

#include <parley/api/api_call.hpp>
#include <parley/api/router.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace parley::api {

/// Hands an authenticated call to the endpoint its path and method name, or answers
/// 404 / 405 / 400 (an id in the path that is not one).
void route(call_ptr const& call, v1_endpoints const& v1);

/// A conversation id from a path segment: 1..2^53-1 in decimal, nothing else.
std::optional<std::uint64_t> parse_id(std::string_view text);

} // namespace parley::api
