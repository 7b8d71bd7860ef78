// The `history` scenario (BENCH.md): a store filled through the server with
// conversations × parts, then HTTP `GET /v1/conversations/{id}/parts?limit=N` on random
// conversations over keep-alive connections, closed loop. Every response must be a 200
// holding exactly the newest `limit` parts of that conversation, in id order.

#include "frame_scan.hpp"
#include "history_fill.hpp"
#include "http_client.hpp"
#include "http_closed_loop.hpp"
#include "latencies.hpp"
#include "part_frames.hpp"
#include "xorshift.hpp"

namespace parley::bench {

namespace {

/// Whether `body` is the newest min(limit, c.parts) parts of `c`, ids increasing, part
/// i carrying body `h<i>;`. Scans for the few fields instead of parsing the JSON.
bool page_is_right(std::string_view body, filled_conversation const& c, std::uint32_t limit) {
    auto const expected = std::min(limit, c.parts);
    std::uint64_t last_id = 0;
    std::uint32_t found = 0;
    for (auto pos = body.find(R"({"id":)"); pos != std::string_view::npos;
         pos = body.find(R"({"id":)", pos + 1)) {
        auto const part = body.substr(pos);
        auto id = number_after(part, R"({"id":)");
        auto conversation = number_after(part, R"("conversation":)");
        auto index = number_after(part, R"("body":"h)");
        if (!id || *id <= last_id || conversation != c.id || index != c.parts - expected + found)
            return false;
        last_id = *id;
        ++found;
    }
    return found == expected;
}

/// The measured phase: `o.connections` keep-alive connections, each sending the next
/// request when the last is answered. Writes requests_per_s and latencies into `out`.
/// @return the measured seconds.
double measure_requests(event_loop& loop, target const& t, timing const& time,
                        history_options const& o,
                        std::vector<filled_conversation> const& conversations, run_errors& errors,
                        boost::json::object& out) {
    http_closed_loop load{loop, t.port, errors};
    load.requesting = !conversations.empty();
    latencies request_us;
    std::uint64_t measured = 0;
    std::uint64_t random_state = 0x9e3779b97f4a7c15ull;
    std::string authorization = "Bearer ";
    authorization += token_for(t, "operator", t.run_tag + "-reader");
    std::function<void(http_client&)> request = [&](http_client& client) {
        if (!load.requesting) return;
        auto const& c = conversations[next_random(random_state) % conversations.size()];
        std::string target = "/v1/conversations/";
        append_number(target, c.id);
        target += "/parts?limit=";
        append_number(target, static_cast<std::uint64_t>(o.limit));
        ++load.in_flight;
        client.get(target, [&, conversation = &c, sent = now_ns(),
                            on = &client](unsigned status, std::string_view body) {
            --load.in_flight;
            if (status != 200 ||
                !page_is_right(body, *conversation, static_cast<std::uint32_t>(o.limit))) {
                std::string what = "bad history response: ";
                append_number(what, status);
                what += ' ';
                what += body.substr(0, 200);
                errors.add(what);
                if (status == 0) return; // the connection is gone
            } else if (load.measuring) {
                request_us.add(micros_since(sent));
                ++measured;
            }
            request(*on);
        });
    };
    auto const elapsed = load.run(time, o.connections, authorization, "history", request);

    out["requests_per_s"] = elapsed > 0 ? static_cast<double>(measured) / elapsed : 0.0;
    request_us.put(out, "");
    return elapsed;
}

} // namespace

boost::json::object run_history(target const& t, timing const& time, history_options const& o) {
    event_loop loop;
    run_errors errors;
    boost::json::object out{{"connections", o.connections}, {"limit", o.limit}, {"fill", o.fill}};
    check_totals checks;
    std::vector<filled_conversation> conversations;
    if (o.fill) {
        auto filled = fill_history(loop, t, o, errors);
        out["fill_conversations"] = o.fill_conversations;
        out["fill_parts"] = o.fill_parts;
        out["body_bytes"] = o.body_bytes;
        out["fill_connections"] = o.fill_connections;
        out["fill_window"] = o.fill_window;
        out["fill_s"] = filled.seconds;
        out["committed_parts_per_s"] = static_cast<double>(filled.parts) / filled.seconds;
        checks = filled.checks;
        conversations = std::move(filled.conversations);
        if (!o.ids_file.empty() && !save_conversations(o.ids_file, conversations))
            errors.add("cannot write --ids-file");
    } else if (auto loaded = load_conversations(o.ids_file)) {
        conversations = std::move(*loaded);
    } else {
        errors.add("--no-fill needs the --ids-file an earlier fill wrote");
    }

    auto const elapsed =
        errors.count() ? 0.0 : measure_requests(loop, t, time, o, conversations, errors, out);
    out["conversations_read"] = conversations.size();
    out["duration_s"] = elapsed;
    out["errors"] = errors.count();
    checks.put(out);
    return out;
}

} // namespace parley::bench
