#pragma once
// What the hub suites share: a recording subscriber, frame helpers, a commit log
// that can hold completions back, and a fixture with a real store and pipeline.
// Test-only, included once per test file: hence the unnamed namespace.

#include <parley/auth/actor.hpp>
#include <parley/config/limits.hpp>
#include <parley/protocol/command.hpp>
#include <parley/relay/hub.hpp>
#include <parley/relay/subscriber.hpp>
#include <parley/store/commit_pipeline.hpp>
#include <parley/store/rocks_store.hpp>
#include <parley/telemetry/metrics.hpp>

#include "support/temp_dir.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <thread>

namespace parley::relay {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using frames = std::vector<json::object>;

/// A connection without a socket: keeps every frame the hub delivers, parsed.
/// Deliveries come from the committer's thread, hence the mutex.
class recording_subscriber final : public subscriber {
public:
    void deliver(std::shared_ptr<std::string const> frame) override {
        boost::system::error_code ec;
        auto parsed = json::parse(*frame, ec);
        {
            std::lock_guard lock(mutex_);
            if (!ec && parsed.is_object())
                frames_.push_back(std::move(parsed.as_object()));
            else
                frames_.push_back(json::object{{"op", "<not a JSON object>"}, {"raw", *frame}});
        }
        arrived_.notify_all();
    }
    void disconnect(close_reason) override {}

    /// Waits until `n` frames have arrived in all; the timeout only guards against hangs.
    bool wait_for(std::size_t n, std::chrono::milliseconds timeout = 10s) {
        std::unique_lock lock(mutex_);
        return arrived_.wait_for(lock, timeout, [&] { return frames_.size() >= n; });
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return frames_.size();
    }
    /// Every frame from position `from` on.
    frames since(std::size_t from = 0) const {
        std::lock_guard lock(mutex_);
        return frames(frames_.begin() + static_cast<std::ptrdiff_t>(std::min(from, frames_.size())),
                      frames_.end());
    }
    frames with_op(std::string_view op, std::size_t from = 0) const;

private:
    mutable std::mutex mutex_;
    std::condition_variable arrived_;
    frames frames_;
};

using connection = std::shared_ptr<recording_subscriber>;

auth::actor make_actor(std::string site, auth::role role, std::string id,
                       std::optional<std::vector<std::string>> departments = std::nullopt) {
    auth::actor a;
    a.site = std::move(site);
    a.role = role;
    a.id = std::move(id);
    a.name = "Name of " + a.id;
    a.departments = std::move(departments);
    return a;
}

std::string str(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v) return "<missing>";
    return v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
}

std::uint64_t num(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (v && v->is_uint64()) return v->get_uint64();
    if (v && v->is_int64() && v->get_int64() >= 0)
        return static_cast<std::uint64_t>(v->get_int64());
    return 0;
}

json::object obj(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    return v && v->is_object() ? v->get_object() : json::object{};
}

frames recording_subscriber::with_op(std::string_view op, std::size_t from) const {
    frames out;
    for (auto& f : since(from))
        if (str(f, "op") == op) out.push_back(std::move(f));
    return out;
}

bool is_reply(json::object const& f) {
    for (std::string_view op :
         {"conversation.started", "part.created", "subscribed", "ok", "error"})
        if (str(f, "op") == op) return true;
    return false;
}

/// The real pipeline with completions held back while closed: a change is in the store,
/// but the hub has not heard back yet. Opens and drains on destruction.
class gated_log final : public store::commit_log {
public:
    explicit gated_log(store::commit_log& inner) : inner_(inner) {}
    ~gated_log() override {
        set_open(true);
        inner_.drain();
    }
    void submit(store::write_set change, completion done) override {
        inner_.submit(std::move(change), [this, done = std::move(done)](auto const& err) {
            {
                std::unique_lock lock(mutex_);
                ++held_;
                changed_.notify_all();
                changed_.wait(lock, [&] { return open_; });
                --held_;
            }
            done(err);
        });
    }
    void drain() override { inner_.drain(); }
    void set_open(bool open) {
        std::lock_guard lock(mutex_);
        open_ = open;
        changed_.notify_all();
    }
    bool wait_held(int n) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 10s, [&] { return held_ >= n; });
    }

private:
    store::commit_log& inner_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool open_ = true;
    int held_ = 0;
};

/// A hub on a real store and commit pipeline in a temp dir. Derived fixtures set
/// `limits` and call open() first thing.
class hub_fixture : public ::testing::Test {
protected:
    void open() {
        auto opened = store::rocks_store::open(store::store_options{dir.str(), false});
        ASSERT_TRUE(opened) << opened.error().message;
        store = std::move(opened).value();
        pipeline = std::make_unique<store::commit_pipeline>(*store, metrics);
        relay = std::make_unique<hub>(*store, *pipeline, limits, store->epoch(), metrics);
    }

