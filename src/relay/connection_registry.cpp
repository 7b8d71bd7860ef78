#include <parley/relay/connection_registry.hpp>

#include <algorithm>

namespace parley::relay {

connection_registry::connection_registry(std::uint32_t max_per_actor) : max_per_actor_(max_per_actor) {}

std::string connection_registry::key_of(auth::actor const& who) {
    // NUL cannot occur in JSON-decoded claims' site ids; it separates the parts safely.
    std::string key = who.site;
    key += '\0';
    key += auth::to_string(who.role);
    key += '\0';
    key += who.id;
    return key;
}

connection_registry::admission connection_registry::add(auth::actor const& who,
                                                        std::shared_ptr<subscriber> const& conn) {
    std::lock_guard lock(mutex_);
    if (closed_) return admission::closed;
    auto& list = by_actor_[key_of(who)];
    if (list.size() >= max_per_actor_) return admission::over_limit;
    list.push_back({conn.get(), conn});
    ++total_;
    return admission::admitted;
}

void connection_registry::remove(auth::actor const& who, subscriber const* conn) {
    std::lock_guard lock(mutex_);
    auto it = by_actor_.find(key_of(who));
    if (it == by_actor_.end()) return;
    auto& list = it->second;
    auto const pos = std::find_if(list.begin(), list.end(),
                                  [conn](entry const& e) { return e.address == conn; });
    if (pos == list.end()) return;
    list.erase(pos);
    --total_;
    if (list.empty()) by_actor_.erase(it);
}

std::size_t connection_registry::count(auth::actor const& who) const {
    std::lock_guard lock(mutex_);
    auto it = by_actor_.find(key_of(who));
    return it == by_actor_.end() ? 0 : it->second.size();
}

std::size_t connection_registry::size() const {
    std::lock_guard lock(mutex_);
    return total_;
}

std::vector<std::shared_ptr<subscriber>> connection_registry::live_connections(bool close) {
    std::vector<std::shared_ptr<subscriber>> live;
    std::lock_guard lock(mutex_);
    if (close) closed_ = true;
    for (auto const& [key, list] : by_actor_)
        for (auto const& e : list)
            if (auto s = e.conn.lock()) live.push_back(std::move(s));
    return live;
}

void connection_registry::close_all(close_reason why) {
    // Outside the lock: disconnect() may end up calling remove().
    for (auto const& s : live_connections(true)) s->disconnect(why);
}

std::shared_ptr<std::atomic<std::size_t>> connection_registry::stop_commands_all() {
    auto const live = live_connections(false);
    auto remaining = std::make_shared<std::atomic<std::size_t>>(live.size());
    for (auto const& s : live) s->stop_commands([remaining] { remaining->fetch_sub(1); });
    return remaining;
}

} // namespace parley::relay
