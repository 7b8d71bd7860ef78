// parley-bench: the load generator for parley (BENCH.md). Runs one scenario against a
// running server, checks everything it measured, prints one JSON line, and exits 1 if
// any part was lost, duplicated or reordered or any error happened (2: bad usage).
//
//   parley-bench SCENARIO --port P --config FILE [--site demo] [--server-pid PID] ...
//
//   pairs     C visitor+operator pairs, visitors send closed-loop with W in flight
//   sync      pairs, refused unless the config has storage.sync: true
//   openloop  the pairs layout at a fixed total rate (latency from the scheduled send)
//   fanout    1 conversation, S operator senders, N operator subscribers
//   idle      N visitors that said hello and started a conversation, then idle
//   history   fill conversations × parts over WebSocket, then GET pages over HTTP
//   list-fill write a store of many conversations over time into the config's storage
//             path (before the server starts on it)
//   list      filtered GET /v1/conversations (a day's created_at range and a status)
//
// usage() lists each scenario's flags and defaults. The config file is the server's:
// the generator signs its own tokens with the site's secret.
//
// Every line has `scenario`, the scenario's parameters, `errors`, `lost`, `duplicated`,
// `reordered` (all 0 in a valid run), `p50_us`/`p99_us`/`p999_us` (delivery latency;
// request latency for history; connect-to-started for idle) and, with --server-pid,
// `server_rss_kib` at the end. Besides: `committed_parts_per_s` (acks/s: pairs, sync,
// openloop, fanout; the fill for history), `delivered_msgs_per_s` (parts received by
// operators or subscribers per second), `ack_p*_us` and `delivery_p*_us` (pairs, sync,
// openloop; `ack_p*` in fanout too), `achieved_rate` and `send_lag_p*_us` (openloop),
// `sends_held` (fanout), `requests_per_s` and `fill_s` (history), and
// `server_rss_{before,up,idle}_kib`, `rss_per_connection_bytes`, `connected`,
// `dropped_while_idle` (idle).
//
// The checks: every random_id acknowledged exactly once (part.created, never marked
// duplicate); every receiver gets each acknowledged part of its conversation exactly
// once, ids strictly increasing; history pages hold exactly the expected parts.

#include "options.hpp"
#include "scenario.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <parley/auth/token.hpp>
#include <parley/clock.hpp>
#include <parley/config/config.hpp>
#include <sys/resource.h>
#include <unistd.h>

