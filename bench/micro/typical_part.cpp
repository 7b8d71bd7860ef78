#include "typical_part.hpp"

#include <parley/protocol/command.hpp>
#include <parley/protocol/conversation_counters.hpp>
#include <parley/protocol/part.hpp>
#include <parley/store/keyspace.hpp>

#include <boost/json.hpp>

#include <stdexcept>

namespace parley::micro {

namespace json = boost::json;

namespace {

/// When every part is written: a fixed instant keeps records the same size run to run.
constexpr std::int64_t now_ms = 1'700'000'100'000;

/// Where the random_id starts to vary in an idempotency key: its last 16 characters.
constexpr std::size_t random_id_digits = 16;

/// Writes `id` as 16 lower-case hex digits at `out`.
void put_hex(char* out, std::uint64_t id) {
    for (std::size_t i = random_id_digits; i-- > 0; id >>= 4) out[i] = "0123456789abcdef"[id & 0xF];
}

/// A client random_id of fixed width, so renumber() can rewrite it in place.
std::string random_id_for(std::uint64_t id) {
    std::string text(1 + random_id_digits, 'p');
    put_hex(text.data() + 1, id);
    return text;
}

std::string idempotency_value(std::uint64_t id) {
    return store::key::encode_u64(id) + store::key::encode_u64(static_cast<std::uint64_t>(now_ms));
}

} // namespace

auth::actor const& typical_visitor() {
    static auth::actor const visitor{"demo", "bench-v1", auth::role::visitor, "Anna", std::nullopt};
    return visitor;
}

std::string part_create_frame(std::uint64_t conversation, std::uint64_t seq) {
    // Exactly what bench/pairs.cpp sends with its default 64-byte body.
    std::string frame = R"({"op":"part.create","conversation":)";
    frame += std::to_string(conversation);
    frame += R"(,"type":"reply_user","random_id":"p)";
    frame += std::to_string(seq);
    frame += R"(","body":"seq:)";
    frame += std::to_string(seq);
    frame += ";";
    frame.append(48, 'x');
    frame += R"("})";
    return frame;
}

protocol::conversation typical_conversation(std::uint64_t id) {
    protocol::conversation c;
    c.id = id;
    c.site = "demo";
    c.visitor = {"bench-v1", "Anna"};
    c.status = "assigned";
    c.department = "sales";
    c.assignee = protocol::person{"op-17", "Olga Petrova"};
    c.employees = {{"op-17", "Olga Petrova"}, {"bot-1", "Helper"}};
    c.tags = {"vip", "delivery"};
    c.message_count = 37;
    c.created_at = now_ms - 600'000;
    c.updated_at = now_ms;
    c.assigned_at = now_ms - 570'000;
    c.first_msg_sent_at = now_ms - 599'000;
    c.last_msg_sent_at = now_ms;
    c.answered = true;
    c.widget["widget_type"] = "chat";
    c.widget["widget_id"] = "w-5f3a9c";
    c.widget["entry_page"] = "https://shop.example/catalog/shoes/red-sneakers";
    c.widget["int_referer"] = "https://shop.example/catalog/shoes";
    c.widget["visit_count"] = 3;
    c.widget["page_count"] = 7;
    c.widget["country"] = "Russia";
    c.widget["city"] = "Saint Petersburg";
    c.response_count = 18;
    c.response_total_ms = 412'000;
    c.response_longest_ms = 61'000;
    c.last_part_id = 1'000'000;
    c.last_visitor_part_id = 1'000'000;
    c.visitor_read_up_to = 999'990;
    c.operator_read_up_to = 999'998;
    return c;
}

store::write_set part_write_set(std::uint64_t conversation, std::uint64_t id) {
    // The same calls as hub::create_part, from the frame the client sent.
    auto const& from = typical_visitor();
    auto cmd = protocol::parse_command(part_create_frame(conversation, id));
    if (!cmd) throw std::logic_error("the typical frame does not parse: " + cmd.error().message);
    auto req = protocol::parse_part_create(*cmd, from.role, config::limits{});
    if (!req) throw std::logic_error("the typical part.create is refused: " + req.error().message);
    auto part = protocol::make_part(id, conversation, now_ms / 1000, req->type, std::move(req->content), from,
                                    protocol::sent_via_websocket(from.role), false);

    auto const random_id = random_id_for(id);
    store::write_set change;
    change.add(store::family::parts, store::key::part(conversation, id), json::serialize(part));
    change.add(store::family::idempotency,
               store::key::idempotency(from.site, conversation, auth::to_string(from.role), from.id, random_id),
               idempotency_value(id));
    // An ordinary part changes only the conversation's counters (see store_aggregate).
    change.add(store::family::conversations, store::key::conversation_counters(conversation),
               protocol::encode_counters(typical_conversation(conversation)));
    change.last_part_id = id;
    return change;
}

void renumber(store::write_set& change, std::uint64_t id) {
    // The part key ends with the id (key::trailing_id), the idempotency key with the
    // random_id; both have a fixed width here, so they are overwritten, not rebuilt.
    auto& part_key = change.puts[0].key;
    part_key.replace(part_key.size() - 8, 8, store::key::encode_u64(id));
    auto& idempotency_key = change.puts[1].key;
    put_hex(idempotency_key.data() + idempotency_key.size() - random_id_digits, id);
    change.last_part_id = id;
}

std::size_t payload_bytes(store::write_set const& change) {
    std::size_t bytes = 0;
    for (auto const& put : change.puts) bytes += put.key.size() + put.value.size();
    return bytes;
}

} // namespace parley::micro
