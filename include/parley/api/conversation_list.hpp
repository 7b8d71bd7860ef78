#pragma once

#include <parley/api/api_call.hpp>
#include <parley/api/reader_pool.hpp>
#include <parley/store/rocks_store.hpp>

namespace parley::api {

/// `GET /v1/conversations` (SPEC §5.1): the filters of the list API, sorting, pages of
/// `per`, `X-Total-Count` and `Link: rel="next"`. Served from the indexes
/// (index::run); only the page's conversations are read whole.
/// Access: visitors list their own conversations, operators with `departments` those
/// departments' (and those without one), operators and bots otherwise their site.
/// @note Thread-safe; the store is read on the reader pool.
class conversation_list {
public:
    conversation_list(store::rocks_store const& store, reader_pool& readers);

    void handle(call_ptr const& call) const;

private:
    store::rocks_store const& store_;
    reader_pool& readers_;
};

} // namespace parley::api
