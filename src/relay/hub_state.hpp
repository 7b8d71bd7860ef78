#pragma once
// The hub's internal state; private to src/relay.

#include <parley/index/conversation_row.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/protocol/part.hpp>
#include <parley/relay/hub.hpp>

#include "hub_lock.hpp"

#include <boost/container/deque.hpp>
#include <boost/container/small_vector.hpp>
#include <boost/json/object.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <functional>
#include <tuple>

namespace parley::relay {

/// Someone waiting for a create that is still being committed (a retry that raced it).
/// Not an owner: a waiter whose connection closes is simply not answered, and the
/// connection ends where it closed, not in a completion under the conversation's lock.
struct waiter {
    subscriber const* address;
    std::weak_ptr<subscriber> conn;
    std::optional<std::string> ref;
    bool visitor = false;
};

struct hub::conversation_state {
    std::mutex mutex;
    protocol::conversation data;

    struct subscription {
        subscriber const* address;
        std::weak_ptr<subscriber> conn;
        bool visitor;
        /// While replaying, live parts are held here and released after the replay, so
        /// nothing is missed and nothing arrives twice or out of order.
        bool replaying = false;
        std::vector<std::pair<std::uint64_t, std::shared_ptr<std::string const>>> held;
        /// The replay delivered every part up to this id. A part can be in the store
        /// (so the replay read it) before its commit completion fans it out; live
        /// fan-out skips those instead of sending them twice.
        std::uint64_t replayed_up_to = 0;
    };
    std::vector<subscription> subscribers;

    /// Recent creates by idempotency key (role, actor, random_id); older ones are found
    /// in the store's idempotency family.
    struct recent_create {
        std::uint64_t part_id = 0;
        bool committed = false;
        std::vector<waiter> waiters;
        /// When it was taken: past `idempotency_window_s` the same key is a new part.
        std::int64_t at_ms = 0;
    };
    /// Open addressing: a create looks its key up three or four times, and the nodes of
    /// a node-based map cost a cache miss each.
    boost::unordered_flat_map<std::string, recent_create> recent;
    /// Boost's deque allocates nothing until used; std::deque takes ~600 bytes at
    /// construction, for every conversation in memory.
    boost::container::deque<std::string> recent_order;

    /// Parts rewritten (edited, removed) by changes not yet committed, with the change
    /// that wrote each last: the next edit or removal of one starts from this record,
    /// not from the store, which does not have it yet.
    boost::unordered_flat_map<std::uint64_t, std::pair<std::string, std::uint64_t>> unsettled_parts;
    std::uint64_t part_rewrites = 0;

    /// A commit failed after the aggregate was updated in memory: reload before use.
    bool stale = false;
    /// The list's index entries as the last submitted change left them (SPEC §5.1):
    /// the next change moves only the entries whose value it changes.
    std::optional<index::conversation_row> indexed;
};

struct hub::inbox_subscription {
    subscriber const* address;
    std::weak_ptr<subscriber> conn;
    auth::actor actor;
    bool parts;
};

/// A conversation.start being committed; retries wait here until it completes.
struct hub::start_entry {
    std::uint64_t conversation = 0;
    std::vector<waiter> waiters;
};

/// A conversation command as decided, before it is applied: what it asks (its op and
/// validated arguments), who asks and when. Applying one reads only it and the
/// conversation's state, so any node applying the same changes in the same order gets
/// the same result; the ids it needs are taken when it is applied, in that order.
struct hub::change {
    std::string op;
    std::uint64_t conversation = 0;
    /// Who asks. Borrowed from the connection for a change taken here (it is applied
    /// within the call that took it), owned for one read from a log entry.
    std::shared_ptr<auth::actor const> by;
    std::int64_t at_ms = 0;
    boost::json::object args;
    /// A part.create's arguments, typed: the hot path, kept off `args` so that taking a
    /// part copies nothing (the log entry spells them out in `args`).
    std::optional<protocol::part_request> part;
    bool over_http = false;
    /// The ids applying it took, in the order taken: a change applied again elsewhere
    /// takes the same ones (hub::take_id), whatever that node applied meanwhile. Most
    /// changes take one or two: no allocation for those.
    struct taken_ids {
        boost::container::small_vector<std::uint64_t, 2> ids;
        std::size_t used = 0;
    };
    taken_ids conversations, parts, events;
    /// Read from a log entry: it was decided (and its retries told apart) where it was
    /// taken, so applying it here only repeats what it did there.
    bool logged = false;
    /// Local to the node that took the command: where the answer goes.
    std::shared_ptr<subscriber> origin;
    std::optional<std::string> ref;
};

/// What one command changed in a conversation: written in one commit, then applied by
/// hub::committed (the only place a commit's outcome reaches the hub and its clients).
struct hub::change_set {
    store::write_set writes;
    /// The aggregate's whole record is rewritten, not only its counters.
    bool whole_record = true;
    /// New parts, for everyone allowed: (part id, frame, visible to visitors).
    std::vector<std::tuple<std::uint64_t, std::shared_ptr<std::string const>, bool>> parts;
    /// The commanding connection gets `reply` instead of the parts (a part.create's ack).
    bool parts_skip_origin = false;
    /// `part.updated` (or `read`) for the others: (frame, visible to visitors).
    std::vector<std::pair<std::shared_ptr<std::string const>, bool>> updated;
    std::vector<std::shared_ptr<std::string const>> events;
    /// Status, assignee, department or tags changed: every subscriber gets the
    /// conversation (the commanding connection too unless `reply` carries it).
    bool conversation_changed = false;
    bool reply_is_conversation = true;
    /// The conversation as staff and visitors see it after the change; the staff view
    /// also goes to the site's inbox. Null when nobody is to get it.
    std::shared_ptr<std::string const> staff_view;
    std::shared_ptr<std::string const> visitor_view;

