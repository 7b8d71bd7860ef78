#pragma once

#include <parley/api/api_call.hpp>
#include <parley/api/reader_pool.hpp>
#include <parley/relay/hub.hpp>
#include <parley/store/rocks_store.hpp>

#include <cstdint>

namespace parley::api {

/// The read side over HTTP (SPEC §5.2, §5.4, §5.5): a conversation, its parts and its
/// events, with the same access rules as live delivery. Visitors never get notes or
/// tag parts, nor events.
/// @note Thread-safe. Every read runs on the reader pool, never on an I/O thread.
class history {
public:
    history(store::rocks_store const& store, relay::hub& hub, reader_pool& readers);

    /// `GET /v1/conversations/{id}[?include=events,parts]`
    void conversation(call_ptr const& call, std::uint64_t id) const;
    /// `GET /v1/conversations/{id}/parts?after&before&limit`
    void parts(call_ptr const& call, std::uint64_t id) const;
    /// `GET /v1/conversations/{id}/events?after&limit`
    void events(call_ptr const& call, std::uint64_t id) const;

private:
    store::rocks_store const& store_;
    relay::hub& hub_;
    reader_pool& readers_;
};

/// The HTTP status of a command error, as a JSON error answer to `call`.
void fail_with(api_call const& call, protocol::command_error const& e);

} // namespace parley::api
