#pragma once

#include <parley/auth/actor.hpp>
#include <parley/config/limits.hpp>
#include <parley/expected.hpp>
#include <parley/protocol/command.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/relay/subscriber.hpp>
#include <parley/store/commit_pipeline.hpp>
#include <parley/store/rocks_store.hpp>
#include <parley/protocol/part_type.hpp>

#include <boost/json/object.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::telemetry {
class metrics;
}

namespace parley::relay {

/// A connected client as the relay sees it: who, and where answers go.
/// @note `actor` is borrowed for the call; the hub keeps only `conn`.
struct client {
    auth::actor const& actor;
    std::shared_ptr<subscriber> conn;
    /// The command came over the HTTP API (SPEC §5.3): its parts are `sent_via: api`.
    bool over_http = false;
};

/// The live relay (SPEC §3, §4): conversations in memory, subscriptions, routing and
/// visibility, idempotent creates, and the hand-off to the commit pipeline. It never
/// sees a socket: answers and broadcasts go to `subscriber::deliver`.
///
/// Ordering: everything about one conversation happens under that conversation's mutex,
/// ids are taken and changes submitted under it, and the pipeline completes changes in
/// submit order, so every connection sees a conversation's parts in id order.
///
/// Lifetime: the hub never owns a subscriber; it keeps weak references and reaches a
/// subscriber only for the moment of a delivery. Invariant, held everywhere: **no code
/// path drops the last reference to a subscriber, or calls back into the hub, while
/// holding a hub lock** (a conversation's mutex, the conversations map, the inbox, the
/// start table). A connection's destructor calls forget(), which takes those locks, so
/// ending it under one would deadlock the thread on itself. Every hub lock is a
/// `hub_lock` (src/relay/hub_lock.hpp), which parks the references reached under it and
/// drops them after the unlock; handle() and forget() abort if entered under one.
/// @note Thread-safe.
class hub {
public:
    hub(store::rocks_store& store, store::commit_log& log, config::limits const& limits, std::string epoch,
        telemetry::metrics& metrics);
    ~hub();

    /// Handles one command from `from`. Exactly one answer (reply or `error`) reaches
    /// `from.conn`, possibly later and from the committer's thread.
    void handle(client const& from, protocol::command const& cmd);

    /// The conversation `cmd` names when it is not in memory yet, so loading it would
    /// read the store; nullopt when handle() would not touch the disk for it.
    std::optional<std::uint64_t> needs_load(protocol::command const& cmd);

    /// The connection has closed: drop its subscriptions.
    void forget(subscriber const* conn);

    /// The conversation `id` as `who` may see it (same rules as live delivery), for the
    /// HTTP read side. @return a copy of the aggregate, or `not_found`/`forbidden`/
    /// `unavailable`.
    expected<protocol::conversation, protocol::command_error> conversation_for(auth::actor const& who, std::uint64_t id);

    /// GDPR erase (SPEC §5.7) inside conversation `id`: every part `visitor` wrote is
    /// removed and emptied, the conversation's visitor PII cleared, events' pages and
    /// texts naming the visitor cleared, all in one write; staff subscribed get
    /// `part.updated`. Answers `from` with `{"op":"ok","parts_erased":N}` (0 on a repeat)
    /// or an error. @note Reads the store on the calling thread: call from a reader.
    void erase_visitor(client const& from, std::uint64_t id, std::string const& visitor);

    /// Hands every change this hub applies to `sink`, as one log entry each (JSON), in
    /// the order applied: what another hub needs to apply the same log.
    /// @note Set before the hub handles anything; `sink` runs under hub locks, so it must
    /// not call back into the hub.
    void record_changes(std::function<void(std::string entry)> sink) { recorder_ = std::move(sink); }

    /// Applies a change another hub recorded, as that hub applied it: the same state,
    /// the same writes and ids, when both applied the same log before it. Nobody here
    /// asked for it, so nobody is answered; this hub's subscribers hear of it as usual.
    /// @return false for an entry that is not a change.
    bool apply_recorded(std::string_view entry);

    /// Conversations held in memory now (bounded by `limits.conversations_in_memory`).
    std::size_t conversations_in_memory();

    struct conversation_state;

    /// A validated conversation command, to apply in order, and what applying it
    /// changed, to commit and then announce (src/relay/hub_state.hpp).
    struct change;
    struct change_set;

private:

    /// Past `limits.conversations_in_memory`, drops idle conversations down to 90 % of
    /// it: one scan per tenth of the limit inserted. @note Caller holds conversations_mutex_.
    void trim_conversations();

    struct inbox_subscription;

    void start_conversation(client const& from, protocol::command const& cmd);
    /// A conversation.start applied: a new conversation (its id taken now), or a retry
    /// of one already started (`repeat_start`), or one waiting on a start being committed.
    void apply_start(change ch);
    static std::string encode(change const& ch);
    static std::optional<change> decode(std::string_view entry);
    void repeat_start(change const& ch, std::uint64_t cid);
    void subscribe(client const& from, protocol::command const& cmd);
    void subscribe_inbox(client const& from, protocol::command const& cmd);
    void unsubscribe(client const& from, protocol::command const& cmd);
    void create_part(client const& from, protocol::command const& cmd);
    void update_part(client const& from, protocol::command const& cmd, bool remove);
    void assign(client const& from, protocol::command const& cmd, bool transfer);
    void close(client const& from, protocol::command const& cmd);
    void tag(client const& from, protocol::command const& cmd);
    void report_event(client const& from, protocol::command const& cmd);
    void typing(client const& from, protocol::command const& cmd);
    void read(client const& from, protocol::command const& cmd);

