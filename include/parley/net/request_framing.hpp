#pragma once

#include <parley/api/http_types.hpp>

#include <optional>
#include <string_view>

namespace parley::net {

/// The checks of a request's framing that Beast leaves to the application (RFC 9112
/// §6–7): whatever decides where a body ends must be unambiguous, or a front proxy and
/// parley could disagree and a body would be read as a second request (smuggling).

/// Whether the raw header block (request line to the blank line) holds an obs-fold: a
/// line that starts with a space or tab and so continues the field before it.
bool has_obs_fold(std::string_view header_block);

/// What is wrong with the framing of a parsed request header, or nullopt:
/// - `Transfer-Encoding` other than exactly one field saying `chunked`;
/// - more than one `Content-Length`, or one beside a `Transfer-Encoding`;
/// - an HTTP/1.1 request without exactly one `Host`.
std::optional<std::string_view> framing_problem(api::http_request const& header);

} // namespace parley::net
