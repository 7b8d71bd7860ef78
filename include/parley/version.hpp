#pragma once

#include <string_view>

namespace parley {

/// The server version reported in `hello`, `/metrics` and `parley --version`.
inline constexpr std::string_view version = "0.1.0";

} // namespace parley
