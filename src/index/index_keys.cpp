#include <parley/index/index_keys.hpp>
#include <parley/store/keyspace.hpp>

#include <algorithm>
#include <set>

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

/// Every entry of a row, each a whole key.
std::set<std::string> entries_of(conversation_row const& r) {
    std::set<std::string> out;
    auto number = [&](kind k, std::uint64_t v) { out.insert(entry(k, r.site, v, r.id)); };
    auto text = [&](kind k, std::string_view v) { out.insert(prefix(k, r.site, v) + store::key::encode_u64(r.id)); };
    number(kind::created_at, static_cast<std::uint64_t>(r.created_at));
    number(kind::updated_at, static_cast<std::uint64_t>(r.updated_at));
    if (r.ends_at) number(kind::ends_at, static_cast<std::uint64_t>(*r.ends_at));
    number(kind::message_count, r.message_count);
    if (r.rating) number(kind::rating, static_cast<std::uint64_t>(*r.rating));
    text(kind::status, r.status);
    if (r.agent_id) text(kind::agent_id, *r.agent_id);
    text(kind::visitor_id, r.visitor_id);
    if (r.department) text(kind::department, *r.department);
    for (auto const& t : r.tags) text(kind::tag, t);
    return out;
}

} // namespace

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

bool add_changes(store::write_set& writes, std::optional<conversation_row> const& before, conversation_row const& after) {
    if (before && *before == after) return false;
    auto const now = entries_of(after);
    if (before) {
        auto const was = entries_of(*before);
        for (auto const& k : was)
            if (!now.contains(k)) writes.erase(store::family::indexes, k);
        for (auto const& k : now)
            if (!was.contains(k)) writes.add(store::family::indexes, k, {});
    } else {
        for (auto const& k : now) writes.add(store::family::indexes, k, {});
    }
    writes.add(store::family::indexes, row_key(after.site, after.id), encode_row(after));
    return true;
}

} // namespace parley::index
