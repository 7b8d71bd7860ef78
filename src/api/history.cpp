#include <parley/api/history.hpp>
#include <parley/api/transcript_reader.hpp>
#include <parley/clock.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/protocol/fields.hpp>

#include <boost/json.hpp>

namespace parley::api {

namespace json = boost::json;
using protocol::error_code;

namespace {

/// Most parts or events one request returns (SPEC §5.4), and the default.
constexpr std::uint64_t max_limit = 500;
constexpr std::uint64_t default_limit = 50;
/// Parts embedded by `include=parts` (SPEC §5.2).
constexpr std::size_t included_parts = 50;

/// First block of a page's JSON arena: a default page (50 parts) fits, larger ones grow.
/// One request's JSON lives in one arena and goes at once: per-value heap allocations,
/// not the parsing itself, were most of a page's cost.
constexpr std::size_t page_arena_bytes = 64 * 1024;

void answer_json(api_call const& call, json::value const& body) {
    call.respond(make_response(call.req, 200, json::serialize(body), json_content_type));
}

void store_failed(api_call const& call) { call.fail(error_code::unavailable, "store unavailable"); }

bool is_visitor(api_call const& call) { return call.who.role == auth::role::visitor; }

} // namespace

void fail_with(api_call const& call, protocol::command_error const& e) { call.fail(e.code, e.message); }

history::history(store::rocks_store const& store, relay::hub& hub, reader_pool& readers)
    : store_(store), hub_(hub), readers_(readers) {}

void history::conversation(call_ptr const& call, std::uint64_t id) const {
    if (auto bad = call->query.check({"include"})) return call->fail(error_code::bad_request, *bad);
    bool with_events = false, with_parts = false;
    if (auto include = call->query.get("include")) {
        std::string_view rest = *include;
        while (!rest.empty()) {
            auto const comma = rest.find(',');
            auto const item = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            if (item == "events") with_events = true;
            else if (item == "parts") with_parts = true;
            else return call->fail(error_code::bad_request, "include: expected events, parts or both, comma-separated");
        }
    }
    if (with_events && is_visitor(*call))
        return call->fail(error_code::forbidden, "include: events are for operators and bots");
    readers_.post([this, call, id, with_events, with_parts] {
        auto c = hub_.conversation_for(call->who, id);
        if (!c) return fail_with(*call, c.error());
        auto const audience = is_visitor(*call) ? protocol::audience::visitor : protocol::audience::staff;
        json::monotonic_resource arena(page_arena_bytes);
        json::object out(protocol::to_json(*c, audience, now_ms()), &arena);
        transcript_reader reader(store_, *c, is_visitor(*call));
        if (with_events) {
            auto events = reader.events(std::nullopt, max_limit, &arena);
            if (!events) return store_failed(*call);
            out["events"] = std::move(*events);
        }
        if (with_parts) {
            auto parts = reader.parts({std::nullopt, std::nullopt, included_parts}, &arena);
            if (!parts) return store_failed(*call);
            out["parts"] = std::move(*parts);
        }
        answer_json(*call, out);
    });
}

void history::parts(call_ptr const& call, std::uint64_t id) const {
    if (auto bad = call->query.check({"after", "before", "limit"})) return call->fail(error_code::bad_request, *bad);
    auto after = integer_param(call->query, "after", 0, protocol::max_id);
    auto before = integer_param(call->query, "before", 1, protocol::max_id);
    auto limit = integer_param(call->query, "limit", 1, max_limit);
    for (auto const* e : {&after, &before, &limit})
        if (!*e) return call->fail(error_code::bad_request, e->error());
    part_window w{*after, *before, static_cast<std::size_t>(limit->value_or(default_limit))};
    readers_.post([this, call, id, w] {
        auto c = hub_.conversation_for(call->who, id);
        if (!c) return fail_with(*call, c.error());
        auto parts = transcript_reader(store_, *c, is_visitor(*call)).parts_text(w);
        if (!parts) return store_failed(*call);
        call->respond(make_response(call->req, 200, std::move(*parts), json_content_type));
    });
}

void history::events(call_ptr const& call, std::uint64_t id) const {
    if (auto bad = call->query.check({"after", "limit"})) return call->fail(error_code::bad_request, *bad);
    auto after = integer_param(call->query, "after", 0, protocol::max_id);
    auto limit = integer_param(call->query, "limit", 1, max_limit);
    for (auto const* e : {&after, &limit})
        if (!*e) return call->fail(error_code::bad_request, e->error());
    readers_.post([this, call, id, after = *after, limit = limit->value_or(default_limit)] {
        auto c = hub_.conversation_for(call->who, id);
        if (!c) return fail_with(*call, c.error());
        // Live, events go to operators and bots only; the history keeps that rule.
        if (is_visitor(*call)) return call->fail(error_code::forbidden, "events are for operators and bots");
        json::monotonic_resource arena(page_arena_bytes);
        auto events = transcript_reader(store_, *c, false).events(after, limit, &arena);
        if (!events) return store_failed(*call);
        answer_json(*call, *events);
    });
}

} // namespace parley::api
