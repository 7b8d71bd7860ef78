#include <parley/app/cli.hpp>
#include <parley/clock.hpp>
#include <parley/app/server.hpp>
#include <parley/auth/token.hpp>
#include <parley/config/config.hpp>
#include <parley/version.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace parley::app {
namespace {

constexpr int usage_error = 2;
constexpr char const* default_config = "config/parley.json";

constexpr char const* usage_text =
    "usage:\n"
    "  parley serve [--config FILE] [--listen ADDR:PORT] [--data DIR]\n"
    "  parley token [--config FILE] --site SITE --role visitor|operator|bot --sub ID\n"
    "               [--ttl SECONDS] [--name NAME] [--departments A,B]\n"
    "  parley --version\n"
    "Defaults: --config " "config/parley.json, --ttl 3600.\n";

int usage(std::string const& problem) {
    if (!problem.empty()) std::fprintf(stderr, "parley: %s\n", problem.c_str());
    std::fputs(usage_text, stderr);
    return usage_error;
}

/// `--key value` pairs after the subcommand. @return false on a stray or valueless flag.
bool parse_flags(int argc, char** argv, std::vector<std::string> const& allowed,
                 std::map<std::string, std::string>& out, std::string& problem) {
    for (int i = 2; i < argc; ++i) {
        std::string flag = argv[i];
        std::string value;
        if (auto eq = flag.find('='); eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag.resize(eq);
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            problem = flag + ": missing value";
            return false;
        }
        if (std::find(allowed.begin(), allowed.end(), flag) == allowed.end()) {
            problem = "unknown option " + flag;
            return false;
        }
        out[flag] = value;
    }
    return true;
}

expected<config::server_config, config::config_error> load(std::map<std::string, std::string> const& flags) {
    auto it = flags.find("--config");
    return config::load_config_file(it == flags.end() ? default_config : it->second);
}

int serve_command(int argc, char** argv) {
    std::map<std::string, std::string> flags;
    std::string problem;
    if (!parse_flags(argc, argv, {"--config", "--listen", "--data"}, flags, problem)) return usage(problem);
    auto cfg = load(flags);
    if (!cfg) {
        std::fprintf(stderr, "parley: %s\n", cfg.error().message.c_str());
        return usage_error;
    }
    if (auto it = flags.find("--listen"); it != flags.end()) {
        if (auto err = config::apply_listen_override(*cfg, it->second)) {
            std::fprintf(stderr, "parley: %s\n", err->message.c_str());
            return usage_error;
        }
    }
    if (auto it = flags.find("--data"); it != flags.end()) {
        if (it->second.empty()) return usage("--data: expected a directory");
        cfg->storage_path = it->second;
    }
    return serve(*cfg, config::resolve_web_root(*cfg, argv[0]));
}

int token_command(int argc, char** argv) {
    std::map<std::string, std::string> flags;
    std::string problem;
    if (!parse_flags(argc, argv,
                     {"--config", "--site", "--role", "--sub", "--ttl", "--name", "--departments"},
                     flags, problem))
        return usage(problem);
    for (auto required : {"--site", "--role", "--sub"})
        if (!flags.count(required)) return usage(std::string(required) + " is required");

    auto cfg = load(flags);
    if (!cfg) {
        std::fprintf(stderr, "parley: %s\n", cfg.error().message.c_str());
        return usage_error;
    }
    auto const* site = config::find_site(*cfg, flags["--site"]);
    if (!site) return usage("--site: no site '" + flags["--site"] + "' in the configuration");
    auto const role = auth::role_from_string(flags["--role"]);
    if (!role) return usage("--role: expected visitor, operator or bot");
    auto const& sub = flags["--sub"];
    if (sub.empty() || sub.size() > 128) return usage("--sub: expected 1..128 characters");

    long ttl = 3600;
    if (auto it = flags.find("--ttl"); it != flags.end()) {
        auto const& t = it->second;
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), ttl);
        if (ec != std::errc{} || end != t.data() + t.size() || ttl < 1 || ttl > 10L * 365 * 86400)
            return usage("--ttl: expected seconds 1..315360000");
    }

    auth::token_claims claims;
    claims.site = site->id;
    claims.sub = sub;
    claims.role = *role;
    if (auto it = flags.find("--name"); it != flags.end()) claims.name = it->second;
    if (auto it = flags.find("--departments"); it != flags.end()) {
        if (*role != auth::role::operator_) return usage("--departments: operators only");
        std::vector<std::string> deps;
        std::string_view rest = it->second;
        while (!rest.empty()) {
            auto comma = rest.find(',');
            auto dep = rest.substr(0, comma);
            if (!dep.empty()) deps.emplace_back(dep);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        }
        claims.departments = std::move(deps);
    }
    claims.expires_at = now_unix() + ttl;
    auto token = auth::mint_token(claims, site->secret);
    if (!token) {
        std::fputs("parley: could not sign the token\n", stderr);
        return 1;
    }
    std::printf("%s\n", token->c_str());
    return 0;
}

} // namespace

int run_cli(int argc, char** argv) {
    if (argc < 2) return usage("");
    std::string const command = argv[1];
    if (command == "serve") return serve_command(argc, argv);
    if (command == "token") return token_command(argc, argv);
    if (command == "--version" || command == "version") {
        std::printf("parley %.*s\n", static_cast<int>(version.size()), version.data());
        return 0;
    }
    if (command == "--help" || command == "help") {
        std::fputs(usage_text, stdout);
        return 0;
    }
    return usage("unknown command " + command);
}

} // namespace parley::app
