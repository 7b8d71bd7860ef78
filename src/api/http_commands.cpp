#include <parley/api/http_commands.hpp>
#include <parley/api/reply_catcher.hpp>

#include <boost/json.hpp>

namespace parley::api {

namespace json = boost::json;
using protocol::error_code;

namespace {

/// The request body as a command's fields. @return them, or a 400 message.
expected<json::object, std::string> body_fields(api_call const& call) {
    boost::system::error_code ec;
    auto v = json::parse(call.req.body(), ec);
    if (ec) return unexpected{std::string("body: expected a JSON object (") + ec.message() + ")"};
    if (!v.is_object()) return unexpected{std::string("body: expected a JSON object")};
    auto fields = std::move(v.as_object());
    // The op and ref belong to WebSocket frames; over HTTP the path names the op.
    for (auto key : {"op", "ref"})
        if (fields.contains(key)) return unexpected{std::string(key) + ": not a field of this request"};
    return fields;
}

/// The hub's reply frame as the HTTP answer: an error frame becomes its status, a reply
/// its `payload` object, 201 when new and 200 when it repeats an earlier create.
http_response from_frame(http_request const& req, std::string const& frame, std::string_view payload) {
    boost::system::error_code ec;
    auto v = json::parse(frame, ec);
    if (ec || !v.is_object()) return json_error(req, error_code::internal, "unreadable reply");
    auto const& o = v.as_object();
    if (o.at("op") == "error") {
        auto const code = protocol::error_code_from_string(o.at("code").as_string()).value_or(error_code::internal);
        return json_error(req, code, o.at("message").as_string());
    }
    auto const* body = o.if_contains(payload);
    if (!body) return json_error(req, error_code::internal, "unexpected reply");
    auto const* duplicate = o.if_contains("duplicate");
    bool const repeat = duplicate && duplicate->is_bool() && duplicate->get_bool();
    return make_response(req, repeat ? 200 : 201, json::serialize(*body), json_content_type);
}

} // namespace

http_commands::http_commands(relay::hub& hub, reader_pool& readers) : hub_(hub), readers_(readers) {}

void http_commands::start(call_ptr const& call) const {
    if (auto bad = call->query.check({})) return call->fail(error_code::bad_request, *bad);
    auto fields = body_fields(*call);
    if (!fields) return call->fail(error_code::bad_request, fields.error());
    send(call, protocol::command{"conversation.start", std::nullopt, std::move(*fields)}, "conversation");
}

void http_commands::create_part(call_ptr const& call, std::uint64_t conversation) const {
    if (auto bad = call->query.check({})) return call->fail(error_code::bad_request, *bad);
    auto fields = body_fields(*call);
    if (!fields) return call->fail(error_code::bad_request, fields.error());
    if (fields->contains("conversation")) return call->fail(error_code::bad_request, "conversation: given by the path");
    (*fields)["conversation"] = conversation;
    send(call, protocol::command{"part.create", std::nullopt, std::move(*fields)}, "part");
}

void http_commands::send(call_ptr const& call, protocol::command cmd, std::string_view payload) const {
    readers_.post([this, call, cmd = std::move(cmd), payload] {
        auto catcher = std::make_shared<reply_catcher>(hub_, [call, payload](std::shared_ptr<std::string const> const& f) {
            call->respond(from_frame(call->req, *f, payload));
        });
        hub_.handle(relay::client{call->who, catcher, true}, cmd);
    });
}

} // namespace parley::api
