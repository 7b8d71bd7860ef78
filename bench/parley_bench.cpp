// parley-bench: load generator for parley (BENCH.md). Prints one JSON line per run and
// exits non-zero when any message was lost, duplicated or reordered.
//
//   parley-bench pairs --port P --config FILE [--site demo] [--conversations 100]
//                [--window 4] [--body 64] [--warmup 2] [--duration 10] [--server-pid PID]

#include "scenario.hpp"

#include <parley/auth/token.hpp>
#include <parley/clock.hpp>
#include <parley/config/config.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

namespace parley::bench {

std::string token_for(target const& t, std::string const& role, std::string const& sub) {
    auth::token_claims claims;
    claims.site = t.site;
    claims.sub = sub;
    claims.role = auth::role_from_string(role).value_or(auth::role::visitor);
    claims.expires_at = now_unix() + 86400;
    return auth::mint_token(claims, t.secret).value_or("");
}

namespace {

/// Resident set size of `pid` in KiB, or -1.
long rss_kib(long pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

int usage() {
    std::fputs("usage: parley-bench pairs --port P --config FILE [--site S] [--conversations C] [--window W]\n"
               "                    [--body BYTES] [--warmup S] [--duration S] [--server-pid PID]\n",
               stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    std::string const scenario = argv[1];
    std::map<std::string, std::string> opt;
    for (int i = 2; i + 1 < argc; i += 2) opt[argv[i]] = argv[i + 1];
    auto get = [&](std::string const& k, std::string def) { return opt.count(k) ? opt[k] : def; };

    auto cfg = config::load_config_file(get("--config", "config/parley.json"));
    if (!cfg) {
        std::fprintf(stderr, "parley-bench: %s\n", cfg.error().message.c_str());
        return 2;
    }
    target t;
    t.site = get("--site", "demo");
    t.port = static_cast<unsigned short>(std::stoi(get("--port", "8080")));
    auto const* site = config::find_site(*cfg, t.site);
    if (!site) return usage();
    t.secret = site->secret;
    timing time{std::chrono::seconds(std::stoi(get("--warmup", "2"))), std::chrono::seconds(std::stoi(get("--duration", "10")))};

    boost::json::object result;
    if (scenario == "pairs") {
        result = run_pairs(t, time, std::stoi(get("--conversations", "100")), std::stoi(get("--window", "4")),
                           std::stoi(get("--body", "64")));
    } else {
        return usage();
    }
    result["scenario"] = scenario;
    if (opt.count("--server-pid")) result["server_rss_kib"] = rss_kib(std::stol(opt["--server-pid"]));
    std::printf("%s\n", boost::json::serialize(result).c_str());
    bool const clean = result["errors"] == 0 && result["lost"] == 0 && result["duplicated"] == 0 && result["reordered"] == 0;
    return clean ? 0 : 1;
}

} // namespace parley::bench

int main(int argc, char** argv) { return parley::bench::main(argc, argv); }
