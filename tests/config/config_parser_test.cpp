#include <parley/config/config.hpp>

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace parley::config {
namespace {

/// The message of the refusal, or "<accepted>" so a wrongly accepted document shows up
/// in the failure output.
std::string error_of(std::string_view text) {
    auto const parsed = parse_config(text);
    return parsed ? std::string("<accepted>") : parsed.error().message;
}

/// `{"limits":{"<key>":<value>}}`
std::string limits_doc(std::string const& key, std::string const& value) {
    return R"({"limits":{")" + key + R"(":)" + value + "}}";
}

std::string site_doc(std::string const& body) {
    return R"({"sites":[)" + body + "]}";
}

constexpr char const* good_secret = "0123456789abcdef"; // exactly 16 characters

TEST(config_parser, empty_object_gives_every_default) {
    auto const cfg = parse_config("{}");
    ASSERT_TRUE(cfg) << cfg.error().message;
    server_config const defaults;
    EXPECT_EQ(cfg->listen_address, "127.0.0.1");
    EXPECT_EQ(cfg->listen_port, 8080);
    EXPECT_EQ(cfg->threads, 0u);
    EXPECT_EQ(cfg->watchdog_s, 10u);
    EXPECT_EQ(cfg->http_reader_threads, 2u);
    EXPECT_FALSE(cfg->dev_tokens);
    EXPECT_EQ(cfg->limits.anonymous_per_ip_per_min, 10u);
    EXPECT_EQ(cfg->limits.conversations_in_memory, 100000u);
    EXPECT_EQ(cfg->storage_path, "./data");
    EXPECT_FALSE(cfg->storage_sync);
    EXPECT_EQ(cfg->storage_min_free_bytes, 256u * 1024 * 1024);
    EXPECT_EQ(cfg->storage_cache_bytes, 64u << 20);
    EXPECT_EQ(cfg->storage_memtable_bytes, 128u << 20);
    EXPECT_TRUE(cfg->sites.empty());
    EXPECT_EQ(cfg->log_level, log_level::info);
    EXPECT_FALSE(cfg->web_root.has_value());
    EXPECT_EQ(cfg->limits.max_frame_bytes, 131072u);
    EXPECT_EQ(cfg->limits.max_body_chars, 10000u);
    EXPECT_EQ(cfg->limits.commands_per_s, 20.0);
    EXPECT_EQ(cfg->limits.commands_burst, 40u);
    EXPECT_EQ(cfg->limits.max_queue_bytes, 4u * 1024 * 1024);
    EXPECT_EQ(cfg->limits.connections_per_actor, 16u);
    EXPECT_EQ(cfg->limits.idle_timeout_s, 60u);
    EXPECT_EQ(cfg->limits.ping_interval_s, 20u);
    EXPECT_EQ(cfg->limits.idempotency_window_s, 86400u);
    EXPECT_EQ(cfg->limits.max_http_body_bytes, 1024u * 1024);
    EXPECT_EQ(cfg->limits.max_queue_bytes, defaults.limits.max_queue_bytes);
}

TEST(config_parser, accepts_comments_and_trailing_commas) {
    auto const cfg = parse_config(R"(// leading comment
        {
          /* block comment */
          "listen": { "port": 9000, },   // trailing comma in an object
          "sites": [ { "id": "s", "secret": "0123456789abcdef", "origins": ["https://x",], }, ],
        })");
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(cfg->listen_port, 9000);
    ASSERT_EQ(cfg->sites.size(), 1u);
    EXPECT_EQ(cfg->sites[0].origins, std::vector<std::string>{"https://x"});
}

TEST(config_parser, every_key_is_applied) {
    auto const cfg = parse_config(R"({
        "listen": {"address": "0.0.0.0", "port": 1},
        "threads": 3,
        "storage": {"path": "/var/lib/parley", "sync": true},
        "sites": [{"id": "a", "secret": "0123456789abcdef", "origins": ["https://a", "https://b"]},
                  {"id": "b", "secret": "fedcba9876543210fedc"}],
        "limits": {"max_frame_bytes": 256, "max_body_chars": 1, "commands_per_s": 0.5,
                   "commands_burst": 1000000, "max_queue_bytes": 4294967296,
                   "connections_per_actor": 100000, "idle_timeout_s": 86400,
                   "ping_interval_s": 86399, "idempotency_window_s": 2147483647,
                   "max_http_body_bytes": 1024},
        "log": {"level": "debug"},
        "web": {"root": "/srv/web"}
    })");
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(cfg->listen_address, "0.0.0.0");
    EXPECT_EQ(cfg->listen_port, 1);
    EXPECT_EQ(cfg->threads, 3u);
    EXPECT_EQ(cfg->storage_path, "/var/lib/parley");
    EXPECT_TRUE(cfg->storage_sync);
    ASSERT_EQ(cfg->sites.size(), 2u);
    EXPECT_EQ(cfg->sites[0].id, "a");
    EXPECT_EQ(cfg->sites[0].secret, "0123456789abcdef");
    EXPECT_EQ(cfg->sites[0].origins, (std::vector<std::string>{"https://a", "https://b"}));
    EXPECT_EQ(cfg->sites[1].id, "b");
    EXPECT_TRUE(cfg->sites[1].origins.empty());
    EXPECT_EQ(cfg->limits.max_frame_bytes, 256u);
    EXPECT_EQ(cfg->limits.max_body_chars, 1u);
    EXPECT_EQ(cfg->limits.commands_per_s, 0.5);
    EXPECT_EQ(cfg->limits.commands_burst, 1000000u);
    EXPECT_EQ(cfg->limits.max_queue_bytes, std::size_t{1} << 32);
    EXPECT_EQ(cfg->limits.connections_per_actor, 100000u);
    EXPECT_EQ(cfg->limits.idle_timeout_s, 86400u);
    EXPECT_EQ(cfg->limits.ping_interval_s, 86399u);
    EXPECT_EQ(cfg->limits.idempotency_window_s, 2147483647u);
    EXPECT_EQ(cfg->limits.max_http_body_bytes, 1024u);
    EXPECT_EQ(cfg->log_level, log_level::debug);
    EXPECT_EQ(cfg->web_root, "/srv/web");
    EXPECT_NE(find_site(*cfg, "b"), nullptr);
    EXPECT_EQ(find_site(*cfg, "c"), nullptr);
}

TEST(config_parser, listen_port_errors_name_the_key) {
    for (std::string bad :
         {"0", "70000", "\"80\"", "1.5", "-1", "true", "null", "18446744073709551615"}) {
        SCOPED_TRACE(bad);
        EXPECT_EQ(error_of(R"({"listen":{"port":)" + bad + "}}"),
                  "listen.port: expected integer 1..65535");
    }
    EXPECT_EQ(parse_config(R"({"listen":{"port":65535}})")->listen_port, 65535);
}

TEST(config_parser, other_top_level_type_errors) {
    EXPECT_EQ(error_of(R"({"listen":{"address":""}})"),
              "listen.address: expected non-empty string");
    EXPECT_EQ(error_of(R"({"listen":{"address":5}})"), "listen.address: expected non-empty string");
    EXPECT_EQ(error_of(R"({"listen":8080})"), "listen: expected object");
    // The server binds IP literals only; a name would fail later, after the store opened.
    auto const not_ip = "listen.address: expected an IP address such as 127.0.0.1 or ::1";
    EXPECT_EQ(error_of(R"({"listen":{"address":"localhost"}})"), not_ip);
    EXPECT_EQ(error_of(R"({"listen":{"address":"127.0.0.256"}})"), not_ip);
    EXPECT_EQ(error_of(R"({"listen":{"address":"[::1]"}})"), not_ip);
    EXPECT_EQ(parse_config(R"({"listen":{"address":"::1"}})")->listen_address, "::1");
    EXPECT_EQ(error_of(R"({"threads":0})"), "threads: expected integer 1..256");
    EXPECT_EQ(error_of(R"({"threads":257})"), "threads: expected integer 1..256");
    EXPECT_EQ(error_of(R"({"threads":"2"})"), "threads: expected integer 1..256");
    EXPECT_EQ(error_of(R"({"http":{"reader_threads":0}})"), "http.reader_threads: expected integer 1..64");
    EXPECT_EQ(error_of(R"({"http":{"reader_threads":65}})"), "http.reader_threads: expected integer 1..64");
    EXPECT_EQ(error_of(R"({"http":{"reader_threads":"2"}})"), "http.reader_threads: expected integer 1..64");
    EXPECT_EQ(error_of(R"({"http":{"readers":2}})"), "unknown key: http.readers");
    EXPECT_EQ(error_of(R"({"http":3})"), "http: expected object");
    EXPECT_EQ(parse_config(R"({"http":{"reader_threads":5}})")->http_reader_threads, 5u);
    EXPECT_EQ(error_of(R"({"watchdog_s":-1})"), "watchdog_s: expected integer 0..3600");
    EXPECT_EQ(error_of(R"({"watchdog_s":3601})"), "watchdog_s: expected integer 0..3600");
    EXPECT_EQ(error_of(R"({"watchdog_s":true})"), "watchdog_s: expected integer 0..3600");
    EXPECT_EQ(parse_config(R"({"watchdog_s":0})")->watchdog_s, 0u) << "0 turns the watchdog off";
    EXPECT_EQ(parse_config(R"({"watchdog_s":3})")->watchdog_s, 3u);
    EXPECT_EQ(error_of(R"({"storage":{"path":""}})"), "storage.path: expected non-empty string");
    EXPECT_EQ(error_of(R"({"storage":{"sync":"yes"}})"), "storage.sync: expected true or false");
    EXPECT_EQ(error_of(R"({"storage":[]})"), "storage: expected object");
    EXPECT_EQ(error_of(R"({"limits":1})"), "limits: expected object");
    EXPECT_EQ(error_of(R"({"log":"info"})"), "log: expected object");
    EXPECT_EQ(error_of(R"({"web":"web"})"), "web: expected object");
    EXPECT_EQ(error_of(R"({"dev_tokens":"yes"})"), "dev_tokens: expected true or false");
    EXPECT_TRUE(parse_config(R"({"dev_tokens":true})")->dev_tokens);
    EXPECT_EQ(error_of(R"({"limits":{"anonymous_per_ip_per_min":0}})"),
              "limits.anonymous_per_ip_per_min: expected integer 1..1000000");
    EXPECT_EQ(parse_config(R"({"limits":{"anonymous_per_ip_per_min":3}})")->limits.anonymous_per_ip_per_min, 3u);
    EXPECT_EQ(error_of(R"({"storage":{"min_free_bytes":-1}})"),
              "storage.min_free_bytes: expected integer 0..1125899906842624");
    EXPECT_EQ(parse_config(R"({"storage":{"min_free_bytes":0}})")->storage_min_free_bytes, 0u);
    EXPECT_EQ(error_of(R"({"storage":{"cache_bytes":1048575}})"), "storage.cache_bytes: expected integer 1048576..1099511627776");
    EXPECT_EQ(parse_config(R"({"storage":{"cache_bytes":1048576}})")->storage_cache_bytes, 1u << 20);
    EXPECT_EQ(error_of(R"({"storage":{"memtable_bytes":4194303}})"),
              "storage.memtable_bytes: expected integer 4194304..1099511627776");
    EXPECT_EQ(parse_config(R"({"storage":{"memtable_bytes":4194304}})")->storage_memtable_bytes, 4u << 20);
    EXPECT_EQ(error_of(R"({"limits":{"conversations_in_memory":15}})"),
              "limits.conversations_in_memory: expected integer 16..100000000");
    EXPECT_EQ(parse_config(R"({"limits":{"conversations_in_memory":16}})")->limits.conversations_in_memory, 16u);
}

TEST(config_parser, anonymous_visitors_are_off_unless_a_site_turns_them_on) {
    auto const site = [](std::string extra) {
        return R"({"sites":[{"id":"s","secret":"0123456789abcdef")" + extra + "}]}";
    };
    auto plain = parse_config(site(""));
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->sites[0].anonymous_visitors);
    EXPECT_EQ(plain->sites[0].anonymous_ttl_s, 30u * 86400);
    auto on = parse_config(site(R"(,"anonymous_visitors":true,"anonymous_ttl_s":3600)"));
    ASSERT_TRUE(on) << on.error().message;
    EXPECT_TRUE(on->sites[0].anonymous_visitors);
    EXPECT_EQ(on->sites[0].anonymous_ttl_s, 3600u);
    EXPECT_EQ(parse_config(site(R"(,"anonymous_visitors":1)")).error().message,
              "sites[0].anonymous_visitors: expected true or false");
    EXPECT_EQ(parse_config(site(R"(,"anonymous_ttl_s":59)")).error().message,
              "sites[0].anonymous_ttl_s: expected integer 60..31536000");
    EXPECT_EQ(parse_config(site(R"(,"anonymous_ttl_s":31536001)")).error().message,
              "sites[0].anonymous_ttl_s: expected integer 60..31536000");
}

