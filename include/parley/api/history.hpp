#pragma once

#include <parley/api/http_types.hpp>
#include <parley/auth/token.hpp>
#include <parley/relay/hub.hpp>
#include <parley/store/rocks_store.hpp>

#include <cstdint>
#include <string_view>

namespace parley::api {

/// The read side over HTTP (SPEC §5.2, §5.4, §5.5): a conversation, its parts and its
/// events, with the same access rules as live delivery. Visitors never get notes or
/// tag parts, nor events.
/// @note Thread-safe. Reads run on the calling thread (RocksDB point reads and short
/// scans, mostly from memory).
class history {
public:
    history(store::rocks_store const& store, relay::hub& hub, auth::token_verifier const& tokens);

    /// Serves `GET /v1/conversations/{id}[/parts|/events]`; `rest` is the path after
    /// `/v1/conversations/`. @return nullopt when the path is not one of these.
    std::optional<http_response> handle(http_request const& req, std::string_view rest) const;

private:
    http_response conversation(http_request const& req, auth::actor const& who, std::uint64_t id) const;
    http_response parts(http_request const& req, auth::actor const& who, std::uint64_t id) const;
    http_response events(http_request const& req, auth::actor const& who, std::uint64_t id) const;

    store::rocks_store const& store_;
    relay::hub& hub_;
    auth::token_verifier const& tokens_;
};

} // namespace parley::api
