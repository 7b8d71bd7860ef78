#pragma once

#include <parley/expected.hpp>
#include <parley/index/conversation_row.hpp>
#include <parley/store/rocks_store.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace parley::index {

/// An inclusive range of a time (unix ms) or a count; either end may be open.
struct bounds {
    std::optional<std::uint64_t> from, to;
};

enum class sort_column { created_at, updated_at, id, message_count };

/// One page of the conversation list (SPEC §5.1). A value list that is nullopt
/// matches everything; an empty one matches nothing (a filter and an access rule that
/// do not intersect).
struct list_query {
    std::string site;
    std::optional<std::vector<std::string>> status, agent_id, visitor_id, department, tag;
    std::optional<std::vector<std::uint64_t>> ids;
    std::optional<bounds> created_at, updated_at, ends_at, message_count, rating;
    /// An access rule the indexes cannot serve (an operator's departments): checked on
    /// each candidate's row. Null accepts every row.
    std::function<bool(conversation_row const&)> allowed;
    sort_column sort = sort_column::created_at;
    bool descending = true;
    std::uint64_t page = 1;
    std::uint64_t per = 50;
};

struct list_page {
    /// The page's conversations, in the asked order.
    std::vector<std::uint64_t> ids;
    /// Every conversation the filters match (X-Total-Count).
    std::uint64_t total = 0;
};

/// Runs `q` on the indexes. The narrowest filter drives: each filter's entries are
/// counted up to a limit that grows eightfold until one count ends below it (none
/// further than the smallest complete count so far), and the smallest one's
/// conversations become the candidates, checked against the other filters on their
/// rows. When the driving filter is the sort order itself and nothing else is asked,
/// the page is read straight off that index and the total is a count of its keys,
/// so a time range costs what it matches, whatever the size of the store.
expected<list_page, store::store_error> run(store::rocks_store const& store, list_query const& q);

} // namespace parley::index
