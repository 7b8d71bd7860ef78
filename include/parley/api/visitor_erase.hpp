#pragma once

#include <parley/api/api_call.hpp>
#include <parley/api/reader_pool.hpp>
#include <parley/relay/hub.hpp>
#include <parley/store/rocks_store.hpp>

#include <string_view>

namespace parley::api {

/// `DELETE /v1/visitors/{id}` (SPEC §5.7): GDPR erase of a visitor across their
/// conversations on the operator's site, one atomic write per conversation (see
/// relay::hub::erase_visitor). Idempotent: a repeat answers with nothing erased.
/// Only an operator serving the whole site may erase: an erase limited to some
/// departments would leave the visitor's data in the others.
/// Answers `{"visitor":{"id"},"conversations":N,"parts_erased":M}`.
/// @note Thread-safe; runs on the reader pool.
class visitor_erase {
public:
    visitor_erase(store::rocks_store const& store, relay::hub& hub, reader_pool& readers);

    void handle(call_ptr const& call, std::string_view visitor) const;

private:
    store::rocks_store const& store_;
    relay::hub& hub_;
    reader_pool& readers_;
};

} // namespace parley::api
