#include <parley/telemetry/metrics.hpp>
#include <parley/version.hpp>

#include <cstdio>

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

void metrics::commit_batch(std::size_t changes, std::chrono::steady_clock::duration elapsed, bool ok) {
    auto const us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
    std::size_t bucket = 0;
    while (bucket < commit_bounds_us.size() && us > commit_bounds_us[bucket]) ++bucket;
    commit_buckets_[bucket].fetch_add(1, relaxed);
    commit_count_.fetch_add(1, relaxed);
    commit_sum_us_.fetch_add(us, relaxed);
    commit_changes_.fetch_add(changes, relaxed);
    if (!ok) commit_failures_.fetch_add(1, relaxed);
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

    header(out, "parley_parts_written_total", "counter", "Parts committed to the store.");
    sample(out, "parley_parts_written_total", "", parts_written_.load(relaxed));
    header(out, "parley_events_written_total", "counter", "Conversation events committed to the store.");
    sample(out, "parley_events_written_total", "", events_written_.load(relaxed));
    for (auto const& source : sampled_) {
        header(out, source.name, source.type, source.help);
        sample(out, source.name, "", source.read());
    }
    header(out, "parley_commit_changes_total", "counter", "Changes committed; divided by batches it is the group size.");
    sample(out, "parley_commit_changes_total", "", commit_changes_.load(relaxed));
    header(out, "parley_commit_failures_total", "counter", "Commit batches the store refused.");
    sample(out, "parley_commit_failures_total", "", commit_failures_.load(relaxed));

    header(out, "parley_commit_seconds", "histogram", "Time to write one commit batch (WAL, fsync with storage.sync).");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < commit_bounds_us.size(); ++i) {
        cumulative += commit_buckets_[i].load(relaxed);
        char le[32];
        std::snprintf(le, sizeof le, "le=\"%g\"", static_cast<double>(commit_bounds_us[i]) / 1e6);
        sample(out, "parley_commit_seconds_bucket", le, cumulative);
    }
    cumulative += commit_buckets_.back().load(relaxed);
    sample(out, "parley_commit_seconds_bucket", "le=\"+Inf\"", cumulative);
    out.append("parley_commit_seconds_sum ").append(std::to_string(static_cast<double>(commit_sum_us_.load(relaxed)) / 1e6)).append("\n");
    sample(out, "parley_commit_seconds_count", "", commit_count_.load(relaxed));
    return out;
}

} // namespace parley::telemetry
