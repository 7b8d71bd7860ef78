#pragma once

#include <parley/api/api_call.hpp>
#include <parley/api/reader_pool.hpp>
#include <parley/relay/hub.hpp>

#include <cstdint>

namespace parley::api {

/// The HTTP writes (SPEC §5.0, §5.3): `POST /v1/conversations` and
/// `POST /v1/conversations/{id}/parts` are `conversation.start` and `part.create` sent
/// through the hub exactly as a WebSocket sends them — same checks, same idempotency
/// keys (an HTTP create retried over WebSocket is a duplicate, and the reverse), same
/// commit, same fan-out. 201 with the new object, 200 with the original on a repeat.
/// @note Thread-safe; the hub runs on the reader pool, since it may read the store.
class http_commands {
public:
    http_commands(relay::hub& hub, reader_pool& readers);

    void start(call_ptr const& call) const;
    void create_part(call_ptr const& call, std::uint64_t conversation) const;

private:
    void send(call_ptr const& call, protocol::command cmd, std::string_view payload) const;

    relay::hub& hub_;
    reader_pool& readers_;
};

} // namespace parley::api
