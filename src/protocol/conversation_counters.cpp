#include <parley/protocol/conversation_counters.hpp>

#include <array>
#include <cstdint>
#include <optional>

namespace parley::protocol {

namespace {

/// Layout version; a record of another version is refused, not misread.
constexpr char format_version = 1;

/// Little-endian fixed-width fields in this order; the optional ones carry a presence bit.
enum field : std::size_t {
    updated_at,
    last_part_id,
    last_visitor_part_id,
    message_count,
    first_msg_sent_at,
    last_msg_sent_at,
    awaiting_reply_since,
    response_count,
    response_total_ms,
    response_longest_ms,
    rating,
    visitor_read_up_to,
    operator_read_up_to,
    answered,
    field_count,
};

constexpr std::size_t record_size = 1 + 4 + field_count * 8;

template <class T> std::uint64_t bits(T v) { return static_cast<std::uint64_t>(v); }

std::uint64_t field_of(std::string_view bytes, field f) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(bytes[5 + f * 8 + i])} << (8 * i);
    return v;
}

} // namespace

std::optional<activity> read_activity(std::string_view bytes) {
    if (bytes.size() != record_size || bytes[0] != format_version) return std::nullopt;
    return activity{static_cast<std::int64_t>(field_of(bytes, updated_at)), field_of(bytes, message_count)};
}

std::string encode_counters(conversation const& c) {
    std::array<std::uint64_t, field_count> v{};
    std::uint32_t present = 0;
    auto opt = [&](field f, std::optional<std::int64_t> const& o) {
        if (!o) return;
        present |= 1u << f;
        v[f] = bits(*o);
    };
    v[updated_at] = bits(c.updated_at);
    v[last_part_id] = c.last_part_id;
    v[last_visitor_part_id] = c.last_visitor_part_id;
    v[message_count] = c.message_count;
    opt(first_msg_sent_at, c.first_msg_sent_at);
    opt(last_msg_sent_at, c.last_msg_sent_at);
    opt(awaiting_reply_since, c.awaiting_reply_since);
    v[response_count] = c.response_count;
    v[response_total_ms] = bits(c.response_total_ms);
    v[response_longest_ms] = bits(c.response_longest_ms);
    opt(rating, c.rating);
    v[visitor_read_up_to] = c.visitor_read_up_to;
    v[operator_read_up_to] = c.operator_read_up_to;
    v[answered] = c.answered ? 1 : 0;

    std::string out(record_size, '\0');
    out[0] = format_version;
    for (std::size_t i = 0; i < 4; ++i) out[1 + i] = static_cast<char>((present >> (8 * i)) & 0xFF);
    for (std::size_t f = 0; f < field_count; ++f)
        for (std::size_t i = 0; i < 8; ++i) out[5 + f * 8 + i] = static_cast<char>((v[f] >> (8 * i)) & 0xFF);
    return out;
}

bool apply_counters(conversation& c, std::string_view bytes) {
    if (bytes.size() != record_size || bytes[0] != format_version) return false;
    std::uint32_t present = 0;
    for (std::size_t i = 0; i < 4; ++i) present |= std::uint32_t{static_cast<unsigned char>(bytes[1 + i])} << (8 * i);
    std::array<std::uint64_t, field_count> v{};
    for (std::size_t f = 0; f < field_count; ++f)
        for (std::size_t i = 0; i < 8; ++i)
            v[f] |= std::uint64_t{static_cast<unsigned char>(bytes[5 + f * 8 + i])} << (8 * i);
    auto opt = [&](field f) -> std::optional<std::int64_t> {
        if (!(present & (1u << f))) return std::nullopt;
        return static_cast<std::int64_t>(v[f]);
    };
    c.updated_at = static_cast<std::int64_t>(v[updated_at]);
    c.last_part_id = v[last_part_id];
    c.last_visitor_part_id = v[last_visitor_part_id];
    c.message_count = v[message_count];
    c.first_msg_sent_at = opt(first_msg_sent_at);
    c.last_msg_sent_at = opt(last_msg_sent_at);
    c.awaiting_reply_since = opt(awaiting_reply_since);
    c.response_count = v[response_count];
    c.response_total_ms = static_cast<std::int64_t>(v[response_total_ms]);
    c.response_longest_ms = static_cast<std::int64_t>(v[response_longest_ms]);
    c.rating = opt(rating);
    c.visitor_read_up_to = v[visitor_read_up_to];
    c.operator_read_up_to = v[operator_read_up_to];
    c.answered = v[answered] != 0;
    return true;
}

} // namespace parley::protocol
