#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace parley::net {

/// The header of one unmasked, unfragmented server frame (RFC 6455 §5.2): FIN, no
/// extension bits (parley negotiates none), the opcode and the payload length.
struct frame_header {
    static constexpr std::uint8_t text = 0x1;
    static constexpr std::uint8_t ping = 0x9;

    std::array<unsigned char, 10> bytes{};
    std::size_t size = 0;
};

/// Encodes the header of a frame carrying `payload_bytes` of `opcode`.
frame_header encode_frame_header(std::uint8_t opcode, std::size_t payload_bytes);

} // namespace parley::net
