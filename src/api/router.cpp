#include <parley/api/router.hpp>

#include <boost/url/parse.hpp>

namespace parley::api {

namespace http = boost::beast::http;
using protocol::error_code;

namespace {

bool is_read_method(http_request const& req) {
    return req.method() == http::verb::get || req.method() == http::verb::head;
}

/// HEAD gets GET's headers (Content-Length included) and no body.
http_response finish(http_request const& req, http_response res) {
    if (req.method() == http::verb::head) {
        res.prepare_payload();
        auto const length = res[http::field::content_length];
        std::string const keep(length);
        res.body().clear();
        res.set(http::field::content_length, keep);
    }
    return res;
}

} // namespace

router::router(telemetry::metrics const& metrics, static_files const& web, std::atomic<bool> const& ready,
               history const* history)
    : metrics_(metrics), web_(web), ready_(ready), history_(history) {}

http_response router::handle(http_request const& req) const {
    // Every answer to HEAD, errors included, goes without its body: a body there would be
    // read by the client as the start of the next response on the connection.
    auto const answer = [&]() -> http_response {
        auto const parsed = boost::urls::parse_origin_form(req.target());
        if (!parsed) return json_error(req, error_code::bad_request, "malformed request target");
        std::string const path = parsed->path();

        if (path == "/healthz" || path == "/readyz" || path == "/metrics") return service(req, path);
        if (path == "/v1/ws") {
            if (req.method() != http::verb::get) return method_not_allowed(req, "GET");
            return json_error(req, error_code::bad_request, "this endpoint expects a WebSocket upgrade");
        }
        constexpr std::string_view conversations = "/v1/conversations/";
        if (history_ && path.starts_with(conversations))
            if (auto res = history_->handle(req, std::string_view(path).substr(conversations.size()))) return *res;
        if (path == "/v1" || path.starts_with("/v1/"))
            return json_error(req, error_code::not_found, "no such endpoint");
        return web(req);
    };
    return finish(req, answer());
}

http_response router::service(http_request const& req, std::string_view path) const {
    if (!is_read_method(req)) return method_not_allowed(req, "GET, HEAD");
    if (path == "/healthz") return make_response(req, 200, R"({"status":"ok"})", json_content_type);
    if (path == "/readyz") {
        if (ready_.load(std::memory_order_acquire))
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
    auto res = make_response(req, 200, std::move(file->body), file->content_type);
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Content-Type-Options", "nosniff");
    return res;
}

} // namespace parley::api
