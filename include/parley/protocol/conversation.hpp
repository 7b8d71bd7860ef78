#pragma once

#include <parley/expected.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::protocol {

/// `{"id","name"}` of a visitor, operator or bot.
struct person {
    std::string id;
    std::optional<std::string> name;

    bool operator==(person const& o) const { return id == o.id; }
};

/// The conversation aggregate (SPEC §2.3): what the list, the panel and `subscribed`
/// show. Times are unix milliseconds here and ISO 8601 on the wire.
struct conversation {
    std::uint64_t id = 0;
    std::string site;
    person visitor;
    /// `queued` → `assigned` → `finished`; reopened back to `assigned` or `queued`.
    std::string status = "queued";
    std::optional<std::string> department;
    std::optional<person> assignee;
    std::vector<person> employees;
    std::vector<std::string> tags;
    std::uint64_t message_count = 0;
    std::uint64_t chat_count = 1;
    std::uint64_t call_count = 0;
    std::uint64_t lead_count = 0;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    std::optional<std::int64_t> assigned_at;
    std::optional<std::int64_t> ends_at;
    std::optional<std::int64_t> first_msg_sent_at;
    std::optional<std::int64_t> last_msg_sent_at;
    std::optional<std::int64_t> rating;
    /// Set when an operator or bot has replied (for `result`).
    bool answered = false;
    /// Widget-supplied fields kept as given: widget_type, widget_id, entry_page,
    /// ext_referer, int_referer, visit_count, page_count, prechat_fields,
    /// visitor_variables, country, city.
    boost::json::object widget;
    std::optional<std::string> search_engine;
    std::optional<std::string> search_query;

    // Bookkeeping behind derived fields; stored, never shown as such.
    std::uint64_t response_count = 0;
    std::int64_t response_total_ms = 0;
    std::int64_t response_longest_ms = 0;
    /// When the oldest visitor message still waiting for an answer arrived.
    std::optional<std::int64_t> awaiting_reply_since;
    /// Highest part id of the conversation, and highest a visitor may see.
    std::uint64_t last_part_id = 0;
    std::uint64_t last_visitor_part_id = 0;
    /// Read cursors (SPEC §3.2 `read`).
    std::uint64_t visitor_read_up_to = 0;
    std::uint64_t operator_read_up_to = 0;
};

/// Keys of conversation.start that the widget may set and parley keeps as given.
inline constexpr std::string_view widget_keys[] = {
    "widget_type", "widget_id",      "entry_page",        "ext_referer", "int_referer", "visit_count",
    "page_count",  "prechat_fields", "visitor_variables", "country",     "city",
};

/// Who is looking: visitors do not see `tags`.
enum class audience { staff, visitor };

/// The wire form (SPEC §2.3), with derived fields computed at `now_ms`.
boost::json::object to_json(conversation const& c, audience who, std::int64_t now_ms);

/// The stored form: the staff wire form plus the bookkeeping, so a reload is exact.
std::string to_stored(conversation const& c);

/// Parses to_stored() output. @return nullopt when the record is not readable.
std::optional<conversation> from_stored(std::string_view text);

/// Sets a stored part's `read` from the conversation's read cursors (SPEC §2.1): a
/// visitor's part is read once an operator read up to it; an operator's or bot's
/// visible part once the visitor did.
void derive_read(boost::json::object& part, conversation const& c);

/// derive_read()'s rule on the part's id, `type` and author's `role` alone.
bool read_by_peer(std::uint64_t id, std::string_view type, std::string_view role, conversation const& c);

/// `search_engine` and `search_query` from a search results page URL (google, yandex,
/// bing, duckduckgo, yahoo, baidu); nullopt when `referer` is not one.
std::optional<std::pair<std::string, std::string>> search_from_referer(std::string_view referer);

} // namespace parley::protocol
