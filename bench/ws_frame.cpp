#include "ws_frame.hpp"

namespace parley::bench::ws_frame {

parse_status parse(std::string_view data, header& out) {
    if (data.size() < 2) return parse_status::need_more;
    auto const b0 = static_cast<std::uint8_t>(data[0]);
    auto const b1 = static_cast<std::uint8_t>(data[1]);
    if ((b0 & 0x70) != 0 || (b1 & 0x80) != 0)
        return parse_status::invalid; // RSV bits, or masked by a server
    out.fin = (b0 & 0x80) != 0;
    out.op = static_cast<opcode>(b0 & 0x0F);
    std::uint64_t len = b1 & 0x7F;
    std::size_t extra = len == 126 ? 2 : len == 127 ? 8 : 0;
    if (data.size() < 2 + extra) return parse_status::need_more;
    if (extra) {
        len = 0;
        for (std::size_t i = 0; i < extra; ++i)
            len = (len << 8) | static_cast<std::uint8_t>(data[2 + i]);
    }
    out.header_bytes = 2 + extra;
    out.payload_bytes = len;
    return parse_status::ok;
}

void append_client_frame(std::string& out, opcode op, std::string_view payload,
                         std::uint32_t mask) {
    out += static_cast<char>(0x80 | static_cast<std::uint8_t>(op));
    auto const n = payload.size();
    if (n < 126) {
        out += static_cast<char>(0x80 | n);
    } else if (n <= 0xFFFF) {
        out += static_cast<char>(0x80 | 126);
        out += static_cast<char>(n >> 8);
        out += static_cast<char>(n & 0xFF);
    } else {
        out += static_cast<char>(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out += static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xFF);
    }
    char const key[4] = {static_cast<char>(mask >> 24), static_cast<char>(mask >> 16),
                         static_cast<char>(mask >> 8), static_cast<char>(mask)};
    out.append(key, 4);
    auto const start = out.size();
    out.append(payload);
    for (std::size_t i = 0; i < n; ++i)
        out[start + i] = static_cast<char>(out[start + i] ^ key[i & 3]);
}

} // namespace parley::bench::ws_frame