TEST(config_parser, unknown_keys_are_refused_at_every_level) {
    EXPECT_EQ(error_of(R"({"bogus":1})"), "unknown key: bogus");
    EXPECT_EQ(error_of(R"({"limits":{"foo":1}})"), "unknown key: limits.foo");
    EXPECT_EQ(error_of(R"({"listen":{"host":"x"}})"), "unknown key: listen.host");
    EXPECT_EQ(error_of(R"({"storage":{"dir":"x"}})"), "unknown key: storage.dir");
    EXPECT_EQ(error_of(R"({"log":{"file":"x"}})"), "unknown key: log.file");
    EXPECT_EQ(error_of(R"({"web":{"index":"x"}})"), "unknown key: web.index");
    EXPECT_EQ(error_of(site_doc(R"({"id":"a","secret":"0123456789abcdef","colour":"red"})")),
              "unknown key: sites[0].colour");
    // A typo in a key is not silently a default: case matters.
    EXPECT_EQ(error_of(R"({"Listen":{}})"), "unknown key: Listen");
}

struct integer_limit {
    std::string key;
    std::int64_t min;
    std::int64_t max;
};

TEST(config_parser, integer_limits_out_of_range_or_wrong_type) {
    std::vector<integer_limit> const keys = {
        {"max_frame_bytes", 256, 64 * 1024 * 1024},
        {"max_body_chars", 1, 16 * 1024 * 1024},
        {"commands_burst", 1, 1000000},
        {"max_queue_bytes", 1024, std::int64_t{1} << 32},
        {"connections_per_actor", 1, 100000},
        {"idle_timeout_s", 1, 86400},
        {"ping_interval_s", 1, 86400},
        {"idempotency_window_s", 1, 2147483647},
        {"max_http_body_bytes", 1024, 1024 * 1024 * 1024},
    };
    for (auto const& k : keys) {
        auto const message = "limits." + k.key + ": expected integer " + std::to_string(k.min) +
                             ".." + std::to_string(k.max);
        for (auto const& bad : {std::to_string(k.min - 1), std::to_string(k.max + 1),
                                std::string("\"10\""), std::string("1.5"), std::string("[]")}) {
            SCOPED_TRACE(k.key + " = " + bad);
            EXPECT_EQ(error_of(limits_doc(k.key, bad)), message);
        }
    }
}

