#include <parley/net/request_framing.hpp>

#include <boost/beast/core/string.hpp>

#include <cstddef>

namespace parley::net {

namespace http = boost::beast::http;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::size_t count(api::http_request const& header, http::field name) {
    auto const [first, last] = header.equal_range(name);
    return static_cast<std::size_t>(std::distance(first, last));
}

} // namespace

bool has_obs_fold(std::string_view header_block) {
    // Every line after the request line; the block ends with the blank line.
    for (auto at = header_block.find("\r\n"); at != std::string_view::npos; at = header_block.find("\r\n", at + 2)) {
        auto const next = at + 2;
        if (next < header_block.size() && (header_block[next] == ' ' || header_block[next] == '\t')) return true;
    }
    return false;
}

std::optional<std::string_view> framing_problem(api::http_request const& header) {
    auto const encodings = count(header, http::field::transfer_encoding);
    auto const lengths = count(header, http::field::content_length);
    if (encodings > 1) return "Transfer-Encoding: more than one";
    if (encodings == 1) {
        // Only the framing parley can read: no compression, no list, no parameters.
        if (!boost::beast::iequals(trim(header[http::field::transfer_encoding]), "chunked"))
            return "Transfer-Encoding: must be exactly chunked";
        if (lengths > 0) return "Content-Length: not allowed beside Transfer-Encoding";
    }
    if (lengths > 1) return "Content-Length: more than one";
    if (header.version() >= 11 && count(header, http::field::host) != 1) return "Host: an HTTP/1.1 request needs exactly one";
    return std::nullopt;
}

} // namespace parley::net
