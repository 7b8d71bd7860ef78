#include <parley/auth/actor.hpp>
#include <parley/protocol/fields.hpp>

namespace parley::protocol {

command_error error_for(command const& cmd, error_code code, std::string message) {
    return command_error{code, std::move(message), cmd.ref, std::nullopt};
}

expected<std::optional<std::uint64_t>, command_error> read_id(command const& cmd, std::string_view name) {
    auto const* v = cmd.fields.if_contains(name);
    if (!v || v->is_null()) return std::optional<std::uint64_t>{};
    std::uint64_t id = 0;
    if (v->is_uint64()) id = v->get_uint64();
    else if (v->is_int64() && v->get_int64() >= 0) id = static_cast<std::uint64_t>(v->get_int64());
    else return unexpected{error_for(cmd, error_code::bad_request, std::string(name) + " must be a non-negative integer")};
    if (id > max_id) return unexpected{error_for(cmd, error_code::bad_request, std::string(name) + " is out of range")};
    return std::optional<std::uint64_t>{id};
}

expected<std::uint64_t, command_error> require_id(command const& cmd, std::string_view name) {
    auto id = read_id(cmd, name);
    if (!id) return unexpected{id.error()};
    if (!*id || **id == 0)
        return unexpected{error_for(cmd, error_code::bad_request, std::string(name) + " is required")};
    return **id;
}

expected<std::optional<std::string>, command_error> read_string(command const& cmd, std::string_view name,
                                                                std::size_t max_bytes) {
    auto const* v = cmd.fields.if_contains(name);
    if (!v || v->is_null()) return std::optional<std::string>{};
    if (!v->is_string()) return unexpected{error_for(cmd, error_code::bad_request, std::string(name) + " must be a string")};
    if (v->get_string().size() > max_bytes)
        return unexpected{error_for(cmd, error_code::bad_request, std::string(name) + " is too long")};
    return std::optional<std::string>{std::string(v->get_string())};
}

expected<std::optional<std::string>, command_error> read_actor_id(command const& cmd, std::string_view name) {
    auto const* v = cmd.fields.if_contains(name);
    if (!v || v->is_null()) return std::optional<std::string>{};
    if (!v->is_string() || !auth::is_valid_actor_id(v->get_string()))
        return unexpected{error_for(cmd, error_code::bad_request,
                                    std::string(name) + " must be an id of 1..128 characters without control characters")};
    return std::optional<std::string>{std::string(v->get_string())};
}

expected<std::string, command_error> require_random_id(command const& cmd) {
    auto const* v = cmd.fields.if_contains("random_id");
    if (!v || !v->is_string() || v->get_string().empty() || code_points(v->get_string()) > 64)
        return unexpected{error_for(cmd, error_code::bad_request, "random_id must be a string of 1..64 characters")};
    return std::string(v->get_string());
}

std::size_t code_points(std::string_view utf8) {
    std::size_t n = 0;
    for (unsigned char c : utf8)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

} // namespace parley::protocol
