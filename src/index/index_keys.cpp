#include <parley/index/index_keys.hpp>
#include <parley/store/keyspace.hpp>

#include <algorithm>
#include <bit>

namespace parley::index {

namespace {

std::string head(kind k, std::string_view site) {
    std::string out;
    out.reserve(2 + site.size() + 24);
    out += static_cast<char>(k);
    out.append(site);
    out += '\0';
    return out;
}

constexpr std::uint64_t minute_ms = 60'000;

/// message_count keeps its two leading bits: 0, 1, 2, 3, 4-5, 6-7, 8-11, 12-15, 16-23...
/// A conversation's entry moves about twice each time its count doubles.
std::uint64_t count_bucket(std::uint64_t v) {
    auto const width = std::bit_width(v);
    if (width <= 2) return v;
    auto const low = width - 2;
    return (v >> low) << low;
}

} // namespace

std::uint64_t bucket(kind k, std::uint64_t v) {
    if (k == kind::updated_at) return v - v % minute_ms;
    if (k == kind::message_count) return count_bucket(v);
    return v;
}

bool exact(kind k, std::uint64_t b) { return !bucketed(k) || (k == kind::message_count && b < 4); }

std::string prefix(kind k, std::string_view site) { return head(k, site); }

std::string prefix(kind k, std::string_view site, std::string_view value) {
    auto out = head(k, site);
    out.append(value);
    out += '\0';
    return out;
}

std::string entry(kind k, std::string_view site, std::uint64_t value, std::uint64_t conversation) {
    auto out = head(k, site);
    out += store::key::encode_u64(value);
    out += store::key::encode_u64(conversation);
    return out;
}

std::string row_key(std::string_view site, std::uint64_t conversation) {
    return head(kind::row, site) + store::key::encode_u64(conversation);
}

std::uint64_t conversation_of(std::string_view e) {
    return e.size() < 8 ? 0 : store::key::decode_u64(e.substr(e.size() - 8));
}

std::uint64_t number_of(std::string_view e, std::string_view pre) {
    return e.size() < pre.size() + 16 ? 0 : store::key::decode_u64(e.substr(pre.size(), 8));
}

namespace {

void move_number(store::write_set& writes, kind k, std::string_view site, std::uint64_t id,
                 std::optional<std::uint64_t> was, std::optional<std::uint64_t> now) {
    if (was) was = bucket(k, *was);
    if (now) now = bucket(k, *now);
    if (was == now) return;
    if (was) writes.erase(store::family::indexes, entry(k, site, *was, id));
    if (now) writes.add(store::family::indexes, entry(k, site, *now, id), {});
}

} // namespace

void move_activity(store::write_set& writes, conversation_row& row, std::int64_t updated_at,
                   std::uint64_t message_count) {
    move_number(writes, kind::updated_at, row.site, row.id, static_cast<std::uint64_t>(row.updated_at),
                static_cast<std::uint64_t>(updated_at));
    move_number(writes, kind::message_count, row.site, row.id, row.message_count, message_count);
    row.updated_at = updated_at;
    row.message_count = message_count;
}

bool add_changes(store::write_set& writes, std::optional<conversation_row> const& before, conversation_row const& after) {
    if (before && *before == after) return false;
    auto const written = writes.puts.size() + writes.erases.size();
    auto const& site = after.site;
    auto const id = after.id;
    // Field by field, not by comparing whole entry sets: this runs on the hot path for
    // every part, and most parts change nothing but the two bucketed values.
    auto number = [&](kind k, std::optional<std::uint64_t> was, std::optional<std::uint64_t> now) {
        move_number(writes, k, site, id, was, now);
    };
    auto text = [&](kind k, std::optional<std::string_view> was, std::optional<std::string_view> now) {
        if (was == now) return;
        if (was) writes.erase(store::family::indexes, prefix(k, site, *was) + store::key::encode_u64(id));
        if (now) writes.add(store::family::indexes, prefix(k, site, *now) + store::key::encode_u64(id), {});
    };
    auto time = [](std::optional<std::int64_t> t) {
        return t ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(*t)) : std::nullopt;
    };
    auto view = [](std::optional<std::string> const& s) {
        return s ? std::optional<std::string_view>(*s) : std::nullopt;
    };
    std::optional<conversation_row> const none;
    auto const& b = before ? before : none;
    // created_at entries carry the row (below): moved here only when the time moves.
    if (b && b->created_at != after.created_at)
        writes.erase(store::family::indexes, entry(kind::created_at, site, static_cast<std::uint64_t>(b->created_at), id));
    number(kind::updated_at, b ? time(b->updated_at) : std::nullopt, time(after.updated_at));
    number(kind::ends_at, b ? time(b->ends_at) : std::nullopt, time(after.ends_at));
    number(kind::message_count, b ? std::optional<std::uint64_t>(b->message_count) : std::nullopt, after.message_count);
    number(kind::rating, b ? time(b->rating) : std::nullopt, time(after.rating));
    text(kind::status, b ? std::optional<std::string_view>(b->status) : std::nullopt, after.status);
    text(kind::agent_id, b ? view(b->agent_id) : std::nullopt, view(after.agent_id));
    text(kind::visitor_id, b ? std::optional<std::string_view>(b->visitor_id) : std::nullopt, after.visitor_id);
    text(kind::department, b ? view(b->department) : std::nullopt, view(after.department));
    if (!b || b->tags != after.tags) {
        if (b)
            for (auto const& t : b->tags)
                if (std::find(after.tags.begin(), after.tags.end(), t) == after.tags.end()) text(kind::tag, t, std::nullopt);
        for (auto const& t : after.tags)
            if (!b || std::find(b->tags.begin(), b->tags.end(), t) == b->tags.end()) text(kind::tag, std::nullopt, t);
    }
    if (!before || !same_stored_row(*before, after)) {
        auto row = encode_row(after);
        writes.add(store::family::indexes, entry(kind::created_at, site, static_cast<std::uint64_t>(after.created_at), id), row);
        writes.add(store::family::indexes, row_key(site, id), std::move(row));
    }
    return writes.puts.size() + writes.erases.size() != written;
}

} // namespace parley::index
