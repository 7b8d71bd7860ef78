// The `idle` scenario (BENCH.md): N visitors connect (the server says hello), each starts
// a conversation (which subscribes it), then all stay idle. The figure is the server's
// resident memory per connection; every connection must come up and stay up.

#include "bench_client.hpp"
#include "event_loop.hpp"
#include "frame_scan.hpp"
#include "latencies.hpp"
#include "paced_start.hpp"
#include "part_frames.hpp"
#include "run_errors.hpp"

namespace parley::bench {

namespace {

struct idle_connection {
    std::shared_ptr<bench_client> ws;
    setup_slot setup; ///< ready(): said hello and started its conversation
    std::int64_t started_ns = 0;
};

} // namespace

boost::json::object run_idle(target const& t, idle_options const& o) {
    event_loop loop;
    run_errors errors;
    latencies setup_us;
    std::vector<idle_connection> conns(static_cast<std::size_t>(std::max(o.connections, 0)));

    auto const rss_before = server_rss_kib(t);
    paced_start starter(conns.size(), static_cast<std::size_t>(std::max(o.max_handshakes, 1)),
                        [&](std::size_t i, std::function<void(bool)> done) {
                            auto& c = conns[i];
                            c.setup.arm(std::move(done));
                            c.started_ns = now_ns();
                            std::string name = "i";
                            append_number(name, i);
                            c.ws = std::make_shared<bench_client>(loop.ioc(), t.port,
                                                                  ws_target(t, "visitor", name));
                            c.ws->start(
                                [&c](bool ok) {
                                    if (!ok) return c.setup.finish(false);
                                    c.ws->send(R"({"op":"conversation.start","random_id":"idle"})");
                                },
                                [&](std::string_view f) {
                                    if (is_op(f, "conversation.started")) {
                                        setup_us.add(micros_since(c.started_ns));
                                        c.setup.finish(true);
                                    } else if (is_op(f, "error")) {
                                        errors.add(f);
                                        c.setup.finish(false);
                                    }
                                },
                                [&c] { c.setup.finish(false); });
                        });
    auto const connect_started = std::chrono::steady_clock::now();
    starter.begin();
    loop.run_until([&] { return starter.finished(); }, std::chrono::seconds(300));
    auto const connect_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - connect_started).count();
    if (auto const failed = starter.failed()) {
        std::string what = "connections not set up: ";
        append_number(what, failed);
        errors.add(what);
        errors.add_silently(failed - 1);
    }

    // A moment for the server to finish what the last handshakes started.
    loop.run_for(std::chrono::milliseconds(500));
    auto const rss_up = server_rss_kib(t);
    loop.run_for(std::chrono::seconds(o.hold_s));
    auto const rss_idle = server_rss_kib(t);

    std::uint64_t dropped = 0, client_errors = 0;
    for (auto& c : conns) {
        if (!c.ws) continue;
        if (c.setup.ready() && !c.ws->is_open()) ++dropped;
        client_errors += c.ws->errors();
    }
    auto const up = starter.succeeded();
    for (auto& c : conns)
        if (c.ws) c.ws->close();
    loop.run_for(std::chrono::seconds(1));

    boost::json::object out{
        {"connections", o.connections},
        {"hold_s", o.hold_s},
        {"max_handshakes", o.max_handshakes},
        {"connected", up},
        {"dropped_while_idle", dropped},
        {"connect_s", connect_s},
        {"server_rss_before_kib", rss_before},
        {"server_rss_up_kib", rss_up},
        {"server_rss_idle_kib", rss_idle},
        {"rss_per_connection_bytes",
         up ? static_cast<double>(rss_up - rss_before) * 1024.0 / static_cast<double>(up) : 0.0},
        // A dropped connection already counts in the client's errors (its read failed).
        {"errors", errors.count() + client_errors},
        {"lost", 0},
        {"duplicated", 0},
        {"reordered", 0},
    };
    // The latency of an idle run: connect to `conversation.started`.
    setup_us.put(out, "");
    return out;
}

} // namespace parley::bench
