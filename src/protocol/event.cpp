#include <parley/clock.hpp>
#include <parley/protocol/event.hpp>

#include <boost/json.hpp>

namespace parley::protocol {

namespace json = boost::json;

json::object make_event(std::uint64_t id, std::uint64_t conversation, std::string_view type, std::string text,
                        std::optional<person> const& employee, std::optional<std::string> const& page,
                        std::int64_t created_ms) {
    json::value who = nullptr;
    if (employee)
        who = json::object{{"id", employee->id},
                           {"name", employee->name ? json::value(*employee->name) : json::value(nullptr)}};
    return json::object{
        {"id", id},
        {"conversation", conversation},
        {"event_type", type},
        {"event_text", std::move(text)},
        {"employee", std::move(who)},
        {"page", page ? json::value(*page) : json::value(nullptr)},
        {"created_at", iso8601(created_ms)},
    };
}

std::optional<std::string_view> reportable_event(std::string_view type) {
    static constexpr std::string_view reportable[] = {
        "vistor-navigate",      "file-upload",          "file-download",        "cobrowse-request",
        "cobrowse-accept",      "cobrowse-decline",     "cobrowse-start",       "cobrowse-stop",
        "visitor-call-request", "visitor-call-start",   "visitor-call-stop",    "visitor-call-decline",
    };
    if (type == "visitor-navigate") return reportable[0];
    for (auto t : reportable)
        if (t == type) return t;
    return std::nullopt;
}

} // namespace parley::protocol