    /// The change `cmd` from `from` asks of `st` with these arguments, decided now.
    change decide(client const& from, protocol::command const& cmd, conversation_state const& st,
                  boost::json::object args) const;
    /// Applies `ch` to `st` under its lock and commits what it changed, or answers its
    /// origin at once when it changes nothing or its state refuses it.
    void sequence(std::shared_ptr<conversation_state> const& st, change ch);
    /// What `ch` does to `st`: its state is updated, the result is what to commit and
    /// announce, or why `st` refuses it now (re-checked here, against the state it meets).
    /// @note Caller holds the conversation's mutex.
    expected<change_set, protocol::command_error> apply(conversation_state& st, change& ch);
    expected<change_set, protocol::command_error> apply_create(conversation_state& st, change& ch);
    expected<change_set, protocol::command_error> apply_part_update(conversation_state& st, change& ch);
    expected<change_set, protocol::command_error> apply_assign(conversation_state& st, change& ch);
    expected<change_set, protocol::command_error> apply_close(conversation_state& st, change& ch);
    expected<change_set, protocol::command_error> apply_tag(conversation_state& st, change& ch);
    expected<change_set, protocol::command_error> apply_event(conversation_state& st, change& ch);
    expected<change_set, protocol::command_error> apply_read(conversation_state& st, change& ch);

    /// Adds the conversation's aggregate and views to `change` and submits it; once
    /// committed, committed() applies it. @note Caller holds the conversation's mutex, so
    /// submit order is id order.
    void commit(std::shared_ptr<conversation_state> const& st, change_set change);
    /// The one place a commit's outcome is applied, in commit order: the hub's state
    /// (recent creates, the start table, a stale aggregate), the answer to the commanding
    /// connection and to retries that waited, and delivery to everyone else.
    void committed(std::shared_ptr<conversation_state> const& st, change_set& change,
                   std::optional<store::store_error> const& err);
    /// A new server-written part (`assigned`, `closed`, `tag_*`) in `out`, its id taken for `ch`.
    void add_server_part(conversation_state& st, change_set& out, change& ch, protocol::part_type type,
                         boost::json::object extra);
    /// A new event in `out`, its id taken for `ch`.
    void add_event(conversation_state& st, change_set& out, change& ch, std::string_view type, std::string text,
                   std::optional<protocol::person> employee, std::optional<std::string> page);
    void replay(client const& from, protocol::command const& cmd, std::shared_ptr<conversation_state> const& st,
                std::uint64_t after, bool recovered);
    /// Registers `conn` (at `address`) on `st` (once); `replaying` holds live parts back.
    /// @note Caller holds the conversation's mutex.
    void add_subscription(subscriber const* address, std::weak_ptr<subscriber> const& conn, bool visitor,
                          std::shared_ptr<conversation_state> const& st, bool replaying);

    /// The conversation named by the command's `conversation` field, as `from` may
    /// reach it; on any refusal answers `from` with the error and returns null.
    std::shared_ptr<conversation_state> open_named(client const& from, protocol::command const& cmd);

    /// The conversation `id` as `who` may reach it, loaded from the store on first use.
    expected<std::shared_ptr<conversation_state>, protocol::command_error>
    open(auth::actor const& who, std::uint64_t id, protocol::command const& cmd);

    /// Sends a committed part to every allowed subscriber but `origin`.
    /// @note Caller holds the conversation's mutex.
    void fan_out_part(conversation_state& st, std::uint64_t part_id, bool visitor_visible, subscriber const* origin,
                      std::shared_ptr<std::string const> const& frame);

    /// Sends a conversation update and its events to the site's inbox subscribers (and
    /// `events` also to staff subscribed to the conversation).
    /// @note Caller holds the conversation's mutex.
    void announce(conversation_state& st, std::shared_ptr<std::string const> const& conversation_frame,
                  std::vector<std::shared_ptr<std::string const>> const& event_frames);

    /// Whether anyone on `site` listens to the inbox: if not, nobody needs the
    /// conversation frame a part would otherwise build.
    bool inbox_listened(std::string const& site);

    void reply(client const& to, std::string frame) const;
    void fail(client const& to, protocol::command_error const& err) const;

    store::rocks_store& store_;
    store::commit_log& log_;
    config::limits const limits_;
    std::string const epoch_;
    telemetry::metrics& metrics_;

    std::atomic<std::uint64_t> last_part_id_;
    std::atomic<std::uint64_t> last_conversation_id_;
    std::atomic<std::uint64_t> last_event_id_;

    std::mutex conversations_mutex_;
    std::unordered_map<std::uint64_t, std::shared_ptr<conversation_state>> conversations_;
    /// Which conversations each connection subscribed to, so forget() is not a scan.
    std::unordered_map<subscriber const*, std::vector<std::weak_ptr<conversation_state>>> subscribed_by_conn_;

    std::mutex inbox_mutex_;
    std::unordered_map<std::string, std::vector<inbox_subscription>> inbox_;

    /// conversation.start being committed, by idempotency key; once committed the
    /// store's idempotency family answers retries.
    struct start_entry;
    std::function<void(std::string)> recorder_;
    std::mutex starts_mutex_;
    std::unordered_map<std::string, std::shared_ptr<start_entry>> starts_;
};

} // namespace parley::relay