    /// Who asked, and the answer once committed; a failed commit answers `unavailable`
    /// with `ref` and `random_id`, and says what could not be stored.
    std::shared_ptr<subscriber> origin;
    std::string reply;
    std::optional<std::string> ref;
    std::optional<std::string> random_id;
    std::string_view failure = "could not store the change";

    /// A part.create: its entry among the conversation's recent creates, whose waiters
    /// are answered as duplicates of `part_json`.
    std::optional<std::string> create_key;
    std::string part_json;
    /// A conversation.start: its entry in the start table (retries waiting on it are
    /// subscribed and answered with `started` for their own view).
    std::shared_ptr<start_entry> start;
    std::string start_key;
    std::function<std::string(protocol::conversation const&, std::optional<std::string> const& ref)> started;

    /// Parts this change rewrote, by (part id, rewrite number): settled once committed.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> rewrites;

    /// The change as one log entry, handed to the hub's recorder once committed.
    std::string log_entry;

    /// Nothing to store (closing a finished conversation, a read that moves no cursor):
    /// `reply` is answered at once.
    bool unchanged = false;
};

/// The next id from `counter` for a change: the one it took when first applied, or (the
/// first time) a fresh one, remembered in `taken`. Ids taken elsewhere raise `counter`,
/// so this node's own next ids stay above them.
inline std::uint64_t take_id(std::atomic<std::uint64_t>& counter, hub::change::taken_ids& taken) {
    if (taken.used < taken.ids.size()) {
        auto const id = taken.ids[taken.used++];
        for (auto seen = counter.load(); seen < id && !counter.compare_exchange_weak(seen, id);) {
        }
        return id;
    }
    auto const id = ++counter;
    taken.ids.push_back(id);
    ++taken.used;
    return id;
}

/// How many recent creates each conversation remembers in memory.
inline constexpr std::size_t recent_creates_kept = 256;

/// A frame every recipient shares: serialized once, never copied per connection.
using frame_ptr = std::shared_ptr<std::string const>;

inline frame_ptr share(std::string frame) {
    return std::make_shared<std::string const>(std::move(frame));
}

/// Whether `who` may see conversations of `department` (operators with `departments`).
bool serves_department(auth::actor const& who, std::optional<std::string> const& department);

/// Access to a conversation (SPEC §1, §4): another site's is `not_found`, another
/// visitor's or another department's is `forbidden`.
std::optional<protocol::command_error> check_access(auth::actor const& who, protocol::conversation const& c,
                                                    protocol::command const& cmd);

/// The conversation's stored aggregate, into `writes`: the counters always, the whole
/// record too when `whole` (see protocol::encode_counters for why they are apart), and
/// the list's index entries that moved since `indexed`, which is brought up to date.
void store_aggregate(store::write_set& writes, protocol::conversation const& c,
                     std::optional<index::conversation_row>& indexed, bool whole);

/// The idempotency key of a create inside one conversation.
std::string create_key(auth::actor const& who, std::string_view random_id);

} // namespace parley::relay
