#include <parley/index/conversation_row.hpp>
#include <parley/store/keyspace.hpp>

namespace parley::index {

namespace {

// Layout: id8 created8 ends8 rating1 then strings, each a 2-byte
// big-endian length and the bytes: site, status, visitor, agent, department, tags...
// An absent ends_at is 0, an absent rating 0 (ratings are 1..5), an absent agent or
// department a length of 0xFFFF.
constexpr std::uint16_t absent = 0xFFFF;

void put_u64(std::string& out, std::uint64_t v) { out += store::key::encode_u64(v); }

void put_string(std::string& out, std::optional<std::string> const& s) {
    auto const n = s ? static_cast<std::uint16_t>(std::min<std::size_t>(s->size(), absent - 1)) : absent;
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
    if (s) out.append(s->data(), n);
}

struct reader {
    std::string_view in;
    bool ok = true;

    std::uint64_t u64() {
        if (in.size() < 8) return ok = false, 0;
        auto v = store::key::decode_u64(in.substr(0, 8));
        in.remove_prefix(8);
        return v;
    }
    std::optional<std::string> string() {
        if (in.size() < 2) return ok = false, std::nullopt;
        auto const n = static_cast<std::uint16_t>((static_cast<unsigned char>(in[0]) << 8) | static_cast<unsigned char>(in[1]));
        in.remove_prefix(2);
        if (n == absent) return std::nullopt;
        if (in.size() < n) return ok = false, std::nullopt;
        std::string s(in.substr(0, n));
        in.remove_prefix(n);
        return s;
    }
};

} // namespace

conversation_row row_of(protocol::conversation const& c) {
    conversation_row r;
    r.id = c.id;
    r.site = c.site;
    r.created_at = c.created_at;
    r.updated_at = c.updated_at;
    r.ends_at = c.ends_at;
    r.status = c.status;
    if (c.assignee) r.agent_id = c.assignee->id;
    r.visitor_id = c.visitor.id;
    r.department = c.department;
    r.message_count = c.message_count;
    r.rating = c.rating;
    r.tags = c.tags;
    return r;
}

bool same_stored_row(conversation_row const& a, conversation_row const& b) {
    return a.id == b.id && a.site == b.site && a.created_at == b.created_at && a.ends_at == b.ends_at &&
           a.status == b.status && a.agent_id == b.agent_id && a.visitor_id == b.visitor_id &&
           a.department == b.department && a.rating == b.rating && a.tags == b.tags;
}

std::string encode_row(conversation_row const& row) {
    std::string out;
    out.reserve(32 + row.site.size() + row.status.size() + row.visitor_id.size() + 16);
    put_u64(out, row.id);
    put_u64(out, static_cast<std::uint64_t>(row.created_at));
    put_u64(out, static_cast<std::uint64_t>(row.ends_at.value_or(0)));
    out += static_cast<char>(row.rating.value_or(0));
    put_string(out, row.site);
    put_string(out, row.status);
    put_string(out, row.visitor_id);
    put_string(out, row.agent_id);
    put_string(out, row.department);
    for (auto const& t : row.tags) put_string(out, t);
    return out;
}

std::optional<conversation_row> decode_row(std::string_view bytes) {
    reader in{bytes};
    conversation_row r;
    r.id = in.u64();
    r.created_at = static_cast<std::int64_t>(in.u64());
    if (auto ends = static_cast<std::int64_t>(in.u64())) r.ends_at = ends;
    if (in.in.empty()) return std::nullopt;
    if (auto rating = static_cast<unsigned char>(in.in[0])) r.rating = rating;
    in.in.remove_prefix(1);
    auto site = in.string(), status = in.string(), visitor = in.string();
    r.agent_id = in.string();
    r.department = in.string();
    if (!in.ok || !site || !status || !visitor) return std::nullopt;
    r.site = std::move(*site);
    r.status = std::move(*status);
    r.visitor_id = std::move(*visitor);
    while (in.ok && !in.in.empty())
        if (auto tag = in.string()) r.tags.push_back(std::move(*tag));
    if (!in.ok) return std::nullopt;
    return r;
}

} // namespace parley::index
