#include <parley/api/history.hpp>
#include <parley/api/transcript_export.hpp>
#include <parley/api/transcript_reader.hpp>
#include <parley/clock.hpp>
#include <parley/privacy/redact.hpp>

#include <boost/json.hpp>

namespace parley::api {

namespace json = boost::json;
using protocol::error_code;

namespace {

enum class format { json, ndjson, text };

/// Events of one conversation in one export: far more than any real conversation has.
constexpr std::size_t max_events = 100'000;

std::string_view string_or(json::object const& o, std::string_view key, std::string_view fallback) {
    auto const* v = o.if_contains(key);
    return v && v->is_string() ? std::string_view(v->get_string()) : fallback;
}

/// `[2026-11-21 07:27:14 UTC] Anna (visitor): Hello` for people reading the transcript.
void text_line(std::string& out, json::object const& part) {
    auto const* created = part.if_contains("created");
    std::int64_t const at = created && created->is_int64() ? created->get_int64() : 0;
    auto const iso = iso8601(at * 1000);
    out += '[';
    out.append(iso, 0, 10);
    out += ' ';
    out.append(iso, 11, 8);
    out += " UTC] ";
    json::object const empty;
    auto const* from_v = part.if_contains("from");
    auto const& from = from_v && from_v->is_object() ? from_v->get_object() : empty;
    out += string_or(from, "name", string_or(from, "id", "?"));
    out += " (";
    out += string_or(from, "role", "?");
    out += ")";
    auto const type = string_or(part, "type", "");
    if (type != "reply_user" && type != "reply_admin") {
        out += " [";
        out += type;
        out += ']';
    }
    auto const body = string_or(part, "body", "");
    if (!body.empty()) {
        out += ": ";
        out += body;
    }
    if (auto const* removed = part.if_contains("removed"); removed && !removed->is_null()) out += " (removed)";
    out += '\n';
}

} // namespace

transcript_export::transcript_export(store::rocks_store const& store, relay::hub& hub, reader_pool& readers)
    : store_(store), hub_(hub), readers_(readers) {}

void transcript_export::handle(call_ptr const& call, std::uint64_t id) const {
    if (auto bad = call->query.check({"format", "redact"})) return call->fail(error_code::bad_request, *bad);
    format f = format::json;
    if (auto name = call->query.get("format")) {
        if (*name == "json") f = format::json;
        else if (*name == "ndjson") f = format::ndjson;
        else if (*name == "text") f = format::text;
        else return call->fail(error_code::bad_request, "format: expected json, ndjson or text");
    }
    bool redact = false;
    if (auto r = call->query.get("redact")) {
        if (*r != "pii") return call->fail(error_code::bad_request, "redact: expected pii");
        redact = true;
    }
    readers_.post([this, call, id, f, redact] {
        auto c = hub_.conversation_for(call->who, id);
        if (!c) return fail_with(*call, c.error());
        bool const visitor = call->who.role == auth::role::visitor;
        transcript_reader reader(store_, *c, visitor);

        auto conversation = protocol::to_json(*c, visitor ? protocol::audience::visitor : protocol::audience::staff, now_ms());
        if (redact) privacy::redact_conversation(conversation);
        json::array events;
        if (!visitor) {
            auto read = reader.events(std::nullopt, max_events, {});
            if (!read) return call->fail(error_code::unavailable, "store unavailable");
            events = std::move(*read);
            if (redact)
                for (auto& e : events)
                    if (e.is_object()) privacy::redact_event(e.as_object());
        }

        std::string body;
        json::array parts;
        auto err = reader.each_part([&](json::object& part) {
            if (redact) privacy::redact_part(part);
            if (f == format::json) parts.push_back(std::move(part));
            else if (f == format::ndjson) body += json::serialize(json::object{{"part", std::move(part)}}) + "\n";
            else text_line(body, part);
        });
        if (err) return call->fail(error_code::unavailable, "store unavailable");

        std::string head;
        std::string_view type = json_content_type;
        if (f == format::json) {
            body = json::serialize(json::object{{"conversation", std::move(conversation)},
                                                {"events", std::move(events)},
                                                {"parts", std::move(parts)}});
        } else if (f == format::ndjson) {
            type = "application/x-ndjson";
            head = json::serialize(json::object{{"conversation", std::move(conversation)}}) + "\n";
            for (auto& e : events) head += json::serialize(json::object{{"event", std::move(e)}}) + "\n";
        } else {
            type = "text/plain; charset=utf-8";
            auto const& co = conversation;
            auto const* v = co.if_contains("visitor");
            head = "Conversation " + std::to_string(c->id) + " on " + c->site + ", " + c->status + "\n";
            if (v && v->is_object())
                head += "Visitor: " + std::string(string_or(v->get_object(), "name", string_or(v->get_object(), "id", "?"))) + "\n";
            head += "Started: " + iso8601(c->created_at) + "\n";
            for (auto const& e : events)
                if (e.is_object())
                    head += "Event " + std::string(string_or(e.get_object(), "created_at", "")) + " " +
                            std::string(string_or(e.get_object(), "event_type", "")) + "\n";
            head += "\n";
        }
        call->respond(make_response(call->req, 200, head + body, type));
    });
}

} // namespace parley::api
