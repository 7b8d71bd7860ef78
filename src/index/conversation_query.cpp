#include <parley/index/conversation_query.hpp>
#include <parley/index/index_keys.hpp>

#include "activity.hpp"
#include "bucketed_page.hpp"

#include <algorithm>
#include <limits>
#include <unordered_set>

namespace parley::index {

namespace {

using store::rocks_store;
using range = rocks_store::range;
constexpr auto unlimited = std::numeric_limits<std::size_t>::max();
/// Where the race between filters starts (see run()).
constexpr std::size_t first_count_limit = 64;

/// Where one filter's conversations are: ranges of one index, or ids given outright.
struct source {
    kind k;
    std::vector<range> ranges;
    std::vector<std::uint64_t> ids;
};

range whole(kind k, std::string_view site) { return {prefix(k, site), {}, {}, unlimited, false}; }

/// The entries that may hold values in `b`: of a bucketed kind, every bucket that
/// overlaps it (the rows' exact values decide).
range span(kind k, std::string_view site, bounds const& b) {
    auto r = whole(k, site);
    // Conversation 0 does not exist, so (value, 0) bounds every entry of `value`.
    if (b.from) r.after = entry(k, site, bucket(k, *b.from), 0);
    if (b.to && bucket(k, *b.to) < std::numeric_limits<std::uint64_t>::max())
        r.before = entry(k, site, bucket(k, *b.to) + 1, 0);
    return r;
}

void add_values(std::vector<source>& out, kind k, std::string_view site,
                std::optional<std::vector<std::string>> const& values) {
    if (!values) return;
    source s{k, {}, {}};
    for (auto const& v : *values) s.ranges.push_back({prefix(k, site, v), {}, {}, unlimited, false});
    out.push_back(std::move(s));
}

void add_bounds(std::vector<source>& out, kind k, std::string_view site, std::optional<bounds> const& b) {
    if (b) out.push_back({k, {span(k, site, *b)}, {}});
}

kind index_of(sort_column c) {
    switch (c) {
    case sort_column::created_at: return kind::created_at;
    case sort_column::updated_at: return kind::updated_at;
    case sort_column::message_count: return kind::message_count;
    case sort_column::id: return kind::row;
    }
    return kind::row;
}

std::uint64_t sort_value(conversation_row const& r, sort_column c) {
    switch (c) {
    case sort_column::created_at: return static_cast<std::uint64_t>(r.created_at);
    case sort_column::updated_at: return static_cast<std::uint64_t>(r.updated_at);
    case sort_column::message_count: return r.message_count;
    case sort_column::id: return r.id;
    }
    return r.id;
}

bool within(std::optional<bounds> const& b, std::optional<std::uint64_t> v) {
    if (!b) return true;
    if (!v) return false;
    return (!b->from || *v >= *b->from) && (!b->to || *v <= *b->to);
}

bool one_of(std::optional<std::vector<std::string>> const& values, std::optional<std::string> const& v) {
    if (!values) return true;
    return v && std::find(values->begin(), values->end(), *v) != values->end();
}

/// The whole query on one row: the driving filter too, so an entry left behind by a
/// failed commit can never let a conversation through that does not match.
bool matches(list_query const& q, conversation_row const& r) {
    auto time = [](std::int64_t t) { return std::optional<std::uint64_t>(static_cast<std::uint64_t>(t)); };
    if (q.ids && std::find(q.ids->begin(), q.ids->end(), r.id) == q.ids->end()) return false;
    if (!one_of(q.status, r.status) || !one_of(q.agent_id, r.agent_id) || !one_of(q.visitor_id, r.visitor_id) ||
        !one_of(q.department, r.department))
        return false;
    if (q.tag && std::none_of(r.tags.begin(), r.tags.end(), [&](auto const& t) { return one_of(q.tag, t); }))
        return false;
    if (!within(q.created_at, time(r.created_at)) || !within(q.updated_at, time(r.updated_at)) ||
        !within(q.ends_at, r.ends_at ? time(*r.ends_at) : std::nullopt) ||
        !within(q.message_count, r.message_count) ||
        !within(q.rating, r.rating ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(*r.rating)) : std::nullopt))
        return false;
    return !q.allowed || q.allowed(r);
}

/// Entries of `s`, counting no further than `limit`.
expected<std::size_t, store::store_error> count(rocks_store const& store, source const& s, std::size_t limit) {
    if (s.ranges.empty()) return std::min(s.ids.size(), limit);
    std::size_t n = 0;
    for (auto r : s.ranges) {
        if (n >= limit) break;
        r.limit = limit - n;
        auto c = store.count(store::family::indexes, r);
        if (!c) return unexpected{c.error()};
        n += *c;
    }
    return n;
}

/// Whether the query looks at the values the rows leave out.
bool needs_activity(list_query const& q) {
    return q.updated_at || q.message_count || q.sort == sort_column::updated_at ||
           q.sort == sort_column::message_count;
}

/// The page straight off the sort index: the driver is the sort order and the only filter.
expected<list_page, store::store_error> read_sorted(rocks_store const& store, list_query const& q, range r,
                                                    std::size_t total) {
    list_page page;
    page.total = total;
    auto const offset = (q.page - 1) * q.per;
    if (offset >= total) return page;
    r.from_end = q.descending;
    r.skip = offset;
    r.limit = q.per;
    auto keys = store.scan_keys(store::family::indexes, r);
    if (!keys) return unexpected{keys.error()};
    if (q.descending) std::reverse(keys->begin(), keys->end());
    for (auto const& k : *keys) page.ids.push_back(conversation_of(k));
    return page;
}

} // namespace

