#include <parley/protocol/fields.hpp>
#include <parley/protocol/part.hpp>

#include <boost/json.hpp>

namespace parley::protocol {

namespace json = boost::json;

namespace {

using result = expected<part_request, command_error>;

bool valid_attachment(json::value const& v) {
    if (!v.is_object()) return false;
    auto const& o = v.get_object();
    for (auto key : {"name", "url", "mime"}) {
        auto const* f = o.if_contains(key);
        if (!f || !f->is_string()) return false;
    }
    auto const* size = o.if_contains("size");
    return size && (size->is_uint64() || (size->is_int64() && size->get_int64() >= 0));
}

/// Copies the optional content fields into `out`, checking each one's shape.
std::optional<command_error> read_content(command const& cmd, json::object& out) {
    auto bad = [&](std::string what) { return error_for(cmd, error_code::bad_request, std::move(what)); };
    auto const& f = cmd.fields;

    auto const* body = f.if_contains("body");
    if (body && !body->is_null() && !body->is_string()) return bad("body must be a string");
    out["body"] = body && body->is_string() ? *body : json::value("");

    auto const* body_json = f.if_contains("body_json");
    if (body_json && !body_json->is_null() && !body_json->is_object()) return bad("body_json must be an object or null");
    out["body_json"] = body_json ? *body_json : json::value(nullptr);

    auto const* meta = f.if_contains("meta_data");
    if (meta && !meta->is_null() && !meta->is_object()) return bad("meta_data must be an object");
    out["meta_data"] = meta && meta->is_object() ? *meta : json::value(json::object{});

    auto const* reply_type = f.if_contains("reply_type");
    if (reply_type && !reply_type->is_null()) {
        auto const ok = reply_type->is_string() &&
                        (reply_type->get_string() == "text" || reply_type->get_string() == "email" ||
                         reply_type->get_string() == "phone" || reply_type->get_string() == "no");
        if (!ok) return bad("reply_type must be one of text, email, phone, no");
    }
    out["reply_type"] = reply_type && reply_type->is_string() ? *reply_type : json::value("text");

    auto const* actions = f.if_contains("actions");
    if (actions && !actions->is_null() && !actions->is_array()) return bad("actions must be an array or null");
    out["actions"] = actions ? *actions : json::value(nullptr);

    auto const* external_id = f.if_contains("external_id");
    if (external_id && !external_id->is_null() && !external_id->is_string()) return bad("external_id must be a string or null");
    out["external_id"] = external_id ? *external_id : json::value(nullptr);

    if (auto const* attachments = f.if_contains("attachments"); attachments && !attachments->is_null()) {
        if (!attachments->is_array()) return bad("attachments must be an array");
        for (auto const& a : attachments->get_array())
            if (!valid_attachment(a)) return bad("each attachment needs name, url, mime (strings) and size (integer)");
        if (!attachments->get_array().empty()) out["attachments"] = *attachments;
    }
    return std::nullopt;
}

} // namespace

result parse_part_create(command const& cmd, auth::role role, config::limits const& limits) {
    part_request req;
    auto conversation = require_id(cmd, "conversation");
    if (!conversation) return unexpected{conversation.error()};
    req.conversation = *conversation;

    auto const* type = cmd.fields.if_contains("type");
    if (!type || !type->is_string()) return unexpected{error_for(cmd, error_code::bad_request, "type is required")};
    auto const parsed_type = part_type_from_string(type->get_string());
    if (!parsed_type) return unexpected{error_for(cmd, error_code::bad_request, "type: unknown part type")};
    req.type = *parsed_type;

    auto random_id = require_random_id(cmd);
    if (!random_id) return unexpected{random_id.error()};
    req.random_id = std::move(*random_id);

    if (!client_may_create(role, req.type)) {
        auto err = error_for(cmd, error_code::forbidden, "this role may not create this part type");
        err.random_id = req.random_id;
        return unexpected{std::move(err)};
    }
    if (auto err = read_content(cmd, req.content)) {
        err->random_id = req.random_id;
        return unexpected{std::move(*err)};
    }
    if (code_points(req.content.at("body").get_string()) > limits.max_body_chars) {
        auto err = error_for(cmd, error_code::too_large, "body is longer than limits.max_body_chars");
        err.random_id = req.random_id;
        return unexpected{std::move(err)};
    }
    if (req.type == part_type::vote) {
        auto const* rating = req.content.at("meta_data").get_object().if_contains("rating");
        auto const r = rating && rating->is_int64() ? rating->get_int64() : rating && rating->is_uint64() ? 99 : 0;
        if (r < 1 || r > 5) {
            auto err = error_for(cmd, error_code::bad_request, "meta_data: a vote needs meta_data.rating 1..5");
            err.random_id = req.random_id;
            return unexpected{std::move(err)};
        }
    }
    return req;
}

std::string_view sent_via_websocket(auth::role role) {
    switch (role) {
    case auth::role::visitor: return "web_user";
    case auth::role::operator_: return "web_panel";
    case auth::role::bot: return "message_chat_bot";
    }
    return "web_user";
}

json::object from_of(auth::actor const& who) {
    return json::object{{"role", auth::to_string(who.role)},
                        {"id", who.id},
                        {"name", who.name ? json::value(*who.name) : json::value(nullptr)}};
}

json::object make_part(std::uint64_t id, std::uint64_t conversation, std::int64_t created_unix, part_type type,
                       json::object content, auth::actor const& author, std::string_view sent_via, bool first) {
    json::object p{
        {"id", id},
        {"conversation", conversation},
        {"created", created_unix},
        {"edited", nullptr},
        {"removed", nullptr},
        {"type", to_string(type)},
        {"direction", author.role == auth::role::visitor ? "u2a" : "a2u"},
        {"from", from_of(author)},
        {"sent_via", sent_via},
    };
    for (auto& kv : content) p[kv.key()] = std::move(kv.value());
    for (auto key : {"body", "meta_data", "reply_type", "body_json", "actions", "external_id"})
        if (!p.contains(key)) p[key] = std::string_view(key) == "body"        ? json::value("")
                                       : std::string_view(key) == "meta_data"  ? json::value(json::object{})
                                       : std::string_view(key) == "reply_type" ? json::value("text")
                                                                               : json::value(nullptr);
    p["read"] = false;
    if (first) p["first"] = true;
    return p;
}

} // namespace parley::protocol
