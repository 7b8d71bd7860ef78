#include <parley/api/conversation_list.hpp>
#include <parley/api/history.hpp>
#include <parley/api/anonymous_visitors.hpp>
#include <parley/api/dev_tokens.hpp>
#include <parley/api/http_commands.hpp>
#include <parley/api/reader_pool.hpp>
#include <parley/api/router.hpp>
#include <parley/api/transcript_export.hpp>
#include <parley/api/visitor_erase.hpp>
#include <parley/api/static_files.hpp>
#include <parley/app/allocator.hpp>
#include <parley/app/io_loop.hpp>
#include <parley/app/server.hpp>
#include <parley/app/watchdog.hpp>
#include <parley/auth/token.hpp>
#include <parley/index/backfill.hpp>
#include <parley/net/listener.hpp>
#include <parley/relay/connection_registry.hpp>
#include <parley/relay/hub.hpp>
#include <parley/store/commit_pipeline.hpp>
#include <parley/store/rocks_store.hpp>
#include <parley/telemetry/log.hpp>
#include <parley/telemetry/metrics.hpp>
#include <parley/version.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <chrono>
#include <functional>
#include <csignal>
#include <deque>
#include <memory>
#include <sys/resource.h>
#include <thread>
#include <vector>

namespace parley::app {

namespace asio = boost::asio;

namespace {

/// How long shutdown waits for WebSockets to finish their closing handshakes; SPEC §6
/// wants the process gone within 5 s of the signal.
constexpr auto drain_limit = std::chrono::seconds(3);

unsigned thread_count(config::server_config const& config) {
    if (config.threads) return config.threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

/// How long shutdown waits for every connection to stop taking commands.
constexpr auto stop_commands_limit = std::chrono::milliseconds(500);

/// Polls every 20 ms until `done()` or `deadline`, then runs `then` (on the loop).
void poll_until(std::shared_ptr<asio::steady_timer> timer, std::chrono::steady_clock::time_point deadline,
                std::function<bool()> done, std::function<void()> then) {
    if (done() || std::chrono::steady_clock::now() >= deadline) return then();
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([timer, deadline, done = std::move(done), then = std::move(then)](boost::system::error_code) mutable {
        poll_until(timer, deadline, std::move(done), std::move(then));
    });
}

/// Raises the soft limit on open files to the hard limit: every connection is a file,
/// and the usual soft default (1024) would cap a chat server far below what it can hold.
void raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) log::warn("server.rlimit_failed", {{"errno", errno}});
}

/// The watchdog over the committer and the I/O threads (`watchdog_s`), or null when it
/// is off. `beats` gets one heartbeat per I/O thread.
std::unique_ptr<watchdog> watch_threads(config::server_config const& config, store::commit_pipeline& commits,
                                        std::deque<heartbeat>& beats, unsigned threads) {
    if (config.watchdog_s == 0) return nullptr;
    auto dog = std::make_unique<watchdog>(std::chrono::seconds(config.watchdog_s));
    dog->watch("committer", [&commits](auto now) { return commits.stalled_for(now); });
    for (unsigned i = 0; i < threads; ++i) {
        auto& beat = beats.emplace_back();
        dog->watch("io-" + std::to_string(i), [&beat](auto now) { return beat.stalled_for(now); });
    }
    dog->start();
    return dog;
}

/// Binds, serves until a signal, drains. Everything the I/O handlers reference lives in
/// the caller, so it outlives the io_context destroyed on return.
int run_io(config::server_config const& config, net::server_context& ctx, std::atomic<bool>& ready,
           store::commit_pipeline& commits, api::reader_pool& readers, std::string const& web_root) {
    auto const threads = thread_count(config);
    asio::io_context ioc(static_cast<int>(threads));

    boost::system::error_code ec;
    auto const address = asio::ip::make_address(config.listen_address, ec);
    if (ec) {
        log::error("net.bad_address", {{"address", config.listen_address}});
        return exit_code::startup_failed;
    }
    auto server_listener = std::make_shared<net::listener>(ioc, ctx);
    ec = server_listener->bind({address, config.listen_port});
    if (ec) {
        log::error("net.bind_failed", {{"address", config.listen_address},
                                       {"port", unsigned{config.listen_port}},
                                       {"error", ec.message()}});
        return exit_code::startup_failed;
    }
    auto const bound = server_listener->local_endpoint();
    // Commits wait for the end of the loop's current round, so one round is one batch.
    commits.defer_wakeups([&ioc](std::function<void()> wake) { asio::post(ioc, std::move(wake)); });
    server_listener->run();
    ready.store(true, std::memory_order_release);
    log::info("server.listening", {{"address", bound.address().to_string()},
                                   {"port", unsigned{bound.port()}},
                                   {"version", version},
                                   {"threads", threads},
                                   {"watchdog_s", config.watchdog_s},
                                   {"web_root", web_root}});

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code sig_ec, int signal) {
        if (sig_ec) return;
        log::info("server.stopping", {{"signal", signal}});
        ready.store(false, std::memory_order_release);
        server_listener->stop();
        // Every command taken is committed and answered before the 1001s; commands that
        // come after the stop are answered `unavailable`, so none is left unknown.
        auto const timer = std::make_shared<asio::steady_timer>(ioc);
        auto const running = ctx.connections.stop_commands_all();
        poll_until(timer, std::chrono::steady_clock::now() + stop_commands_limit, [running] { return *running == 0; },
                   [&, timer] {
                       commits.drain();
                       ctx.connections.close_all(relay::close_reason::going_away);
                       poll_until(timer, std::chrono::steady_clock::now() + drain_limit,
                                  [&] { return ctx.connections.size() == 0; }, [&] { ioc.stop(); });
                   });
    });

    // Watches the final drain too: a committer stuck at shutdown is still stuck.
    std::deque<heartbeat> beats;
    auto const dog = watch_threads(config, commits, beats, threads);
    auto run_thread = [&](unsigned i) {
        if (dog) run_watched(ioc, beats[i]);
        else ioc.run();
    };
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back(run_thread, i);
    run_thread(0);
    for (auto& t : pool) t.join();
    // Reads in flight answer onto strands of this io_context: finish them while it exists.
    readers.join();
    commits.defer_wakeups(nullptr);
    // Completions post to sessions' strands: they must run while the io_context exists.
    commits.drain();
    return exit_code::ok;
}

} // namespace

