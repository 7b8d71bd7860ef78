#include <parley/net/frame_header.hpp>

namespace parley::net {

frame_header encode_frame_header(std::uint8_t opcode, std::size_t payload_bytes) {
    frame_header h;
    h.bytes[0] = static_cast<unsigned char>(0x80 | (opcode & 0x0F));
    if (payload_bytes < 126) {
        h.bytes[1] = static_cast<unsigned char>(payload_bytes);
        h.size = 2;
    } else if (payload_bytes <= 0xFFFF) {
        h.bytes[1] = 126;
        h.bytes[2] = static_cast<unsigned char>(payload_bytes >> 8);
        h.bytes[3] = static_cast<unsigned char>(payload_bytes);
        h.size = 4;
    } else {
        h.bytes[1] = 127;
        auto const n = static_cast<std::uint64_t>(payload_bytes);
        for (int i = 0; i < 8; ++i) h.bytes[static_cast<std::size_t>(2 + i)] = static_cast<unsigned char>(n >> (56 - 8 * i));
        h.size = 10;
    }
    return h;
}

} // namespace parley::net
