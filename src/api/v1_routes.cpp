#include <parley/api/conversation_list.hpp>
#include <parley/api/history.hpp>
#include <parley/api/http_commands.hpp>
#include <parley/api/transcript_export.hpp>
#include <parley/api/visitor_erase.hpp>
#include <parley/protocol/fields.hpp>

#include "v1_routes.hpp"

#include <charconv>

namespace parley::api {

namespace http = boost::beast::http;
using protocol::error_code;

std::optional<std::uint64_t> parse_id(std::string_view text) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v == 0 || v > protocol::max_id) return std::nullopt;
    return v;
}

namespace {

bool reading(http::verb v) { return v == http::verb::get || v == http::verb::head; }

void not_allowed(call_ptr const& call, std::string_view allow) { call->respond(method_not_allowed(call->req, allow)); }

/// `/v1/conversations/{id}[/tail]`.
void conversation_paths(call_ptr const& call, v1_endpoints const& v1, std::string_view rest) {
    auto const slash = rest.find('/');
    auto const id_text = rest.substr(0, slash);
    auto const tail = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    if (tail != "" && tail != "/parts" && tail != "/events" && tail != "/export")
        return call->fail(error_code::not_found, "no such endpoint");
    auto const id = parse_id(id_text);
    if (!id) return call->fail(error_code::bad_request, "id: expected a conversation id (an integer 1..2^53-1)");
    auto const method = call->req.method();
    if (tail == "/parts") {
        if (method == http::verb::post) return v1.commands.create_part(call, *id);
        if (reading(method)) return v1.history.parts(call, *id);
        return not_allowed(call, "GET, HEAD, POST");
    }
    if (!reading(method)) return not_allowed(call, "GET, HEAD");
    if (tail == "/events") return v1.history.events(call, *id);
    if (tail == "/export") return v1.exports.handle(call, *id);
    return v1.history.conversation(call, *id);
}

} // namespace

void route(call_ptr const& call, v1_endpoints const& v1) {
    constexpr std::string_view conversations = "/v1/conversations";
    constexpr std::string_view visitors = "/v1/visitors/";
    std::string_view const path = call->path;
    auto const method = call->req.method();
    if (path == conversations || path == "/v1/conversations/") {
        if (method == http::verb::post) return v1.commands.start(call);
        if (reading(method)) return v1.list.handle(call);
        return not_allowed(call, "GET, HEAD, POST");
    }
    if (path.starts_with(conversations) && path[conversations.size()] == '/')
        return conversation_paths(call, v1, path.substr(conversations.size() + 1));
    if (path.starts_with(visitors) && path.size() > visitors.size() && path.find('/', visitors.size()) == path.npos) {
        if (method != http::verb::delete_) return not_allowed(call, "DELETE");
        return v1.erase.handle(call, path.substr(visitors.size()));
    }
    call->fail(error_code::not_found, "no such endpoint");
}

} // namespace parley::api
