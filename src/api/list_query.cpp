// The filters of `GET /v1/conversations` (SPEC §5.1), read strictly from the query.

#include <parley/api/list_query.hpp>
#include <parley/protocol/fields.hpp>

#include <algorithm>
#include <charconv>

namespace parley::api {

using protocol::error_code;

namespace {

constexpr std::uint64_t max_per = 200;
constexpr std::uint64_t default_per = 50;
/// Pages beyond this are refused rather than skipped to: no client pages that far.
constexpr std::uint64_t max_page = 1'000'000;

using strings = std::vector<std::string>;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
    auto const yoe = static_cast<unsigned>(y - era * 400);
    unsigned const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t at, std::size_t n, unsigned& out) {
    if (at + n > s.size()) return false;
    auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
    return ec == std::errc{} && end == s.data() + at + n;
}

/// `2026-11-21T07:27:14.000Z`, `2026-11-21T07:27:14Z` or `2026-11-21` (UTC) as unix ms;
/// a bare date as an upper bound means the end of that day.
std::optional<std::uint64_t> parse_time(std::string_view s, bool upper) {
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
    if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d))
        return std::nullopt;
    static constexpr unsigned month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1]) return std::nullopt;
    bool const leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap) return std::nullopt;
    std::int64_t const day_ms = days_from_civil(y, mo, d) * 86'400'000;
    if (s.size() == 10) return static_cast<std::uint64_t>(day_ms + (upper ? 86'399'999 : 0));
    if (s.size() < 20 || s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
        s[16] != ':' || !digits(s, 17, 2, sec) || h > 23 || mi > 59 || sec > 59)
        return std::nullopt;
    std::size_t at = 19;
    if (s[at] == '.') {
        if (!digits(s, at + 1, 3, ms)) return std::nullopt;
        at += 4;
    }
    if (at + 1 != s.size() || s[at] != 'Z') return std::nullopt;
    return static_cast<std::uint64_t>(day_ms + ((h * 60 + mi) * 60 + sec) * 1000 + ms);
}

/// `name[from]` / `name[to]` as times or as integers in `min..max`.
expected<std::optional<index::bounds>, std::string> read_bounds(query_params const& q, std::string const& name,
                                                                bool time, std::uint64_t min, std::uint64_t max) {
    index::bounds b;
    for (bool upper : {false, true}) {
        auto const key = name + (upper ? "[to]" : "[from]");
        auto& end = upper ? b.to : b.from;
        if (time) {
            auto text = q.get(key);
            if (!text) continue;
            end = parse_time(*text, upper);
            if (!end) return unexpected{key + ": expected an ISO 8601 UTC time such as 2026-11-21T07:27:14.000Z, or a date"};
        } else {
            auto v = integer_param(q, key, min, max);
            if (!v) return unexpected{v.error()};
            end = *v;
        }
    }
    if (!b.from && !b.to) return std::optional<index::bounds>{};
    if (b.from && b.to && *b.from > *b.to) return unexpected{name + "[from]: after " + name + "[to]"};
    return std::optional<index::bounds>{b};
}

/// `ids` narrowed to `allowed` (both may be "any").
std::optional<strings> intersect(std::optional<strings> asked, std::optional<strings> const& allowed) {
    if (!allowed) return asked;
    if (!asked) return allowed;
    std::erase_if(*asked, [&](auto const& v) { return std::find(allowed->begin(), allowed->end(), v) == allowed->end(); });
    return asked;
}

} // namespace

expected<index::list_query, std::pair<error_code, std::string>> read_list_query(query_params const& q,
                                                                                auth::actor const& who) {
    auto bad = [](std::string m) { return unexpected{std::pair{error_code::bad_request, std::move(m)}}; };
    if (auto e = q.check({"status[]", "agent_id[]", "visitor_id[]", "department[]", "tag[]", "id[]",
                          "created_at[from]", "created_at[to]", "updated_at[from]", "updated_at[to]",
                          "ends_at[from]", "ends_at[to]", "message_count[from]", "message_count[to]",
                          "rating[from]", "rating[to]", "sort_column", "sort_direction", "page", "per"}))
        return bad(*e);
    index::list_query out;
    out.site = who.site;
    out.status = q.list("status");
    if (out.status)
        for (auto const& s : *out.status)
            if (s != "queued" && s != "assigned" && s != "finished")
                return bad("status[]: expected queued, assigned or finished");
    out.agent_id = q.list("agent_id");
    out.visitor_id = q.list("visitor_id");
    out.department = q.list("department");
    out.tag = q.list("tag");
    if (auto ids = q.list("id")) {
        out.ids.emplace();
        for (auto const& text : *ids) {
            std::uint64_t v = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec != std::errc{} || end != text.data() + text.size() || v == 0 || v > protocol::max_id)
                return bad("id[]: expected conversation ids (integers 1..2^53-1)");
            out.ids->push_back(v);
        }
    }
    struct range_param {
        char const* name;
        std::optional<index::bounds>& into;
        bool time;
        std::uint64_t min, max;
    };
    for (auto& r : {range_param{"created_at", out.created_at, true, 0, 0},
                    range_param{"updated_at", out.updated_at, true, 0, 0},
                    range_param{"ends_at", out.ends_at, true, 0, 0},
                    range_param{"message_count", out.message_count, false, 0, protocol::max_id},
                    range_param{"rating", out.rating, false, 1, 5}}) {
        auto b = read_bounds(q, r.name, r.time, r.min, r.max);
        if (!b) return bad(b.error());
        r.into = *b;
    }
    if (auto column = q.get("sort_column")) {
        if (*column == "created_at") out.sort = index::sort_column::created_at;
        else if (*column == "updated_at") out.sort = index::sort_column::updated_at;
        else if (*column == "id") out.sort = index::sort_column::id;
        else if (*column == "message_count") out.sort = index::sort_column::message_count;
        else return bad("sort_column: expected created_at, updated_at, id or message_count");
    }
    if (auto direction = q.get("sort_direction")) {
        if (*direction == "ASC") out.descending = false;
        else if (*direction == "DESC") out.descending = true;
        else return bad("sort_direction: expected ASC or DESC");
    }
    auto page = integer_param(q, "page", 1, max_page);
    if (!page) return bad(page.error());
    auto per = integer_param(q, "per", 1, max_per);
    if (!per) return bad(per.error());
    out.page = page->value_or(1);
    out.per = per->value_or(default_per);

    // The access rules become filters, so they hold for the count and every page.
    if (who.role == auth::role::visitor) {
        if (out.tag) return unexpected{std::pair{error_code::forbidden, std::string("tag[]: tags are for operators and bots")}};
        out.visitor_id = intersect(std::move(out.visitor_id), strings{who.id});
    } else if (who.role == auth::role::operator_ && who.departments) {
        // Conversations without a department are everybody's, as live (hub access rules).
        if (out.department) out.department = intersect(std::move(out.department), who.departments);
        else
            out.allowed = [served = *who.departments](index::conversation_row const& r) {
                return !r.department || std::find(served.begin(), served.end(), *r.department) != served.end();
            };
    }
    return out;
}


} // namespace parley::api
