#include <parley/api/anonymous_visitors.hpp>
#include <parley/api/dev_tokens.hpp>
#include <parley/api/router.hpp>
#include <parley/clock.hpp>

#include <cstdio>

#include "v1_routes.hpp"

namespace parley::api {

namespace http = boost::beast::http;
using protocol::error_code;

namespace {

bool is_read_method(http_request const& req) {
    return req.method() == http::verb::get || req.method() == http::verb::head;
}

/// HEAD gets GET's headers (Content-Length included) and no body.
http_response finish(http::verb method, http_response res) {
    if (method == http::verb::head) {
        res.prepare_payload();
        auto const length = res[http::field::content_length];
        std::string const keep(length);
        res.body().clear();
        res.set(http::field::content_length, keep);
    }
    return res;
}

/// The operator panel holds a token that reads every conversation of the site: it runs
/// only its own scripts and styles and talks only to this server.
constexpr std::string_view operator_panel_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A strong entity tag of a file's bytes (FNV-1a, 64 bits).
std::string entity_tag(std::string_view body) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : body) h = (h ^ c) * 0x100000001b3ull;
    char out[20];
    std::snprintf(out, sizeof out, "\"%016llx\"", static_cast<unsigned long long>(h));
    return out;
}

http_response unauthorized(http_request const& req, std::string_view why) {
    auto res = json_error(req, error_code::unauthorized, why);
    res.set(http::field::www_authenticate, "Bearer");
    return res;
}

} // namespace

router::router(telemetry::metrics const& metrics, static_files const& web, std::function<bool()> ready,
               v1_endpoints const* v1)
    : metrics_(metrics), web_(web), ready_(std::move(ready)), v1_(v1) {}

void router::handle(http_request req, responder done, std::string_view peer) const {
    // Every answer to HEAD, errors included, goes without its body: a body there would be
    // read by the client as the start of the next response on the connection.
    auto const method = req.method();
    auto answer = [method, done](http_response res) { done(finish(method, std::move(res))); };
    auto const target = split_target(req.target());
    if (!target) return answer(json_error(req, error_code::bad_request, "malformed request target"));
    auto const& [path, query] = *target;

    if (path == "/healthz" || path == "/readyz" || path == "/metrics") return answer(service(req, path));
    if (path == "/v1/ws") {
        if (req.method() != http::verb::get) return answer(method_not_allowed(req, "GET"));
        return answer(json_error(req, error_code::bad_request, "this endpoint expects a WebSocket upgrade"));
    }
    if (path == "/v1" || path.starts_with("/v1/")) {
        if (!v1_) return answer(json_error(req, error_code::not_found, "no such endpoint"));
        if (auto res = api(std::move(req), path, query, peer, answer)) answer(std::move(*res));
        return;
    }
    answer(web(req));
}

std::optional<http_response> router::api(http_request&& req, std::string path, std::string_view query,
                                         std::string_view peer, responder const& done) const {
    if (req.method() == http::verb::options) return v1_->cors.preflight(req);
    if (path == "/v1/openapi.json") {
        if (!is_read_method(req)) return method_not_allowed(req, "GET, HEAD");
        auto file = web_.read("/web/openapi.json");
        if (!file) return json_error(req, error_code::not_found, "the API document is not installed");
        auto res = make_response(req, 200, std::move(file->body), json_content_type);
        v1_->cors.decorate_any(req, res);
        return res;
    }

    // The two ways to get a token need none (SPEC §1, §5.9).
    if (auto res = v1_->anonymous.handle(req, path, peer)) return res;
    if (path == "/v1/dev/token" && v1_->dev) {
        auto res = v1_->dev->handle(req);
        v1_->cors.decorate_any(req, res);
        return res;
    }

    // The token first: whatever the path, a refused token learns nothing about it.
    auto who = v1_->tokens.verify(auth::bearer_token(req[http::field::authorization]), now_unix());
    if (!who) {
        auto res = unauthorized(req, auth::describe(who.error()));
        v1_->cors.decorate_any(req, res);
        return res;
    }
    auto params = query_params::parse(query);
    auto call = std::make_shared<api_call>();
    call->who = std::move(*who);
    call->path = std::move(path);
    // The call owns its responder, so the responder borrows the call: it is only ever
    // called through a live call.
    call->respond = [cors = &v1_->cors, raw = call.get(), done](http_response res) {
        cors->decorate(raw->req, raw->who.site, res);
        done(std::move(res));
    };
    call->req = std::move(req);
    if (!params) {
        call->fail(error_code::bad_request, params.error());
        return std::nullopt;
    }
    call->query = std::move(*params);
    route(call, *v1_);
    return std::nullopt;
}

http_response router::service(http_request const& req, std::string_view path) const {
    if (!is_read_method(req)) return method_not_allowed(req, "GET, HEAD");
    if (path == "/healthz") return make_response(req, 200, R"({"status":"ok"})", json_content_type);
    if (path == "/readyz") {
        if (ready_())
            return make_response(req, 200, R"({"status":"ready"})", json_content_type);
        return json_error(req, error_code::unavailable, "not ready");
    }
    return make_response(req, 200, metrics_.render_prometheus(),
                         "text/plain; version=0.0.4; charset=utf-8");
}

http_response router::web(http_request const& req) const {
    auto file = web_.read(req.target());
    if (!file) return json_error(req, error_code::not_found, "not found");
    if (!is_read_method(req)) return method_not_allowed(req, "GET, HEAD");
    // Browsers keep the files and ask again each time (no-cache): an unchanged file
    // costs a 304 without its body.
    auto const tag = entity_tag(file->body);
    bool const unchanged = req[http::field::if_none_match] == tag;
    auto res = make_response(req, unchanged ? 304 : 200, unchanged ? std::string{} : std::move(file->body),
                             file->content_type);
    res.set(http::field::etag, tag);
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Content-Type-Options", "nosniff");
    if (file->content_type.starts_with("text/html") && split_target(req.target())->first.starts_with("/web/operator/"))
        res.set("Content-Security-Policy", operator_panel_policy);
    return res;
}

} // namespace parley::api