int serve(config::server_config const& config, std::string const& web_root) {
    log::set_level(config.log_level);
    tune_allocator();
    // A closed stderr pipe (a log shipper that died) must not kill the server mid-commit;
    // sockets already use MSG_NOSIGNAL.
    std::signal(SIGPIPE, SIG_IGN);
    raise_open_file_limit();

    auto opened = store::rocks_store::open(
        {config.storage_path, config.storage_sync, static_cast<std::int64_t>(config.limits.idempotency_window_s),
         config.storage_min_free_bytes, config.storage_cache_bytes, config.storage_memtable_bytes});
    if (!opened) {
        log::error("store.open_failed", {{"error", opened.error().message}});
        return exit_code::startup_failed;
    }
    auto store = std::move(*opened);
    if (auto indexed = index::backfill(*store); !indexed) {
        log::error("store.index_failed", {{"error", indexed.error().message}});
        return exit_code::startup_failed;
    } else if (*indexed) {
        log::info("store.indexed", {{"conversations", *indexed}});
    }

    telemetry::metrics metrics;
    metrics.sample_from({"parley_store_keys_read_total", "counter", "Keys read from the store by lookups and scans.",
                         [s = store.get()] { return s->keys_read(); }});
    metrics.sample_from({"parley_store_memtable_bytes", "gauge", "RocksDB memtables, all families (storage.memtable_bytes).",
                         [s = store.get()] { return s->memory().memtables; }});
    metrics.sample_from({"parley_store_block_cache_bytes", "gauge",
                         "RocksDB block cache in use, index and filter blocks included (storage.cache_bytes).",
                         [s = store.get()] { return s->memory().block_cache; }});
    std::atomic<bool> ready{false};
    auth::token_verifier tokens(config.sites);
    store::commit_pipeline commits(*store, metrics);
    relay::hub hub(*store, commits, config.limits, store->epoch(), metrics);
    metrics.sample_from({"parley_conversations_in_memory", "gauge",
                         "Conversations the hub holds in memory (limits.conversations_in_memory).",
                         [&hub] { return static_cast<std::uint64_t>(hub.conversations_in_memory()); }});
    api::static_files web(web_root);
    api::reader_pool readers(config.http_reader_threads);
    api::cors cors(config.sites);
    api::history history(*store, hub, readers);
    api::conversation_list list(*store, readers);
    api::transcript_export exports(*store, hub, readers);
    api::visitor_erase erase(*store, hub, readers);
    api::http_commands commands(hub, readers);
    api::anonymous_visitors anonymous(config.sites, config.limits, tokens, cors);
    api::dev_tokens dev(config.sites);
    api::v1_endpoints const v1{tokens, cors, history, list, exports, erase, commands, anonymous,
                               config.dev_tokens ? &dev : nullptr};
    api::router router(
        metrics, web, [&ready, s = store.get()] { return ready.load(std::memory_order_acquire) && s->writable(); }, &v1);
    relay::connection_registry connections(config.limits.connections_per_actor);
    std::atomic<std::uint64_t> next_connection_id{1};
    net::server_context ctx{config,  tokens,         router, connections, hub, readers,
                            metrics, store->epoch(), next_connection_id};

    auto code = run_io(config, ctx, ready, commits, readers, web.root().string());
    commits.drain();
    if (auto err = store->close()) {
        log::error("store.close_failed", {{"error", err->message}});
        return code == exit_code::ok ? 1 : code;
    }
    if (code == exit_code::ok) log::info("server.stopped");
    return code;
}

} // namespace parley::app
