// The `list` scenario (BENCH.md): a store pre-filled by `list-fill` (listing_store.hpp),
// then HTTP `GET /v1/conversations?created_at[from]=DAY&created_at[to]=DAY&status[]=S&per=N`
// on random days, keep-alive connections, closed loop. Every response must be a 200
// whose X-Total-Count and page of ids are exactly what the fill implies.

#include "delivery_check.hpp"
#include "frame_scan.hpp"
#include "http_client.hpp"
#include "http_closed_loop.hpp"
#include "latencies.hpp"
#include "listing_store.hpp"
#include "part_frames.hpp"
#include "run_errors.hpp"
#include "event_loop.hpp"
#include "xorshift.hpp"

#include <parley/clock.hpp>

#include <charconv>
#include <cstdio>

namespace parley::bench {

namespace {

constexpr std::int64_t day_ms = 86'400'000;

/// What one day's request must answer.
struct expected_page {
    std::string target;
    std::uint64_t total = 0;
    std::vector<std::uint64_t> ids; ///< newest first, at most `per`
};

std::vector<expected_page> expected_days(list_options const& o) {
    std::vector<expected_page> days;
    auto const spacing = static_cast<std::int64_t>(o.spacing_s) * 1000;
    auto const n = static_cast<std::uint64_t>(o.conversations);
    // Whole days only: the first starts at listing_t0 (conversation 0 would be there).
    auto const count = (static_cast<std::int64_t>(n) * spacing) / day_ms;
    for (std::int64_t d = 0; d < count; ++d) {
        auto const from = listing_t0 + d * day_ms;
        auto const date = iso8601(from).substr(0, 10);
        expected_page e;
        e.target = "/v1/conversations?created_at[from]=" + date + "&created_at[to]=" + date +
                   "&status[]=" + o.status + "&per=" + std::to_string(o.per);
        auto const first = std::max<std::uint64_t>(1, static_cast<std::uint64_t>((d * day_ms + spacing - 1) / spacing));
        auto const last = std::min<std::uint64_t>(n, static_cast<std::uint64_t>(((d + 1) * day_ms - 1) / spacing));
        for (auto i = last; i >= first && i > 0; --i) {
            if (listing_status(i) != o.status) continue;
            ++e.total;
            if (e.ids.size() < static_cast<std::size_t>(o.per)) e.ids.push_back(i);
        }
        days.push_back(std::move(e));
    }
    return days;
}

/// The conversation ids of a list response, in order: each conversation object starts
/// `{"id":<digits>`; the nested visitor and assignee ids are strings.
std::vector<std::uint64_t> ids_in(std::string_view body) {
    std::vector<std::uint64_t> out;
    constexpr std::string_view key = R"({"id":)";
    for (auto pos = body.find(key); pos != std::string_view::npos; pos = body.find(key, pos + 1)) {
        std::uint64_t v = 0;
        auto const at = body.data() + pos + key.size();
        auto [end, ec] = std::from_chars(at, body.data() + body.size(), v);
        if (ec == std::errc{} && end != at) out.push_back(v);
    }
    return out;
}

/// `parley_store_keys_read_total` from /metrics, or nullopt.
std::optional<std::uint64_t> keys_read(event_loop& loop, target const& t) {
    auto client = std::make_shared<http_client>(loop.ioc(), t.port, "");
    std::optional<std::uint64_t> value;
    bool done = false;
    client->connect([&](bool ok) {
        if (!ok) return void(done = true);
        client->get("/metrics", [&](unsigned status, std::string_view body) {
            done = true;
            if (status != 200) return;
            constexpr std::string_view name = "\nparley_store_keys_read_total ";
            if (auto at = body.find(name); at != std::string_view::npos)
                value = number_after(body.substr(at), name);
        });
    });
    loop.run_until([&] { return done; }, std::chrono::seconds(10));
    client->close();
    return value;
}

} // namespace

boost::json::object run_list(target const& t, timing const& time, list_options const& o) {
    event_loop loop;
    run_errors errors;
    boost::json::object out{{"connections", o.connections}, {"per", o.per}, {"conversations", o.conversations},
                            {"spacing_s", o.spacing_s}, {"status", o.status}};
    auto const days = expected_days(o);
    if (days.empty()) errors.add("the fill holds less than one whole day");

    http_closed_loop load{loop, t.port, errors};
    load.requesting = !days.empty();
    latencies request_us;
    std::uint64_t measured = 0, answered = 0, matches = 0;
    std::uint64_t random_state = 0x2545f4914f6cdd1dull;
    std::string authorization = "Bearer ";
    authorization += token_for(t, "operator", t.run_tag + "-lister");
    auto const keys_before = keys_read(loop, t);

    std::function<void(http_client&)> request = [&](http_client& client) {
        if (!load.requesting) return;
        auto const& day = days[next_random(random_state) % days.size()];
        ++load.in_flight;
        client.get(day.target, [&, day = &day, sent = now_ns(), on = &client](unsigned status, std::string_view body) {
            --load.in_flight;
            ++answered;
            auto const total = on->header("X-Total-Count");
            if (status != 200 || total != std::to_string(day->total) || ids_in(body) != day->ids) {
                std::string what = "bad list response: ";
                append_number(what, status);
                what += " total ";
                what += total;
                what += ' ';
                what += body.substr(0, 200);
                errors.add(what);
                if (status == 0) return;
            } else if (load.measuring) {
                request_us.add(micros_since(sent));
                ++measured;
                matches += day->total;
            }
            request(*on);
        });
    };
    auto const elapsed = load.run(time, o.connections, authorization, "list", request);
    auto const keys_after = keys_read(loop, t);

    out["requests_per_s"] = elapsed > 0 ? static_cast<double>(measured) / elapsed : 0.0;
    out["matches_per_request"] = measured ? static_cast<double>(matches) / static_cast<double>(measured) : 0.0;
    if (keys_before && keys_after && answered)
        out["keys_read_per_request"] = static_cast<double>(*keys_after - *keys_before) / static_cast<double>(answered);
    request_us.put(out, "");
    out["duration_s"] = elapsed;
    out["errors"] = errors.count();
    check_totals{}.put(out); // nothing is sent that could be lost: every answer is checked above
    return out;
}

int fill_list(std::string const& data_path, std::string const& site, list_options const& o) {
    auto failed = fill_listing_store(data_path, static_cast<std::uint64_t>(o.conversations),
                                     static_cast<std::int64_t>(o.spacing_s) * 1000, site);
    if (failed) std::fprintf(stderr, "parley-bench: list-fill: %s\n", failed->c_str());
    return failed ? 1 : 0;
}

} // namespace parley::bench
