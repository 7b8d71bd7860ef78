#include <parley/telemetry/metrics.hpp>
#include <parley/version.hpp>

namespace parley::telemetry {
namespace {

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

template <class N> void sample(std::string& out, std::string_view name, std::string_view labels, N value) {
    out.append(name);
    if (!labels.empty()) out.append("{").append(labels).append("}");
    out.append(" ").append(std::to_string(value)).append("\n");
}

} // namespace

void metrics::http_response(unsigned status) {
    if (status < first_status || status >= first_status + status_slots) return;
    http_responses_[status - first_status].fetch_add(1, relaxed);
}

std::string metrics::render_prometheus() const {
    std::string out;
    out.reserve(2048);

    header(out, "parley_build_info", "gauge", "Build information; the value is always 1.");
    sample(out, "parley_build_info", "version=\"" + std::string(version) + "\"", 1);

    header(out, "parley_connections", "gauge", "Open WebSocket connections by role.");
    for (auto r : {auth::role::visitor, auth::role::operator_, auth::role::bot})
        sample(out, "parley_connections", "role=\"" + std::string(auth::to_string(r)) + "\"",
               connections(r));

    header(out, "parley_http_requests_total", "counter", "HTTP responses sent, by status code.");
    for (unsigned i = 0; i < status_slots; ++i) {
        auto const n = http_responses_[i].load(relaxed);
        if (n) sample(out, "parley_http_requests_total", "status=\"" + std::to_string(i + first_status) + "\"", n);
    }

    header(out, "parley_errors_total", "counter", "WebSocket error frames sent, by code.");
    for (std::size_t i = 0; i < protocol::error_code_count; ++i) {
        auto const code = protocol::to_string(static_cast<protocol::error_code>(i));
        sample(out, "parley_errors_total", "code=\"" + std::string(code) + "\"", errors_[i].load(relaxed));
    }

    header(out, "parley_messages_sent_total", "counter", "WebSocket frames written to clients.");
    sample(out, "parley_messages_sent_total", "", messages_sent_.load(relaxed));

    header(out, "parley_slow_consumer_closes_total", "counter",
           "Connections closed because their outbound queue passed limits.max_queue_bytes.");
    sample(out, "parley_slow_consumer_closes_total", "", slow_consumer_closes_.load(relaxed));

    header(out, "parley_connection_limit_closes_total", "counter",
           "Connections closed because the actor had limits.connections_per_actor open.");
    sample(out, "parley_connection_limit_closes_total", "", over_limit_closes_.load(relaxed));
    return out;
}

} // namespace parley::telemetry
