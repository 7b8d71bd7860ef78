#include <parley/auth/verified_tokens.hpp>

namespace parley::auth {

std::optional<actor> verified_tokens::find(std::string_view token, std::int64_t now_unix) {
    std::lock_guard lock(mutex_);
    auto const alive = [&](entry const& e) { return e.expires_at > static_cast<double>(now_unix); };
    if (auto it = newer_.find(token); it != newer_.end()) {
        if (alive(it->second)) return it->second.who;
        newer_.erase(it);
        return std::nullopt;
    }
    auto it = older_.find(token);
    if (it == older_.end()) return std::nullopt;
    auto node = older_.extract(it);
    if (!alive(node.mapped())) return std::nullopt;
    auto who = node.mapped().who;
    if (newer_.size() >= capacity_) older_ = std::move(newer_), newer_ = {};
    newer_.insert(std::move(node));
    return who;
}

void verified_tokens::remember(std::string_view token, actor const& who, double expires_at) {
    std::lock_guard lock(mutex_);
    if (newer_.size() >= capacity_) older_ = std::move(newer_), newer_ = {};
    newer_.insert_or_assign(std::string(token), entry{who, expires_at});
}

std::size_t verified_tokens::size() const {
    std::lock_guard lock(mutex_);
    return newer_.size() + older_.size();
}

} // namespace parley::auth
