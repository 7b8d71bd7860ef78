#pragma once

#include <parley/api/query_params.hpp>
#include <parley/auth/actor.hpp>
#include <parley/expected.hpp>
#include <parley/index/conversation_query.hpp>
#include <parley/protocol/error_code.hpp>

#include <string>
#include <utility>

namespace parley::api {

/// The list query a request asks for (filters, sort, page), with `who`'s access rules
/// made into filters so they hold for the count and every page.
/// @return it, or the 400 (or 403) to answer: every message starts with the parameter.
expected<index::list_query, std::pair<protocol::error_code, std::string>> read_list_query(query_params const& q,
                                                                                          auth::actor const& who);

} // namespace parley::api