TEST(config_parser, commands_per_s_must_be_a_positive_number) {
    for (std::string bad : {"\"20\"", "true", "null", "{}"}) {
        SCOPED_TRACE(bad);
        EXPECT_EQ(error_of(limits_doc("commands_per_s", bad)),
                  "limits.commands_per_s: expected number > 0");
    }
    for (std::string bad : {"0", "-1", "-0.5", "1000001", "1e300"}) {
        SCOPED_TRACE(bad);
        EXPECT_EQ(error_of(limits_doc("commands_per_s", bad)),
                  "limits.commands_per_s: expected number > 0 and <= 1000000");
    }
    EXPECT_EQ(parse_config(limits_doc("commands_per_s", "2.5"))->limits.commands_per_s, 2.5);
}

TEST(config_parser, ping_interval_must_be_below_idle_timeout) {
    EXPECT_EQ(error_of(R"({"limits":{"idle_timeout_s":30,"ping_interval_s":30}})"),
              "limits.ping_interval_s: must be less than limits.idle_timeout_s (30)");
    EXPECT_EQ(error_of(R"({"limits":{"idle_timeout_s":30,"ping_interval_s":45}})"),
              "limits.ping_interval_s: must be less than limits.idle_timeout_s (30)");
    // The default ping (20 s) is checked against a lowered idle timeout too.
    EXPECT_EQ(error_of(R"({"limits":{"idle_timeout_s":20}})"),
              "limits.ping_interval_s: must be less than limits.idle_timeout_s (20)");
    auto const ok = parse_config(R"({"limits":{"idle_timeout_s":30,"ping_interval_s":29}})");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->limits.ping_interval_s, 29u);
}

