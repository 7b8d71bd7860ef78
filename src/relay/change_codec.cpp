// A change as one log entry: what another node needs to apply it exactly as the node
// that decided it did. Who to answer is not in it: only the deciding node answers.

#include "hub_state.hpp"

#include <parley/protocol/part_type.hpp>

#include <boost/json.hpp>

namespace parley::relay {

namespace json = boost::json;

namespace {

bool is_id(json::value const* v) { return v && (v->is_uint64() || (v->is_int64() && v->get_int64() >= 0)); }
bool is_string(json::value const* v) { return v && v->is_string(); }
bool is_strings(json::value const* v) {
    if (!v || !v->is_array()) return false;
    for (auto const& s : v->get_array())
        if (!s.is_string()) return false;
    return true;
}

/// Whether `args` holds what applying `op` reads: an entry is applied without the
/// command's validation, so a malformed one must stop here, not halfway through.
bool has_its_arguments(std::string_view op, json::object const& args) {
    if (op == "conversation.start")
        return is_string(args.if_contains("random_id")) && is_string(args.if_contains("visitor_id")) &&
               args.contains("widget") && args.at("widget").is_object();
    if (op == "part.create")
        return is_string(args.if_contains("type")) && is_string(args.if_contains("random_id")) &&
               args.contains("content") && args.at("content").is_object();
    if (op == "part.edit") return is_id(args.if_contains("id")) && is_string(args.if_contains("body"));
    if (op == "part.remove") return is_id(args.if_contains("id"));
    if (op == "conversation.tag") return is_strings(args.if_contains("add")) && is_strings(args.if_contains("remove"));
    if (op == "event") return is_string(args.if_contains("event_type"));
    if (op == "read") return is_id(args.if_contains("up_to"));
    return op == "conversation.assign" || op == "conversation.transfer" || op == "conversation.close";
}

} // namespace

std::string hub::encode(change const& ch) {
    json::object by{{"site", ch.by->site}, {"id", ch.by->id}, {"role", auth::to_string(ch.by->role)}};
    if (ch.by->name) by["name"] = *ch.by->name;
    if (ch.by->departments) {
        json::array departments;
        for (auto const& d : *ch.by->departments) departments.emplace_back(d);
        by["departments"] = std::move(departments);
    }
    auto ids = [](change::taken_ids const& taken) {
        json::array out;
        for (auto id : taken.ids) out.emplace_back(id);
        return out;
    };
    json::object args = ch.args;
    if (ch.part) {
        args["type"] = protocol::to_string(ch.part->type);
        args["random_id"] = ch.part->random_id;
        args["content"] = ch.part->content;
        args["over_http"] = ch.over_http;
    }
    return json::serialize(json::object{{"op", ch.op},
                                        {"conversation", ch.conversation},
                                        {"at", ch.at_ms},
                                        {"by", std::move(by)},
                                        {"args", std::move(args)},
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
    auto by_owned = std::make_shared<auth::actor>();
    ch.op = std::string(op->get_string());
    ch.conversation = conversation->to_number<std::uint64_t>();
    ch.at_ms = at->get_int64();
    by_owned->site = std::string(site->get_string());
    by_owned->id = std::string(id->get_string());
    by_owned->role = *role;
    if (auto const* name = who.if_contains("name"); name && name->is_string()) by_owned->name = std::string(name->get_string());
    if (auto const* departments = who.if_contains("departments"); departments && departments->is_array()) {
        by_owned->departments.emplace();
        for (auto const& d : departments->get_array())
            if (d.is_string()) by_owned->departments->emplace_back(d.get_string());
    }
    ch.by = std::move(by_owned);
    ch.args = args->as_object();
    ch.logged = true;
    if (!has_its_arguments(ch.op, ch.args)) return std::nullopt;
    if (ch.op == "part.create") {
        // The arguments the deciding node validated, in their typed form again.
        auto const* type = ch.args.if_contains("type");
        auto const* random_id = ch.args.if_contains("random_id");
        auto const* content = ch.args.if_contains("content");
        auto const parsed_type = type && type->is_string() ? protocol::part_type_from_string(type->get_string()) : std::nullopt;
        if (!parsed_type || !random_id || !random_id->is_string() || !content || !content->is_object()) return std::nullopt;
        ch.part = protocol::part_request{ch.conversation, *parsed_type, std::string(random_id->get_string()), content->get_object()};
        if (auto const* via = ch.args.if_contains("over_http"); via && via->is_bool()) ch.over_http = via->get_bool();
        ch.args.clear();
    }
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
