// Turns the configuration document into a server_config, naming the key of the first
// problem so an operator can fix the file without reading code.

#include <parley/config/config.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace parley::config {
namespace {

namespace json = boost::json;

using maybe_error = std::optional<config_error>;

config_error error_at(std::string_view key, std::string_view what) {
    return config_error{std::string(key) + ": " + std::string(what)};
}

std::string child_key(std::string_view parent, std::string_view key) {
    return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

/// Refuses any key of `obj` not in `known`, so a typo never silently means "default".
maybe_error check_known_keys(json::object const& obj, std::string_view parent,
                             std::initializer_list<std::string_view> known) {
    for (auto const& kv : obj) {
        if (std::find(known.begin(), known.end(), kv.key()) == known.end())
            return config_error{"unknown key: " + child_key(parent, kv.key())};
    }
    return std::nullopt;
}

template <class Int>
maybe_error read_integer(json::object const& obj, std::string_view parent, std::string_view name,
                         std::int64_t min, std::int64_t max, Int& out) {
    auto const* v = obj.if_contains(name);
    if (!v) return std::nullopt;
    auto const key = child_key(parent, name);
    auto const expected = "expected integer " + std::to_string(min) + ".." + std::to_string(max);
    std::int64_t n = 0;
    if (v->is_int64()) {
        n = v->get_int64();
    } else if (v->is_uint64()) {
        if (v->get_uint64() > static_cast<std::uint64_t>(max)) return error_at(key, expected);
        n = static_cast<std::int64_t>(v->get_uint64());
    } else {
        return error_at(key, expected);
    }
    if (n < min || n > max) return error_at(key, expected);
    out = static_cast<Int>(n);
    return std::nullopt;
}

maybe_error read_positive_number(json::object const& obj, std::string_view parent,
                                 std::string_view name, double max, double& out) {
    auto const* v = obj.if_contains(name);
    if (!v) return std::nullopt;
    auto const key = child_key(parent, name);
    double d = 0;
    if (v->is_int64()) d = static_cast<double>(v->get_int64());
    else if (v->is_uint64()) d = static_cast<double>(v->get_uint64());
    else if (v->is_double()) d = v->get_double();
    else return error_at(key, "expected number > 0");
    if (!std::isfinite(d) || d <= 0 || d > max)
        return error_at(key, "expected number > 0 and <= " + std::to_string(static_cast<long>(max)));
    out = d;
    return std::nullopt;
}

maybe_error read_string(json::object const& obj, std::string_view parent, std::string_view name,
                        std::string& out) {
    auto const* v = obj.if_contains(name);
    if (!v) return std::nullopt;
    if (!v->is_string() || v->get_string().empty())
        return error_at(child_key(parent, name), "expected non-empty string");
    out = std::string(v->get_string());
    return std::nullopt;
}

maybe_error read_bool(json::object const& obj, std::string_view parent, std::string_view name,
                      bool& out) {
    auto const* v = obj.if_contains(name);
    if (!v) return std::nullopt;
    if (!v->is_bool()) return error_at(child_key(parent, name), "expected true or false");
    out = v->get_bool();
    return std::nullopt;
}

/// Returns the sub-object `name` of `obj` (nullptr when absent), or an error when the
/// key is there but not an object.
expected<json::object const*, config_error> section(json::object const& obj, std::string_view name) {
    auto const* v = obj.if_contains(name);
    if (!v) return static_cast<json::object const*>(nullptr);
    if (!v->is_object()) return unexpected{error_at(name, "expected object")};
    return &v->get_object();
}

maybe_error parse_listen(json::object const& root, server_config& cfg) {
    auto s = section(root, "listen");
    if (!s) return s.error();
    if (!*s) return std::nullopt;
    auto const& o = **s;
    if (auto e = check_known_keys(o, "listen", {"address", "port"})) return e;
    if (auto e = read_string(o, "listen", "address", cfg.listen_address)) return e;
    // The server binds IP literals only; catching a host name here names the key.
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(cfg.listen_address, ec);
    if (ec) return error_at("listen.address", "expected an IP address such as 127.0.0.1 or ::1");
    return read_integer(o, "listen", "port", 1, 65535, cfg.listen_port);
}

maybe_error parse_storage(json::object const& root, server_config& cfg) {
    auto s = section(root, "storage");
    if (!s) return s.error();
    if (!*s) return std::nullopt;
    auto const& o = **s;
    if (auto e = check_known_keys(o, "storage", {"path", "sync", "min_free_bytes", "cache_bytes", "memtable_bytes"})) return e;
    if (auto e = read_string(o, "storage", "path", cfg.storage_path)) return e;
    if (auto e = read_integer(o, "storage", "min_free_bytes", 0, std::int64_t{1} << 50, cfg.storage_min_free_bytes))
        return e;
    if (auto e = read_integer(o, "storage", "cache_bytes", std::int64_t{1} << 20, std::int64_t{1} << 40, cfg.storage_cache_bytes))
        return e;
    if (auto e = read_integer(o, "storage", "memtable_bytes", std::int64_t{4} << 20, std::int64_t{1} << 40,
                              cfg.storage_memtable_bytes))
        return e;
    return read_bool(o, "storage", "sync", cfg.storage_sync);
}

maybe_error parse_limits(json::object const& root, limits& l) {
    auto s = section(root, "limits");
    if (!s) return s.error();
    if (*s) {
        auto const& o = **s;
        constexpr std::string_view p = "limits";
        constexpr std::int64_t int_max = std::numeric_limits<std::int32_t>::max();
        if (auto e = check_known_keys(o, p,
                                      {"max_frame_bytes", "max_body_chars", "commands_per_s",
                                       "commands_burst", "max_queue_bytes", "connections_per_actor",
                                       "idle_timeout_s", "ping_interval_s", "idempotency_window_s",
                                       "max_http_body_bytes", "anonymous_per_ip_per_min", "conversations_in_memory"}))
            return e;
        // A frame under 256 bytes could not carry even a small command.
        if (auto e = read_integer(o, p, "max_frame_bytes", 256, 64 * 1024 * 1024, l.max_frame_bytes))
            return e;
        if (auto e = read_integer(o, p, "max_body_chars", 1, 16 * 1024 * 1024, l.max_body_chars))
            return e;
        if (auto e = read_positive_number(o, p, "commands_per_s", 1e6, l.commands_per_s)) return e;
        if (auto e = read_integer(o, p, "commands_burst", 1, 1000000, l.commands_burst)) return e;
        if (auto e = read_integer(o, p, "max_queue_bytes", 1024, std::int64_t{1} << 32,
                                  l.max_queue_bytes))
            return e;
        if (auto e = read_integer(o, p, "connections_per_actor", 1, 100000, l.connections_per_actor))
            return e;
        if (auto e = read_integer(o, p, "idle_timeout_s", 1, 86400, l.idle_timeout_s)) return e;
        if (auto e = read_integer(o, p, "ping_interval_s", 1, 86400, l.ping_interval_s)) return e;
        if (auto e = read_integer(o, p, "idempotency_window_s", 1, int_max, l.idempotency_window_s))
            return e;
        if (auto e = read_integer(o, p, "max_http_body_bytes", 1024, 1024 * 1024 * 1024,
                                  l.max_http_body_bytes))
            return e;
        if (auto e = read_integer(o, p, "anonymous_per_ip_per_min", 1, 1000000, l.anonymous_per_ip_per_min))
            return e;
        if (auto e = read_integer(o, p, "conversations_in_memory", 16, 100000000, l.conversations_in_memory))
            return e;
    }
    if (l.ping_interval_s >= l.idle_timeout_s)
        return config_error{"limits.ping_interval_s: must be less than limits.idle_timeout_s (" +
                            std::to_string(l.idle_timeout_s) + ")"};
    return std::nullopt;
}

maybe_error parse_site(json::value const& v, std::string const& key, site& out) {
    if (!v.is_object()) return error_at(key, "expected object");
    auto const& o = v.get_object();
    if (auto e = check_known_keys(o, key, {"id", "secret", "origins", "anonymous_visitors", "anonymous_ttl_s"}))
        return e;
    if (!o.contains("id")) return error_at(key + ".id", "required");
    if (auto e = read_string(o, key, "id", out.id)) return e;
    if (out.id.size() > 128) return error_at(key + ".id", "expected at most 128 characters");
    // HS256 with a short secret can be brute-forced offline from any captured token.
    auto const* secret = o.if_contains("secret");
    if (!secret || !secret->is_string() || secret->get_string().size() < 16)
        return error_at(key + ".secret", "expected string of at least 16 characters");
    out.secret = std::string(secret->get_string());
    if (auto const* origins = o.if_contains("origins")) {
        if (!origins->is_array()) return error_at(key + ".origins", "expected array of strings");
        for (auto const& origin : origins->get_array()) {
            if (!origin.is_string() || origin.get_string().empty())
                return error_at(key + ".origins", "expected array of strings");
            out.origins.emplace_back(origin.get_string());
        }
    }
    if (auto e = read_bool(o, key, "anonymous_visitors", out.anonymous_visitors)) return e;
    // At least a minute, at most a year: a token that outlives a year is a password.
    return read_integer(o, key, "anonymous_ttl_s", 60, 365 * 86400, out.anonymous_ttl_s);
}

maybe_error parse_sites(json::object const& root, server_config& cfg) {
    auto const* v = root.if_contains("sites");
    if (!v) return std::nullopt;
    if (!v->is_array()) return error_at("sites", "expected array");
    std::set<std::string> seen;
    auto const& arr = v->get_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
        auto const key = "sites[" + std::to_string(i) + "]";
        site s;
        if (auto e = parse_site(arr[i], key, s)) return e;
        if (!seen.insert(s.id).second) return error_at(key + ".id", "duplicate site id");
        cfg.sites.push_back(std::move(s));
    }
    return std::nullopt;
}

maybe_error parse_log(json::object const& root, server_config& cfg) {
    auto s = section(root, "log");
    if (!s) return s.error();
    if (!*s) return std::nullopt;
    auto const& o = **s;
    if (auto e = check_known_keys(o, "log", {"level"})) return e;
    auto const* v = o.if_contains("level");
    if (!v) return std::nullopt;
    constexpr std::string_view expected = "expected one of debug, info, warn, error";
    if (!v->is_string()) return error_at("log.level", expected);
    auto const& name = v->get_string();
    if (name == "debug") cfg.log_level = log_level::debug;
    else if (name == "info") cfg.log_level = log_level::info;
    else if (name == "warn") cfg.log_level = log_level::warn;
    else if (name == "error") cfg.log_level = log_level::error;
    else return error_at("log.level", expected);
    return std::nullopt;
}

maybe_error parse_web(json::object const& root, server_config& cfg) {
    auto s = section(root, "web");
    if (!s) return s.error();
    if (!*s) return std::nullopt;
    auto const& o = **s;
    if (auto e = check_known_keys(o, "web", {"root"})) return e;
    std::string root_dir;
    if (auto e = read_string(o, "web", "root", root_dir)) return e;
    if (!root_dir.empty()) cfg.web_root = std::move(root_dir);
    return std::nullopt;
}

maybe_error parse_http(json::object const& root, server_config& cfg) {
    auto s = section(root, "http");
    if (!s) return s.error();
    if (!*s) return std::nullopt;
    auto const& o = **s;
    if (auto e = check_known_keys(o, "http", {"reader_threads"})) return e;
    return read_integer(o, "http", "reader_threads", 1, 64, cfg.http_reader_threads);
}

/// Line number (1-based) of byte `offset` in `text`, for pointing at a syntax error.
std::size_t line_of(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

} // namespace

expected<server_config, config_error> parse_config(std::string_view text) {
    json::parse_options opts;
    opts.allow_comments = true;
    opts.allow_trailing_commas = true;
    json::stream_parser parser({}, opts);
    boost::system::error_code ec;
    auto const consumed = parser.write(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec)
        return unexpected{config_error{"invalid JSON at line " +
                                       std::to_string(line_of(text, consumed)) + ": " + ec.message()}};
    auto const doc = parser.release();
    if (!doc.is_object()) return unexpected{config_error{"configuration must be a JSON object"}};
    auto const& root = doc.get_object();

    server_config cfg;
    maybe_error err = check_known_keys(root, "",
                                       {"listen", "threads", "storage", "sites", "limits", "log", "web", "watchdog_s", "http",
                                        "dev_tokens"});
    if (!err) err = parse_listen(root, cfg);
    if (!err) err = read_integer(root, "", "threads", 1, 256, cfg.threads);
    if (!err) err = read_integer(root, "", "watchdog_s", 0, 3600, cfg.watchdog_s);
    if (!err) err = parse_storage(root, cfg);
    if (!err) err = parse_sites(root, cfg);
    if (!err) err = parse_limits(root, cfg.limits);
    if (!err) err = parse_log(root, cfg);
    if (!err) err = parse_web(root, cfg);
    if (!err) err = parse_http(root, cfg);
    if (!err) err = read_bool(root, "", "dev_tokens", cfg.dev_tokens);
    if (err) return unexpected{std::move(*err)};
    return cfg;
}

} // namespace parley::config