    /// Everything goes away as in a process restart, then the same directory reopens.
    void restart() {
        relay.reset();
        pipeline.reset();
        ASSERT_FALSE(store->close());
        store.reset();
        open();
    }

    /// Sends `command` as `who` on `conn`, lets every commit it caused complete, and
    /// returns what `conn` received meanwhile.
    frames send(auth::actor const& who, connection const& conn, json::object const& command) {
        auto const before = conn->size();
        auto const text = json::serialize(command);
        auto parsed = protocol::parse_command(text);
        EXPECT_TRUE(parsed) << text;
        if (!parsed) return {};
        relay->handle({who, conn}, parsed.value());
        pipeline->drain();
        EXPECT_TRUE(conn->wait_for(before + 1)) << "no answer to " << text;
        return conn->since(before);
    }

    /// The one answer to `command` (SPEC §3: exactly one reply or error).
    json::object ask(auth::actor const& who, connection const& conn, json::object const& command) {
        frames replies;
        for (auto& f : send(who, conn, command))
            if (is_reply(f)) replies.push_back(std::move(f));
        EXPECT_EQ(replies.size(), 1u) << json::serialize(command);
        return replies.empty() ? json::object{} : replies.front();
    }

    std::uint64_t start(auth::actor const& who, connection const& conn,
                        std::string const& random_id, json::object extra = {}) {
        extra["op"] = "conversation.start";
        extra["random_id"] = random_id;
        auto const reply = ask(who, conn, extra);
        EXPECT_EQ(str(reply, "op"), "conversation.started") << json::serialize(reply);
        return num(obj(reply, "conversation"), "id");
    }

    json::object create(auth::actor const& who, connection const& conn, std::uint64_t conversation,
                        std::string const& type, std::string const& random_id,
                        json::object extra = {}) {
        extra["op"] = "part.create";
        extra["conversation"] = conversation;
        extra["type"] = type;
        extra["random_id"] = random_id;
        return ask(who, conn, extra);
    }

    /// The id of the part a successful create made.
    std::uint64_t created_id(json::object const& reply) {
        EXPECT_EQ(str(reply, "op"), "part.created") << json::serialize(reply);
        return num(obj(reply, "part"), "id");
    }

    json::object subscribe(auth::actor const& who, connection const& conn,
                           std::uint64_t conversation, json::object extra = {}) {
        extra["op"] = "subscribe";
        extra["conversation"] = conversation;
        return ask(who, conn, extra);
    }

    connection connect() const { return std::make_shared<recording_subscriber>(); }

    /// Five parts of `cid`, by the visitor on `mine` and by the operator; the 3rd and
    /// the 5th are notes.
    std::vector<std::uint64_t> five_parts(std::uint64_t cid, connection const& mine) {
        auto const staff = connect();
        return {created_id(create(visitor, mine, cid, "reply_user", "p-1")),
                created_id(create(op, staff, cid, "reply_admin", "p-2")),
                created_id(create(op, staff, cid, "note", "p-3")),
                created_id(create(visitor, mine, cid, "reply_user", "p-4")),
                created_id(create(op, staff, cid, "note", "p-5"))};
    }

    json::object subscribe_inbox(auth::actor const& who, connection const& conn, bool parts) {
        return ask(who, conn, {{"op", "subscribe"}, {"inbox", true}, {"parts", parts}});
    }

    // Declared first, so they outlive the hub: relay::client borrows them.
    auth::actor const visitor = make_actor("shop", auth::role::visitor, "v-1");
    auth::actor const other_visitor = make_actor("shop", auth::role::visitor, "v-2");
    auth::actor const op = make_actor("shop", auth::role::operator_, "op-1");
    auth::actor const bot = make_actor("shop", auth::role::bot, "bot-1");
    auth::actor const other_op = make_actor("shop", auth::role::operator_, "op-2");
    auth::actor const foreign_op = make_actor("elsewhere", auth::role::operator_, "op-1");
    auth::actor const sales_op =
        make_actor("shop", auth::role::operator_, "op-sales", std::vector<std::string>{"sales"});

    test::temp_dir dir;
    telemetry::metrics metrics;
    config::limits limits;
    std::unique_ptr<store::rocks_store> store;
    std::unique_ptr<store::commit_pipeline> pipeline;
    std::unique_ptr<gated_log> gate; // before relay: a hub built on it dies first
    std::unique_ptr<hub> relay;
};

} // namespace
} // namespace parley::relay
