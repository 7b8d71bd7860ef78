#pragma once

#include <parley/config/limits.hpp>
#include <parley/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::config {

/// One tenant: its id, the HS256 secret its tokens are signed with, and the browser
/// origins allowed to open WebSockets (empty = any).
struct site {
    std::string id;
    std::string secret;
    std::vector<std::string> origins;
    /// Whether `POST /v1/sites/{id}/visitors` hands out anonymous visitor tokens
    /// (SPEC §1), for websites without a backend of their own. Default: false
    bool anonymous_visitors = false;
    /// How long an anonymous visitor token is valid. Default: 2592000 (30 days)
    std::uint32_t anonymous_ttl_s = 30 * 86400;
};

enum class log_level { debug, info, warn, error };

/// The whole server configuration (SPEC §6). Every member has the documented default,
/// so a default-constructed object is a valid configuration without sites.
struct server_config {
    /// Default: "127.0.0.1"
    std::string listen_address = "127.0.0.1";
    /// Default: 8080. 0 picks a free port (tests use it; the chosen port is logged).
    std::uint16_t listen_port = 8080;
    /// I/O threads. Default: the number of CPUs.
    unsigned threads = 0;
    /// Default: "./data", relative to the working directory.
    std::string storage_path = "./data";
    /// fsync every commit batch (survives power loss, costs one fsync per batch).
    /// Default: false
    bool storage_sync = false;
    /// Free space the data dir's filesystem keeps: below it writes are refused
    /// (`unavailable`, 503, `/readyz` not ready) before RocksDB ever meets a full disk,
    /// and taken again once there is room. Default: 268435456 (256 MiB)
    std::uint64_t storage_min_free_bytes = 256ull * 1024 * 1024;
    /// RocksDB's block cache, shared by every family, with index and filter blocks in it.
    /// Default: 67108864 (64 MiB)
    std::uint64_t storage_cache_bytes = 64ull << 20;
    /// RocksDB's memtables, all families together. Default: 134217728 (128 MiB)
    std::uint64_t storage_memtable_bytes = 128ull << 20;
    std::vector<site> sites;
    config::limits limits;
    /// A thread that has made no progress for this long while work waits for it makes
    /// the process exit non-zero, for its supervisor to restart it. 0 turns the watchdog
    /// off. Default: 10
    unsigned watchdog_s = 10;
    /// Threads that run the HTTP requests reading the store (history, list, export,
    /// erase), so no I/O thread ever waits on the disk. Default: 2
    unsigned http_reader_threads = 2;
    /// `POST /v1/dev/token` signs any token for any site (SPEC §5.9): for the demo only,
    /// never in production. Default: false
    bool dev_tokens = false;
    /// Default: info
    config::log_level log_level = config::log_level::info;
    /// The folder served at `/` and `/web/`. Default: see resolve_web_root().
    std::optional<std::string> web_root;
};

/// A configuration that could not be accepted; `message` names the key
/// (`listen.port: expected integer 1..65535`).
struct config_error {
    std::string message;
};

/// Parses and validates a configuration document (JSON; comments and trailing commas
/// allowed). Keys absent from the document keep their defaults.
/// @return the configuration, or the first problem found.
expected<server_config, config_error> parse_config(std::string_view text);

/// Reads `path` and parses it with parse_config(). An unreadable file is an error
/// naming the path.
expected<server_config, config_error> load_config_file(std::string const& path);

/// Splits `ADDR:PORT` (as given to `--listen`) into the config; an error names `--listen`.
std::optional<config_error> apply_listen_override(server_config& cfg, std::string_view value);

/// The web root to serve: `web.root` when set, else `../web` next to the folder holding
/// the executable if that exists, else `./web`.
std::string resolve_web_root(server_config const& cfg, std::string const& executable_path);

/// @return the site with this id, or nullptr.
site const* find_site(server_config const& cfg, std::string_view id);

std::string_view to_string(log_level level);

} // namespace parley::config
