#pragma once

#include <parley/auth/actor.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley::auth {

/// Tokens whose signature and claims were already checked, with the actor each speaks
/// for: a keep-alive client sends the same token with every request, and verifying it
/// (base64, HMAC, two JSON parses) was a large share of a short history read.
///
/// Bounded: two generations of at most `capacity` entries each; when the newer one is
/// full it becomes the older one and the older one is dropped, so a token in use stays
/// and the rest age out. Only verified tokens enter, so filling it needs valid tokens.
/// An entry answers only before its token's `exp`.
/// @note Thread-safe.
class verified_tokens {
public:
    explicit verified_tokens(std::size_t capacity = 1024) : capacity_(capacity) {}

    /// The actor of `token` if it was verified before and has not expired at `now_unix`.
    std::optional<actor> find(std::string_view token, std::int64_t now_unix);

    /// Remembers a token that verified, until `expires_at` (its `exp`, unix seconds).
    void remember(std::string_view token, actor const& who, double expires_at);

    /// Entries held, both generations.
    std::size_t size() const;

private:
    struct entry {
        actor who;
        double expires_at;
    };
    struct text_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using table = std::unordered_map<std::string, entry, text_hash, std::equal_to<>>;

    std::size_t capacity_;
    mutable std::mutex mutex_;
    table newer_, older_;
};

} // namespace parley::auth