TEST(config_parser, site_errors_name_the_site) {
    EXPECT_EQ(error_of(R"({"sites":{}})"), "sites: expected array");
    EXPECT_EQ(error_of(site_doc("\"demo\"")), "sites[0]: expected object");
    EXPECT_EQ(error_of(site_doc(R"({"secret":"0123456789abcdef"})")), "sites[0].id: required");
    EXPECT_EQ(error_of(site_doc(R"({"id":"","secret":"0123456789abcdef"})")),
              "sites[0].id: expected non-empty string");
    EXPECT_EQ(error_of(site_doc(R"({"id":7,"secret":"0123456789abcdef"})")),
              "sites[0].id: expected non-empty string");
    EXPECT_EQ(error_of(site_doc(R"({"id":")" + std::string(129, 's') +
                                R"(","secret":"0123456789abcdef"})")),
              "sites[0].id: expected at most 128 characters");
    auto const short_secret = "sites[0].secret: expected string of at least 16 characters";
    EXPECT_EQ(error_of(site_doc(R"({"id":"a"})")), short_secret);
    EXPECT_EQ(error_of(site_doc(R"({"id":"a","secret":"0123456789abcde"})")), short_secret);
    EXPECT_EQ(error_of(site_doc(R"({"id":"a","secret":1234567890123456789})")), short_secret);
    EXPECT_TRUE(
        parse_config(site_doc(std::string(R"({"id":"a","secret":")") + good_secret + "\"}")));
}

