#include <parley/api/history.hpp>
#include <parley/clock.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/protocol/fields.hpp>
#include <parley/protocol/part_type.hpp>
#include <parley/store/keyspace.hpp>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>

namespace parley::api {

namespace json = boost::json;
namespace http = boost::beast::http;
using protocol::error_code;

namespace {

/// Most parts or events one request returns (SPEC §5.4).
constexpr std::uint64_t max_limit = 500;

std::optional<std::uint64_t> parse_id(std::string_view text) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v == 0 || v > protocol::max_id) return std::nullopt;
    return v;
}

/// First block of a page's JSON arena: a default page (50 parts) fits, larger ones grow.
constexpr std::size_t page_arena_bytes = 64 * 1024;

http_response from_error(http_request const& req, protocol::command_error const& e) {
    return json_error(req, e.code, e.message);
}

http_response json_ok(http_request const& req, json::value const& body) {
    return make_response(req, 200, json::serialize(body), json_content_type);
}

struct query {
    std::optional<std::uint64_t> after, before;
    std::uint64_t limit = 50;
};

/// Parses `after`, `before`, `limit`. @return nullopt and sets `problem` when invalid.
std::optional<query> read_query(http_request const& req, std::string& problem) {
    query q;
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url) return std::nullopt;
    for (auto const& p : url->params()) {
        auto const value = std::string_view(p.value);
        std::uint64_t n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        bool const number = ec == std::errc{} && end == value.data() + value.size();
        if (p.key == "after" || p.key == "before") {
            if (!number) {
                problem = std::string(p.key) + " must be a part id";
                return std::nullopt;
            }
            (p.key == "after" ? q.after : q.before) = n;
        } else if (p.key == "limit") {
            if (!number || n < 1 || n > max_limit) {
                problem = "limit must be 1..500";
                return std::nullopt;
            }
            q.limit = n;
        }
    }
    return q;
}

} // namespace

history::history(store::rocks_store const& store, relay::hub& hub, auth::token_verifier const& tokens)
    : store_(store), hub_(hub), tokens_(tokens) {}

std::optional<http_response> history::handle(http_request const& req, std::string_view rest) const {
    auto const slash = rest.find('/');
    auto const id_text = rest.substr(0, slash);
    auto const tail = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    if (tail != "" && tail != "/parts" && tail != "/events") return std::nullopt;
    auto const id = parse_id(id_text);
    if (!id) return json_error(req, error_code::not_found, "no such conversation");
    if (req.method() != http::verb::get && req.method() != http::verb::head) return method_not_allowed(req, "GET, HEAD");

    auto who = tokens_.verify(auth::bearer_token(req[http::field::authorization]), now_unix());
    if (!who) {
        auto res = json_error(req, error_code::unauthorized, auth::describe(who.error()));
        res.set(http::field::www_authenticate, "Bearer");
        return res;
    }
    if (tail == "/parts") return parts(req, *who, *id);
    if (tail == "/events") return events(req, *who, *id);
    return conversation(req, *who, *id);
}

http_response history::conversation(http_request const& req, auth::actor const& who, std::uint64_t id) const {
    auto c = hub_.conversation_for(who, id);
    if (!c) return from_error(req, c.error());
    auto const audience = who.role == auth::role::visitor ? protocol::audience::visitor : protocol::audience::staff;
    return json_ok(req, protocol::to_json(*c, audience, now_ms()));
}

http_response history::parts(http_request const& req, auth::actor const& who, std::uint64_t id) const {
    std::string problem;
    auto q = read_query(req, problem);
    if (!q) return json_error(req, error_code::bad_request, problem.empty() ? "malformed query" : problem);
    auto c = hub_.conversation_for(who, id);
    if (!c) return from_error(req, c.error());
    bool const visitor = who.role == auth::role::visitor;

    // With only `before`, or neither, the newest parts are wanted: scan backwards.
    store::rocks_store::range range{store::key::conversation_prefix(id), {}, {}, q->limit, !q->after};
    if (q->after) range.after = store::key::part(id, *q->after);
    if (q->before) range.before = store::key::part(id, *q->before);

    // One request's JSON lives in one arena and goes at once: per-value heap
    // allocations, not the parsing itself, were most of a page's cost.
    json::monotonic_resource arena(page_arena_bytes);
    json::array found(&arena);
    // A visitor's page skips notes and tags; keep reading until it is full.
    while (found.size() < q->limit) {
        auto page = store_.scan(store::family::parts, range);
        if (!page) return json_error(req, error_code::unavailable, "store unavailable");
        json::array batch(&arena);
        for (auto const& r : *page) {
            boost::system::error_code ec;
            auto part = json::parse(r.value, ec, &arena);
            if (ec || !part.is_object()) continue;
            auto const type = protocol::type_of(part.as_object());
            if (visitor && (!type || !protocol::visible_to_visitor(*type))) continue;
            protocol::derive_read(part.as_object(), *c);
            batch.push_back(std::move(part));
        }
        auto const exhausted = page->size() < range.limit;
        auto const excess = [&] { return static_cast<std::ptrdiff_t>(found.size() - std::min<std::size_t>(found.size(), q->limit)); };
        if (range.from_end) {
            if (!page->empty()) range.before = page->front().key;
            found.insert(found.begin(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
            found.erase(found.begin(), found.begin() + excess());
        } else {
            if (!page->empty()) range.after = page->back().key;
            found.insert(found.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
            found.erase(found.end() - excess(), found.end());
        }
        if (exhausted) break;
    }
    return json_ok(req, found);
}

http_response history::events(http_request const& req, auth::actor const& who, std::uint64_t id) const {
    std::string problem;
    auto q = read_query(req, problem);
    if (!q) return json_error(req, error_code::bad_request, problem.empty() ? "malformed query" : problem);
    auto c = hub_.conversation_for(who, id);
    if (!c) return from_error(req, c.error());
    // Live, events go to operators and bots only; the history keeps that rule.
    if (who.role == auth::role::visitor) return json_error(req, error_code::forbidden, "events are for operators and bots");
    store::rocks_store::range range{store::key::conversation_prefix(id), {}, {}, q->limit, false};
    if (q->after) range.after = store::key::event(id, *q->after);
    auto page = store_.scan(store::family::events, range);
    if (!page) return json_error(req, error_code::unavailable, "store unavailable");
    json::monotonic_resource arena(page_arena_bytes);
    json::array out(&arena);
    for (auto const& r : *page) {
        boost::system::error_code ec;
        auto event = json::parse(r.value, ec, &arena);
        if (!ec) out.push_back(std::move(event));
    }
    return json_ok(req, out);
}

} // namespace parley::api