expected<list_page, store::store_error> run(rocks_store const& store, list_query const& q) {
    std::vector<source> sources;
    if (q.ids) sources.push_back({kind::row, {}, *q.ids});
    add_values(sources, kind::status, q.site, q.status);
    add_values(sources, kind::agent_id, q.site, q.agent_id);
    add_values(sources, kind::visitor_id, q.site, q.visitor_id);
    add_values(sources, kind::department, q.site, q.department);
    add_values(sources, kind::tag, q.site, q.tag);
    add_bounds(sources, kind::created_at, q.site, q.created_at);
    add_bounds(sources, kind::updated_at, q.site, q.updated_at);
    add_bounds(sources, kind::ends_at, q.site, q.ends_at);
    add_bounds(sources, kind::message_count, q.site, q.message_count);
    add_bounds(sources, kind::rating, q.site, q.rating);
    bool const filtered = !sources.empty();
    if (!filtered) sources.push_back({index_of(q.sort), {whole(index_of(q.sort), q.site)}, {}});

    // The race: every filter is counted up to a limit that grows eightfold until one
    // of them ends below it, and none past the smallest complete count so far; the
    // smallest drives. No filter is counted much past the narrowest one, whatever
    // order they come in.
    std::size_t best = 0, best_count = unlimited;
    if (sources.size() == 1) {
        auto n = count(store, sources[0], unlimited);
        if (!n) return unexpected{n.error()};
        best_count = *n;
    }
    for (std::size_t limit = first_count_limit; best_count == unlimited; limit *= 8) {
        for (std::size_t i = 0; i < sources.size(); ++i) {
            auto const bound = best_count == unlimited ? limit : std::min(limit, best_count + 1);
            auto n = count(store, sources[i], bound);
            if (!n) return unexpected{n.error()};
            if (*n < bound && *n < best_count) best = i, best_count = *n;
            if (best_count == 0) return list_page{};
        }
    }
    if (best_count == 0) return list_page{};
    auto const& driver = sources[best];
    bool const alone = sources.size() == 1 && !q.allowed && driver.ranges.size() == 1 && driver.k == index_of(q.sort);
    if (alone && !bucketed(driver.k)) return read_sorted(store, q, driver.ranges.front(), best_count);
    if (alone && !filtered) {
        // A bucketed index counts exactly only whole: one entry per conversation.
        list_page page;
        page.total = best_count;
        auto ids = bucketed_page(store, driver.k, driver.ranges.front(), (q.page - 1) * q.per, q.per, q.descending);
        if (!ids) return unexpected{ids.error()};
        page.ids = std::move(*ids);
        return page;
    }

    std::vector<std::pair<std::uint64_t, std::uint64_t>> found; // (sort value, id)
    auto consider = [&](std::uint64_t id, std::string_view stored) -> std::optional<store::store_error> {
        auto row = decode_row(stored);
        if (!row) return std::nullopt;
        if (needs_activity(q)) {
            auto now = activity_of(store, id);
            if (!now) return now.error();
            if (!*now) return std::nullopt; // a row without its counters: not a whole conversation
            row->updated_at = (*now)->updated_at;
            row->message_count = (*now)->message_count;
        }
        if (!matches(q, *row)) return std::nullopt;
        found.emplace_back(sort_value(*row, q.sort), id);
        return std::nullopt;
    };
    if (driver.k == kind::created_at) {
        // The rows are the entries' values.
        for (auto const& r : driver.ranges) {
            auto entries = store.scan(store::family::indexes, r);
            if (!entries) return unexpected{entries.error()};
            found.reserve(found.size() + entries->size());
            for (auto const& e : *entries)
                if (auto err = consider(conversation_of(e.key), e.value)) return unexpected{std::move(*err)};
        }
    } else {
        std::unordered_set<std::uint64_t> candidates(driver.ids.begin(), driver.ids.end());
        for (auto const& r : driver.ranges) {
            auto keys = store.scan_keys(store::family::indexes, r);
            if (!keys) return unexpected{keys.error()};
            for (auto const& k : *keys) candidates.insert(conversation_of(k));
        }
        found.reserve(candidates.size());
        for (auto const id : candidates) {
            auto stored = store.get(store::family::indexes, row_key(q.site, id));
            if (!stored) return unexpected{stored.error()};
            if (!*stored) continue; // an id that is not a conversation of this site
            if (auto err = consider(id, **stored)) return unexpected{std::move(*err)};
        }
    }
    if (q.descending) std::sort(found.begin(), found.end(), std::greater<>());
    else std::sort(found.begin(), found.end());
    list_page page;
    page.total = found.size();
    auto const offset = std::min<std::uint64_t>((q.page - 1) * q.per, found.size());
    auto const end = std::min<std::uint64_t>(offset + q.per, found.size());
    for (auto i = offset; i < end; ++i) page.ids.push_back(found[i].second);
    return page;
}

} // namespace parley::index