TEST(config_parser, later_sites_are_indexed_and_duplicates_refused) {
    auto const a = std::string(R"({"id":"a","secret":")") + good_secret + "\"}";
    EXPECT_EQ(error_of(site_doc(a + "," + a)), "sites[1].id: duplicate site id");
    EXPECT_EQ(error_of(site_doc(a + R"(,{"id":"b","secret":"short"})")),
              "sites[1].secret: expected string of at least 16 characters");
}

TEST(config_parser, origins_must_be_an_array_of_strings) {
    auto const prefix = std::string(R"({"id":"a","secret":")") + good_secret + R"(","origins":)";
    for (std::string bad : {"\"https://a\"", "[1]", "[\"https://a\", null]", "[\"\"]", "{}"}) {
        SCOPED_TRACE(bad);
        EXPECT_EQ(error_of(site_doc(prefix + bad + "}")),
                  "sites[0].origins: expected array of strings");
    }
    auto const empty = parse_config(site_doc(prefix + "[]}"));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->sites[0].origins.empty());
}

TEST(config_parser, log_level) {
    auto const message = "log.level: expected one of debug, info, warn, error";
    EXPECT_EQ(error_of(R"({"log":{"level":"verbose"}})"), message);
    EXPECT_EQ(error_of(R"({"log":{"level":"INFO"}})"), message);
    EXPECT_EQ(error_of(R"({"log":{"level":2}})"), message);
    for (auto level : {log_level::debug, log_level::info, log_level::warn, log_level::error}) {
        auto const name = std::string(to_string(level));
        auto const cfg = parse_config(R"({"log":{"level":")" + name + "\"}}");
        ASSERT_TRUE(cfg) << name;
        EXPECT_EQ(cfg->log_level, level);
    }
}

TEST(config_parser, web_root) {
    EXPECT_EQ(error_of(R"({"web":{"root":""}})"), "web.root: expected non-empty string");
    EXPECT_EQ(error_of(R"({"web":{"root":false}})"), "web.root: expected non-empty string");
    EXPECT_EQ(parse_config(R"({"web":{"root":"/srv/w"}})")->web_root, "/srv/w");
    EXPECT_FALSE(parse_config(R"({"web":{}})")->web_root.has_value());
}

TEST(config_parser, invalid_json_reports_the_line) {
    auto const message = error_of("{\n  \"listen\": {\n    \"port\": 80 80\n  }\n}\n");
    EXPECT_TRUE(message.starts_with("invalid JSON at line 3: ")) << message;
    auto const unterminated = error_of("{\n\"listen\": {\n");
    EXPECT_TRUE(unterminated.starts_with("invalid JSON at line ")) << unterminated;
    auto const empty = error_of("");
    EXPECT_TRUE(empty.starts_with("invalid JSON at line 1")) << empty;
}

TEST(config_parser, document_must_be_an_object) {
    for (std::string doc : {"[]", "42", "\"x\"", "null"}) {
        SCOPED_TRACE(doc);
        EXPECT_EQ(error_of(doc), "configuration must be a JSON object");
    }
}

TEST(config_file, missing_file_is_an_error_naming_the_path) {
    test::temp_dir dir;
    auto const path = (dir.path() / "nope.json").string();
    auto const cfg = load_config_file(path);
    ASSERT_FALSE(cfg);
    EXPECT_EQ(cfg.error().message, path + ": cannot read configuration file");
}

