#include <parley/store/keyspace.hpp>

namespace parley::store::key {

std::string encode_u64(std::uint64_t v) {
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xFF);
    return out;
}

std::uint64_t decode_u64(std::string_view bytes) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8 && i < bytes.size(); ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
    return v;
}

std::string conversation_prefix(std::uint64_t conversation) { return encode_u64(conversation); }

std::string part(std::uint64_t conversation, std::uint64_t id) { return encode_u64(conversation) + encode_u64(id); }

std::string event(std::uint64_t conversation, std::uint64_t id) { return encode_u64(conversation) + encode_u64(id); }

std::string conversation(std::uint64_t id) { return encode_u64(id); }

std::string conversation_counters(std::uint64_t id) { return encode_u64(id) + '\x01'; }

std::string idempotency(std::string_view site, std::uint64_t conversation, std::string_view role,
                        std::string_view actor, std::string_view random_id) {
    std::string k(site);
    k.push_back('\0');
    k += encode_u64(conversation);
    k.append(role).push_back('\0');
    k.append(actor).push_back('\0');
    k.append(random_id);
    return k;
}

std::uint64_t trailing_id(std::string_view key) {
    return key.size() < 8 ? 0 : decode_u64(key.substr(key.size() - 8));
}

} // namespace parley::store::key
