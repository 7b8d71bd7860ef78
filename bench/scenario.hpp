#pragma once
// The scenarios of BENCH.md. Each returns the fields of its one JSON result line; a run
// is valid only when `errors`, `lost`, `duplicated` and `reordered` are all 0.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace parley::bench {

/// What every scenario needs: where the server is and how to sign tokens for it.
struct target {
    unsigned short port = 8080;
    std::string site = "demo";
    std::string secret;
    /// Unique per run and part of every actor id, so a second run against the same
    /// store never collides with the first one's idempotency keys.
    std::string run_tag;
    /// The server's process id, for its RSS; 0 when not given.
    long server_pid = 0;
};

struct timing {
    std::chrono::seconds warmup{2};
    std::chrono::seconds duration{10};
};

/// A token for `sub` of `role` ("visitor", "operator", "bot") valid for a day.
std::string token_for(target const& t, std::string const& role, std::string const& sub);

/// The WebSocket target for an actor of this run: `/v1/ws?token=...` for `<run_tag>-<name>`.
std::string ws_target(target const& t, std::string const& role, std::string const& name);

/// Resident set size of the server in KiB, or -1 when unknown.
long server_rss_kib(target const& t);

struct pairs_options {
    int conversations = 100; ///< one visitor and one operator connection each
    int window = 4;          ///< parts in flight per visitor
    int body_bytes = 64;
};
/// `pairs` (and `sync`): visitors send closed-loop, operators receive.
boost::json::object run_pairs(target const& t, timing const& time, pairs_options const& o);

struct openloop_options {
    int conversations = 100;
    double rate = 20000; ///< parts per second over all conversations
    int body_bytes = 64;
};
/// `openloop`: the pairs layout, sending on a timer at a fixed total rate.
boost::json::object run_openloop(target const& t, timing const& time, openloop_options const& o);

struct fanout_options {
    int senders = 10;       ///< operator connections sending closed-loop
    int subscribers = 2000; ///< operator connections receiving every part
    int window = 4;         ///< parts in flight per sender
    int body_bytes = 64;
    bool inbox = false; ///< subscribe to the site inbox with parts instead of the conversation
    /// Most parts sent but not yet received by every subscriber; keeps a reader slower
    /// than the server from being closed as a slow consumer (see fanout.cpp). The
    /// command line defaults it to senders × window: a sender's loop then closes on
    /// delivery, like a sender that waits for its own message to come back.
    int max_lag = 40;
};
/// `fanout`: one conversation, many senders, thousands of subscribers.
boost::json::object run_fanout(target const& t, timing const& time, fanout_options const& o);

struct idle_options {
    int connections = 10000;
    int hold_s = 5;           ///< how long the connections stay idle
    int max_handshakes = 256; ///< set-ups in flight at once (listen backlog)
};
/// `idle`: N visitors that said hello and started a conversation, then idle.
boost::json::object run_idle(target const& t, idle_options const& o);

struct history_options {
    int connections = 64; ///< keep-alive HTTP connections, closed loop
    int limit = 50;       ///< `limit` of each request
    bool fill = true;     ///< false: --no-fill, read the conversations from ids_file
    int fill_conversations = 10000;
    int fill_parts = 100;
    int fill_connections = 8; ///< visitor connections writing the fill
    int fill_window = 64;     ///< commands in flight per fill connection
    int body_bytes = 64;
    std::string ids_file; ///< written after a fill, read with --no-fill
};
/// `history`: fill the store through the server, then GET pages of random conversations.
boost::json::object run_history(target const& t, timing const& time, history_options const& o);

struct list_options {
    int connections = 64; ///< keep-alive HTTP connections, closed loop
    int per = 50;
    std::string status = "queued"; ///< the `status[]` of every request
    /// The filled store: how many conversations, created one every `spacing_s`.
    int conversations = 100000;
    int spacing_s = 300;
};
/// `list`: one-day created_at ranges with a status on a store `list-fill` wrote.
boost::json::object run_list(target const& t, timing const& time, list_options const& o);
/// `list-fill`: writes that store for `site` into `data_path` (the server must not run on
/// it). @return the exit code.
int fill_list(std::string const& data_path, std::string const& site, list_options const& o);

} // namespace parley::bench