TEST(config_file, errors_inside_a_file_name_the_file_and_key) {
    test::temp_dir dir;
    auto const path = dir.write("bad.json", R"({"listen":{"port":0}})").string();
    auto const cfg = load_config_file(path);
    ASSERT_FALSE(cfg);
    EXPECT_EQ(cfg.error().message, path + ": listen.port: expected integer 1..65535");
}

TEST(config_file, shipped_default_config_runs_the_demo_site) {
    auto const cfg = load_config_file(PARLEY_SOURCE_DIR "/config/parley.json");
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(cfg->listen_address, "127.0.0.1");
    EXPECT_EQ(cfg->listen_port, 8080);
    auto const* demo = find_site(*cfg, "demo");
    ASSERT_NE(demo, nullptr);
    EXPECT_GE(demo->secret.size(), 16u);
}

TEST(listen_override, good_values_set_address_and_port) {
    server_config cfg;
    EXPECT_FALSE(apply_listen_override(cfg, "0.0.0.0:9090"));
    EXPECT_EQ(cfg.listen_address, "0.0.0.0");
    EXPECT_EQ(cfg.listen_port, 9090);
    // Port 0 asks the OS for a free port (the tests use it).
    EXPECT_FALSE(apply_listen_override(cfg, "127.0.0.1:0"));
    EXPECT_EQ(cfg.listen_address, "127.0.0.1");
    EXPECT_EQ(cfg.listen_port, 0);
    EXPECT_FALSE(apply_listen_override(cfg, "10.0.0.1:65535"));
    EXPECT_EQ(cfg.listen_port, 65535);
    // IPv6: brackets set the address apart from the port, as in URLs.
    EXPECT_FALSE(apply_listen_override(cfg, "[::1]:9000"));
    EXPECT_EQ(cfg.listen_address, "::1");
    EXPECT_EQ(cfg.listen_port, 9000);
    EXPECT_FALSE(apply_listen_override(cfg, "::1:9001"));
    EXPECT_EQ(cfg.listen_address, "::1");
    EXPECT_EQ(cfg.listen_port, 9001);
}

TEST(listen_override, bad_values_name_the_flag_and_change_nothing) {
    for (std::string_view bad :
         {"nohost", ":80", "h:99999", "1.2.3.4:99999", "1.2.3.4:", "1.2.3.4:8o", "1.2.3.4:-1",
          "1.2.3.4:+80", "1.2.3.4: 80", "", "localhost:80", "[::1]", "[]:80", "[1.2.3.4:80"}) {
        SCOPED_TRACE(bad);
        server_config cfg;
        auto const err = apply_listen_override(cfg, bad);
        ASSERT_TRUE(err.has_value());
        EXPECT_TRUE(err->message.starts_with("--listen: ")) << err->message;
        EXPECT_EQ(cfg.listen_address, "127.0.0.1");
        EXPECT_EQ(cfg.listen_port, 8080);
    }
}

TEST(web_root, configured_root_wins) {
    test::temp_dir dir;
    std::filesystem::create_directories(dir.path() / "bin");
    std::filesystem::create_directories(dir.path() / "web");
    server_config cfg;
    cfg.web_root = "/srv/custom";
    EXPECT_EQ(resolve_web_root(cfg, (dir.path() / "bin" / "parley").string()), "/srv/custom");
}

TEST(web_root, web_beside_the_executables_folder) {
    test::temp_dir dir;
    std::filesystem::create_directories(dir.path() / "bin");
    std::filesystem::create_directories(dir.path() / "web");
    dir.write("bin/parley", "#!/bin/false\n");
    auto const root = resolve_web_root(server_config{}, (dir.path() / "bin" / "parley").string());
    EXPECT_EQ(std::filesystem::canonical(root), std::filesystem::canonical(dir.path() / "web"));
}

TEST(web_root, falls_back_to_dot_web) {
    test::temp_dir dir;
    std::filesystem::create_directories(dir.path() / "bin");
    EXPECT_EQ(resolve_web_root(server_config{}, (dir.path() / "bin" / "parley").string()), "./web");
    // A plain file named web is not a folder to serve.
    dir.write("web", "not a folder");
    EXPECT_EQ(resolve_web_root(server_config{}, (dir.path() / "bin" / "parley").string()), "./web");
}

} // namespace
} // namespace parley::config
