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

bool may_take_over(actor const& current, actor const& fresh) {
    return current.site == fresh.site && current.role == fresh.role && current.id == fresh.id &&
           current.departments == fresh.departments;
}

} // namespace parley::auth
