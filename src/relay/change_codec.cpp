// A change as one log entry: what another node needs to apply it exactly as the node
// that decided it did. Who to answer is not in it: only the deciding node answers.

#include "hub_state.hpp"

#include <boost/json.hpp>

namespace parley::relay {

namespace json = boost::json;

std::string hub::encode(change const& ch) {
    json::object by{{"site", ch.by.site}, {"id", ch.by.id}, {"role", auth::to_string(ch.by.role)}};
    if (ch.by.name) by["name"] = *ch.by.name;
    if (ch.by.departments) {
        json::array departments;
        for (auto const& d : *ch.by.departments) departments.emplace_back(d);
        by["departments"] = std::move(departments);
    }
    auto ids = [](change::taken_ids const& taken) {
        json::array out;
        for (auto id : taken.ids) out.emplace_back(id);
        return out;
    };
    return json::serialize(json::object{{"op", ch.op},
                                        {"conversation", ch.conversation},
                                        {"at", ch.at_ms},
                                        {"by", std::move(by)},
                                        {"args", ch.args},
                                        {"ids", json::object{{"conversations", ids(ch.conversations)},
                                                             {"parts", ids(ch.parts)},
                                                             {"events", ids(ch.events)}}}});
}

std::optional<hub::change> hub::decode(std::string_view entry) {
    boost::system::error_code ec;
    auto parsed = json::parse(entry, ec);
    if (ec || !parsed.is_object()) return std::nullopt;
    auto const& o = parsed.as_object();
    auto const* op = o.if_contains("op");
    auto const* conversation = o.if_contains("conversation");
    auto const* at = o.if_contains("at");
    auto const* by = o.if_contains("by");
    auto const* args = o.if_contains("args");
    if (!op || !op->is_string() || !conversation || !conversation->is_number() || !at || !at->is_int64() || !by ||
        !by->is_object() || !args || !args->is_object())
        return std::nullopt;
    auto const& who = by->as_object();
    auto const* site = who.if_contains("site");
    auto const* id = who.if_contains("id");
    auto const* role_name = who.if_contains("role");
    if (!site || !site->is_string() || !id || !id->is_string() || !role_name || !role_name->is_string()) return std::nullopt;
    auto const role = auth::role_from_string(role_name->get_string());
    if (!role) return std::nullopt;
    change ch;
    ch.op = std::string(op->get_string());
    ch.conversation = conversation->to_number<std::uint64_t>();
    ch.at_ms = at->get_int64();
    ch.by.site = std::string(site->get_string());
    ch.by.id = std::string(id->get_string());
    ch.by.role = *role;
    if (auto const* name = who.if_contains("name"); name && name->is_string()) ch.by.name = std::string(name->get_string());
    if (auto const* departments = who.if_contains("departments"); departments && departments->is_array()) {
        ch.by.departments.emplace();
        for (auto const& d : departments->get_array())
            if (d.is_string()) ch.by.departments->emplace_back(d.get_string());
    }
    ch.args = args->as_object();
    if (auto const* ids = o.if_contains("ids"); ids && ids->is_object()) {
        for (auto [name, taken] : {std::pair{"conversations", &ch.conversations}, std::pair{"parts", &ch.parts},
                                   std::pair{"events", &ch.events}}) {
            auto const* list = ids->get_object().if_contains(name);
            if (!list || !list->is_array()) continue;
            for (auto const& id : list->get_array()) {
                if (!id.is_uint64() && !id.is_int64()) return std::nullopt;
                taken->ids.push_back(id.to_number<std::uint64_t>());
            }
        }
    }
    return ch;
}

} // namespace parley::relay