namespace parley::bench {

std::string token_for(target const& t, std::string const& role, std::string const& sub) {
    auth::token_claims claims;
    claims.site = t.site;
    claims.sub = sub;
    claims.role = auth::role_from_string(role).value_or(auth::role::visitor);
    claims.expires_at = now_unix() + 86400;
    return auth::mint_token(claims, t.secret).value_or("");
}

std::string ws_target(target const& t, std::string const& role, std::string const& name) {
    std::string sub = t.run_tag;
    sub += '-';
    sub += name;
    std::string out = "/v1/ws?token=";
    out += token_for(t, role, sub);
    return out;
}

long server_rss_kib(target const& t) {
    if (t.server_pid <= 0) return -1;
    std::string path = "/proc/";
    path += std::to_string(t.server_pid);
    path += "/status";
    std::ifstream status(path);
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

namespace {

int usage() {
    std::fputs(
        "usage: parley-bench SCENARIO --port P --config FILE [--site demo] [--server-pid PID] "
        "[options]\n"
        "  pairs     [--conversations 100] [--window 4] [--body 64] [--warmup 2] [--duration 10]\n"
        "  sync      same as pairs; refused (exit 2) unless the config has storage.sync: true\n"
        "  openloop  [--conversations 100] [--rate 20000] [--body 64] [--warmup 2] [--duration "
        "10]\n"
        "  fanout    [--senders 10] [--subscribers 2000] [--window 4] [--body 64] [--inbox]\n"
        "            [--max-lag SENDERS*WINDOW] [--warmup 2] [--duration 10]\n"
        "  idle      --server-pid PID [--connections 10000] [--hold 5] [--max-handshakes 256]\n"
        "  history   [--connections 64] [--limit 50] [--fill-conversations 10000] [--fill-parts "
        "100]\n"
        "            [--fill-connections 8] [--fill-window 64] [--body 64] [--ids-file FILE]\n"
        "            [--no-fill] (needs --ids-file from an earlier fill) [--warmup 2] [--duration "
        "10]\n"
        "  list-fill --config FILE [--conversations 100000] [--spacing 300] (no server on it yet)\n"
        "  list      [--connections 64] [--per 50] [--status queued] [--conversations 100000]\n"
        "            [--spacing 300] (as given to list-fill) [--warmup 2] [--duration 10]\n",
        stderr);
    return 2;
}

/// Lets the idle scenario hold tens of thousands of sockets.
void raise_open_files_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
}

list_options list_from(options& opt) {
    list_options o;
    o.connections = opt.integer("--connections", o.connections);
    o.per = opt.integer("--per", o.per);
    o.status = opt.text("--status", o.status);
    o.conversations = opt.integer("--conversations", o.conversations);
    o.spacing_s = opt.integer("--spacing", o.spacing_s);
    return o;
}

/// Reads the scenario's options. @return the run, or an empty function for an unknown scenario.
std::function<boost::json::object()> scenario_run(std::string const& name, options& opt,
                                                  target const& t, timing const& time) {
    if (name == "pairs" || name == "sync") {
        pairs_options o{opt.integer("--conversations", 100), opt.integer("--window", 4),
                        opt.integer("--body", 64)};
        return [=, &t] { return run_pairs(t, time, o); };
    }
    if (name == "openloop") {
        openloop_options o{opt.integer("--conversations", 100), opt.number("--rate", 20000),
                           opt.integer("--body", 64)};
        return [=, &t] { return run_openloop(t, time, o); };
    }
    if (name == "fanout") {
        fanout_options o;
        o.senders = opt.integer("--senders", o.senders);
        o.subscribers = opt.integer("--subscribers", o.subscribers);
        o.window = opt.integer("--window", o.window);
        o.body_bytes = opt.integer("--body", o.body_bytes);
        o.inbox = opt.has("--inbox");
        o.max_lag = opt.integer("--max-lag", o.senders * o.window);
        return [=, &t] { return run_fanout(t, time, o); };
    }
    if (name == "idle") {
        idle_options o{opt.integer("--connections", 10000), opt.integer("--hold", 5),
                       opt.integer("--max-handshakes", 256)};
        return [=, &t] { return run_idle(t, o); };
    }
    if (name == "history") {
        history_options o;
        o.connections = opt.integer("--connections", o.connections);
        o.limit = opt.integer("--limit", o.limit);
        o.fill = !opt.has("--no-fill");
        o.fill_conversations = opt.integer("--fill-conversations", o.fill_conversations);
        o.fill_parts = opt.integer("--fill-parts", o.fill_parts);
        o.fill_connections = opt.integer("--fill-connections", o.fill_connections);
        o.fill_window = opt.integer("--fill-window", o.fill_window);
        o.body_bytes = opt.integer("--body", o.body_bytes);
        o.ids_file = opt.text("--ids-file", "");
        return [=, &t] { return run_history(t, time, o); };
    }
    if (name == "list") return [o = list_from(opt), &t, time] { return run_list(t, time, o); };
    return {};
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    std::string const scenario = argv[1];
    options opt(argc, argv, 2, {"--no-fill", "--inbox"});

    auto cfg = config::load_config_file(opt.text("--config", "config/parley.json"));
    if (!cfg) {
        std::fprintf(stderr, "parley-bench: %s\n", cfg.error().message.c_str());
        return 2;
    }
    if (scenario == "list-fill") {
        auto const o = list_from(opt);
        for (auto const& p : opt.problems())
            std::fprintf(stderr, "parley-bench: %s\n", p.c_str());
        if (!opt.problems().empty()) return usage();
        return fill_list(cfg->storage_path, opt.text("--site", "demo"), o);
    }
    target t;
    t.site = opt.text("--site", "demo");
    t.port = static_cast<unsigned short>(opt.integer("--port", 8080));
    t.server_pid = opt.integer("--server-pid", 0);
    t.run_tag = "bench";
    t.run_tag += std::to_string(now_ms());
    t.run_tag += '-';
    t.run_tag += std::to_string(getpid());
    auto const* site = config::find_site(*cfg, t.site);
    if (!site) {
        std::fprintf(stderr, "parley-bench: no site %s in the config\n", t.site.c_str());
        return 2;
    }
    t.secret = site->secret;
    timing const time{std::chrono::seconds(opt.integer("--warmup", 2)),
                      std::chrono::seconds(opt.integer("--duration", 10))};

    auto run = scenario_run(scenario, opt, t, time);
    if (!run) return usage();
    auto const problems = opt.problems();
    for (auto const& p : problems)
        std::fprintf(stderr, "parley-bench: %s\n", p.c_str());
    if (!problems.empty()) return usage();
    if (scenario == "sync" && !cfg->storage_sync) {
        std::fputs("parley-bench: sync needs a server config with storage.sync: true\n", stderr);
        return 2;
    }
    if (scenario == "idle" && t.server_pid <= 0) {
        std::fputs("parley-bench: idle measures the server's memory and needs --server-pid\n",
                   stderr);
        return 2;
    }
    raise_open_files_limit();

    auto result = run();
    result["scenario"] = scenario;
    if (scenario == "sync") result["sync"] = true;
    if (t.server_pid > 0) result["server_rss_kib"] = server_rss_kib(t);
    std::printf("%s\n", boost::json::serialize(result).c_str());
    bool const clean = result["errors"] == 0 && result["lost"] == 0 && result["duplicated"] == 0 &&
                       result["reordered"] == 0;
    return clean ? 0 : 1;
}

} // namespace parley::bench

int main(int argc, char** argv) {
    return parley::bench::main(argc, argv);
}
