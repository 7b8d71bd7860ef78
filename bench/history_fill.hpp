#pragma once
// The fill phase of `history`: conversations × parts written THROUGH the server (visitor
// connections pipelining conversation.start and part.create), every ack checked.

#include "delivery_check.hpp"
#include "event_loop.hpp"
#include "run_errors.hpp"
#include "scenario.hpp"

#include <optional>
#include <string>
#include <vector>

namespace parley::bench {

/// One conversation the history requests read, and how many parts it holds. Part i of
/// it (from 0) has a body starting `h<i>;`.
struct filled_conversation {
    std::uint64_t id = 0;
    std::uint32_t parts = 0;
};

struct fill_result {
    std::vector<filled_conversation> conversations;
    double seconds = 0;
    std::uint64_t parts = 0; ///< acknowledged
    check_totals checks;     ///< parts or starts never acknowledged, or twice
};

/// Writes o.fill_conversations conversations of o.fill_parts parts each, over
/// o.fill_connections visitor connections with o.fill_window commands in flight each.
/// The parts of one conversation are sent one after another's ack, so their ids follow
/// their bodies' numbers. Errors go to `errors`.
fill_result fill_history(event_loop& loop, target const& t, history_options const& o,
                         run_errors& errors);

/// Writes `id parts` lines. @return false if the file could not be written.
bool save_conversations(std::string const& path,
                        std::vector<filled_conversation> const& conversations);
/// Reads what save_conversations() wrote. @return nullopt if unreadable or empty.
std::optional<std::vector<filled_conversation>> load_conversations(std::string const& path);

} // namespace parley::bench
