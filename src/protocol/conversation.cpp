#include <parley/clock.hpp>
#include <parley/protocol/conversation.hpp>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>

namespace parley::protocol {

namespace json = boost::json;

namespace {

json::value person_json(person const& p) {
    return json::object{{"id", p.id}, {"name", p.name ? json::value(*p.name) : json::value(nullptr)}};
}

json::value optional_person(std::optional<person> const& p) { return p ? person_json(*p) : json::value(nullptr); }

json::value time_or_null(std::optional<std::int64_t> ms) { return ms ? json::value(iso8601(*ms)) : json::value(nullptr); }

template <class T> json::value value_or_null(std::optional<T> const& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

std::optional<person> person_from(json::value const* v) {
    if (!v || !v->is_object()) return std::nullopt;
    auto const& o = v->get_object();
    auto const* id = o.if_contains("id");
    if (!id || !id->is_string()) return std::nullopt;
    person p{std::string(id->get_string()), std::nullopt};
    if (auto const* n = o.if_contains("name"); n && n->is_string()) p.name = std::string(n->get_string());
    return p;
}

std::optional<std::int64_t> int_or_null(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v || !v->is_int64()) return std::nullopt;
    return v->get_int64();
}

std::optional<std::string> string_or_null(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

std::uint64_t count(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (v && v->is_uint64()) return v->get_uint64();
    if (v && v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
    return 0;
}

} // namespace

json::object to_json(conversation const& c, audience who, std::int64_t now) {
    json::array employees;
    for (auto const& e : c.employees) employees.push_back(person_json(e));
    auto const end = c.ends_at.value_or(now);
    json::object o{
        {"id", c.id},
        {"site", c.site},
        {"visitor", person_json(c.visitor)},
        {"status", c.status},
        {"result", c.answered ? "success" : "failure"},
        {"department", value_or_null(c.department)},
        {"assignee", optional_person(c.assignee)},
        {"employees", std::move(employees)},
        {"message_count", c.message_count},
        {"chat_count", c.chat_count},
        {"call_count", c.call_count},
        {"lead_count", c.lead_count},
        {"duration", std::max<std::int64_t>(0, end - c.created_at) / 1000},
        {"created_at", iso8601(c.created_at)},
        {"updated_at", iso8601(c.updated_at)},
        {"assigned_at", time_or_null(c.assigned_at)},
        {"ends_at", time_or_null(c.ends_at)},
        {"first_msg_sent_at", time_or_null(c.first_msg_sent_at)},
        {"last_msg_sent_at", time_or_null(c.last_msg_sent_at)},
        {"queue_duration", c.assigned_at ? json::value((*c.assigned_at - c.created_at) / 1000) : json::value(nullptr)},
        {"average_response_time",
         c.response_count ? json::value(c.response_total_ms / static_cast<std::int64_t>(c.response_count) / 1000)
                          : json::value(nullptr)},
        {"longest_response_time", c.response_count ? json::value(c.response_longest_ms / 1000) : json::value(nullptr)},
        {"rating", value_or_null(c.rating)},
        {"search_engine", value_or_null(c.search_engine)},
        {"search_query", value_or_null(c.search_query)},
    };
    for (auto key : widget_keys) {
        auto const* v = c.widget.if_contains(key);
        o[key] = v ? *v : json::value(nullptr);
    }
    if (who == audience::staff) {
        json::array tags;
        for (auto const& t : c.tags) tags.emplace_back(t);
        o["tags"] = std::move(tags);
    }
    return o;
}

std::string to_stored(conversation const& c) {
    auto o = to_json(c, audience::staff, c.updated_at);
    // Exact times and bookkeeping: the wire form rounds and derives.
    o["_state"] = json::object{
        {"created_at", c.created_at},
        {"updated_at", c.updated_at},
        {"assigned_at", value_or_null(c.assigned_at)},
        {"ends_at", value_or_null(c.ends_at)},
        {"first_msg_sent_at", value_or_null(c.first_msg_sent_at)},
        {"last_msg_sent_at", value_or_null(c.last_msg_sent_at)},
        {"answered", c.answered},
        {"response_count", c.response_count},
        {"response_total_ms", c.response_total_ms},
        {"response_longest_ms", c.response_longest_ms},
        {"awaiting_reply_since", value_or_null(c.awaiting_reply_since)},
        {"last_part_id", c.last_part_id},
        {"last_visitor_part_id", c.last_visitor_part_id},
        {"visitor_read_up_to", c.visitor_read_up_to},
        {"operator_read_up_to", c.operator_read_up_to},
    };
    return json::serialize(o);
}

std::optional<conversation> from_stored(std::string_view text) {
    // The document only lives while its fields are copied out: one arena, mostly on the
    // stack, instead of an allocation per value (lists read 50 records a page).
    unsigned char buffer[4096];
    json::monotonic_resource arena(buffer, sizeof buffer);
    boost::system::error_code ec;
    auto doc = json::parse(text, ec, &arena);
    if (ec || !doc.is_object()) return std::nullopt;
    auto const& o = doc.get_object();
    auto const* state_v = o.if_contains("_state");
    auto visitor = person_from(o.if_contains("visitor"));
    if (!state_v || !state_v->is_object() || !visitor) return std::nullopt;
    auto const& s = state_v->get_object();

    conversation c;
    c.id = count(o, "id");
    c.site = string_or_null(o, "site").value_or("");
    c.visitor = std::move(*visitor);
    c.status = string_or_null(o, "status").value_or("queued");
    c.department = string_or_null(o, "department");
    c.assignee = person_from(o.if_contains("assignee"));
    if (auto const* e = o.if_contains("employees"); e && e->is_array())
        for (auto const& p : e->get_array())
            if (auto person = person_from(&p)) c.employees.push_back(std::move(*person));
    if (auto const* t = o.if_contains("tags"); t && t->is_array())
        for (auto const& tag : t->get_array())
            if (tag.is_string()) c.tags.emplace_back(tag.get_string());
    c.message_count = count(o, "message_count");
    c.chat_count = count(o, "chat_count");
    c.call_count = count(o, "call_count");
    c.lead_count = count(o, "lead_count");
    c.rating = int_or_null(o, "rating");
    for (auto key : widget_keys)
        if (auto const* v = o.if_contains(key); v && !v->is_null()) c.widget[key] = *v;
    c.search_engine = string_or_null(o, "search_engine");
    c.search_query = string_or_null(o, "search_query");

    c.created_at = int_or_null(s, "created_at").value_or(0);
    c.updated_at = int_or_null(s, "updated_at").value_or(c.created_at);
    c.assigned_at = int_or_null(s, "assigned_at");
    c.ends_at = int_or_null(s, "ends_at");
    c.first_msg_sent_at = int_or_null(s, "first_msg_sent_at");
    c.last_msg_sent_at = int_or_null(s, "last_msg_sent_at");
    if (auto const* a = s.if_contains("answered"); a && a->is_bool()) c.answered = a->get_bool();
    c.response_count = count(s, "response_count");
    c.response_total_ms = int_or_null(s, "response_total_ms").value_or(0);
    c.response_longest_ms = int_or_null(s, "response_longest_ms").value_or(0);
    c.awaiting_reply_since = int_or_null(s, "awaiting_reply_since");
    c.last_part_id = count(s, "last_part_id");
    c.last_visitor_part_id = count(s, "last_visitor_part_id");
    c.visitor_read_up_to = count(s, "visitor_read_up_to");
    c.operator_read_up_to = count(s, "operator_read_up_to");
    return c;
}

void derive_read(json::object& part, conversation const& c) {
    auto const* id_v = part.if_contains("id");
    auto const* from_v = part.if_contains("from");
    auto const* type = part.if_contains("type");
    if (!id_v || !id_v->is_number() || !from_v || !from_v->is_object() || !type) return;
    auto const id = id_v->to_number<std::uint64_t>();
    auto const* role = from_v->get_object().if_contains("role");
    std::string_view const type_text = type->is_string() ? std::string_view(type->get_string()) : std::string_view{};
    std::string_view const role_text = role && role->is_string() ? std::string_view(role->get_string()) : std::string_view{};
    part["read"] = read_by_peer(id, type_text, role_text, c);
}

bool read_by_peer(std::uint64_t id, std::string_view type, std::string_view role, conversation const& c) {
    if (type == "reply_user") return id <= c.operator_read_up_to;
    if (role == "operator" || role == "bot") return id <= c.visitor_read_up_to;
    return false;
}

std::optional<std::pair<std::string, std::string>> search_from_referer(std::string_view referer) {
    auto url = boost::urls::parse_uri(referer);
    if (!url) return std::nullopt;
    std::string host(url->host());
    std::transform(host.begin(), host.end(), host.begin(), [](unsigned char ch) { return std::tolower(ch); });
    struct engine {
        std::string_view name;
        std::string_view host_part;
        std::string_view param;
    };
    static constexpr engine engines[] = {
        {"google", "google.", "q"},   {"yandex", "yandex.", "text"}, {"bing", "bing.com", "q"},
        {"duckduckgo", "duckduckgo.com", "q"}, {"yahoo", "yahoo.", "p"},  {"baidu", "baidu.com", "wd"},
    };
    for (auto const& e : engines) {
        if (host.find(e.host_part) == std::string::npos) continue;
        auto params = url->params();
        auto it = params.find(e.param);
        if (it == params.end() || !(*it).has_value || (*it).value.empty()) return std::nullopt;
        return std::pair{std::string(e.name), std::string((*it).value)};
    }
    return std::nullopt;
}

} // namespace parley::protocol
