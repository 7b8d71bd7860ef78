#include <parley/auth/actor.hpp>

namespace parley::auth {

std::string_view to_string(role r) {
    switch (r) {
    case role::visitor: return "visitor";
    case role::operator_: return "operator";
    case role::bot: return "bot";
    }
    return "visitor";
}

std::optional<role> role_from_string(std::string_view name) {
    if (name == "visitor") return role::visitor;
    if (name == "operator") return role::operator_;
    if (name == "bot") return role::bot;
    return std::nullopt;
}

bool is_valid_actor_id(std::string_view id) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < id.size(); ++chars) {
        auto const c = static_cast<unsigned char>(id[i]);
        if (c < 0x20 || c == 0x7F) return false;
        std::size_t const length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (length == 0 || i + length > id.size()) return false;
        for (std::size_t k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(id[i + k]) & 0xC0) != 0x80) return false;
        // C1 controls, U+0080..U+009F, are two bytes: C2 80..C2 9F.
        if (length == 2 && c == 0xC2 && static_cast<unsigned char>(id[i + 1]) < 0xA0) return false;
        i += length;
    }
    return chars >= 1 && chars <= max_actor_id_chars;
}

bool may_take_over(actor const& current, actor const& fresh) {
    return current.site == fresh.site && current.role == fresh.role && current.id == fresh.id &&
           current.departments == fresh.departments;
}

} // namespace parley::auth
