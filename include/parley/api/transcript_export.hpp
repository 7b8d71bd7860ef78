#pragma once

#include <parley/api/api_call.hpp>
#include <parley/api/reader_pool.hpp>
#include <parley/relay/hub.hpp>
#include <parley/store/rocks_store.hpp>

#include <cstdint>

namespace parley::api {

/// `GET /v1/conversations/{id}/export?format=json|ndjson|text&redact=pii` (SPEC §5.6):
/// the whole transcript, as the asking actor may see it (a visitor's has no notes, no
/// tag parts and no events), optionally with the PII of SPEC §2.4 masked or dropped.
///  - `json`: `{"conversation", "events", "parts"}`;
///  - `ndjson`: one object per line, `{"conversation"}`, then `{"event"}`s, then `{"part"}`s;
///  - `text`: a transcript for people to read, one line per part.
/// @note Thread-safe; runs on the reader pool, so a large export holds no I/O thread.
class transcript_export {
public:
    transcript_export(store::rocks_store const& store, relay::hub& hub, reader_pool& readers);

    void handle(call_ptr const& call, std::uint64_t id) const;

private:
    store::rocks_store const& store_;
    relay::hub& hub_;
    reader_pool& readers_;
};

} // namespace parley::api
