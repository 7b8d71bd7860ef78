#include <parley/api/stored_part_text.hpp>

#include <parley/protocol/part_type.hpp>

#include <charconv>

namespace parley::api {

namespace {

/// The characters from `at` up to the next `"`, or nullopt.
std::optional<std::string_view> quoted_from(std::string_view text, std::size_t at) {
    auto const end = text.find('"', at);
    if (end == std::string_view::npos) return std::nullopt;
    return text.substr(at, end - at);
}

} // namespace

stored_part_result append_stored_part(std::string_view stored, protocol::conversation const& c, bool visitor,
                                      std::string& out) {
    constexpr std::string_view id_key = R"({"id":)", type_key = R"(,"type":")",
                               role_key = R"(,"from":{"role":")", read_key = R"(,"read":)";
    if (!stored.starts_with(id_key)) return stored_part_result::unrecognized;
    std::uint64_t id = 0;
    auto const digits = stored.data() + id_key.size();
    auto [after_id, ec] = std::from_chars(digits, stored.data() + stored.size(), id);
    if (ec != std::errc{} || after_id == digits) return stored_part_result::unrecognized;

    auto const type_at = stored.find(type_key);
    auto const role_at = stored.find(role_key);
    auto const read_at = stored.rfind(read_key);
    if (type_at == std::string_view::npos || role_at == std::string_view::npos || read_at == std::string_view::npos ||
        role_at < type_at || read_at < role_at)
        return stored_part_result::unrecognized;
    auto const type = quoted_from(stored, type_at + type_key.size());
    auto const role = quoted_from(stored, role_at + role_key.size());
    if (!type || !role) return stored_part_result::unrecognized;
    auto const known = protocol::part_type_from_string(*type);
    if (!known) return stored_part_result::unrecognized;

    // What follows `"read":` is the stored boolean, then the end or `,"first":true}`.
    auto const value_at = read_at + read_key.size();
    auto const rest = stored.substr(value_at);
    std::size_t value_size = 0;
    if (rest.starts_with("false")) value_size = 5;
    else if (rest.starts_with("true")) value_size = 4;
    else return stored_part_result::unrecognized;
    auto const tail = rest.substr(value_size);
    if (tail != "}" && tail != R"(,"first":true})") return stored_part_result::unrecognized;

    if (visitor && !protocol::visible_to_visitor(*known)) return stored_part_result::hidden;
    out.append(stored.substr(0, value_at));
    out.append(protocol::read_by_peer(id, *type, *role, c) ? "true" : "false");
    out.append(tail);
    return stored_part_result::served;
}

} // namespace parley::api
