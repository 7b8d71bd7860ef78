#pragma once
// WebSocket framing (RFC 6455 §5) for the load generator's client side: decode the
// unmasked frames a server sends, encode the masked frames a client must send. Kept
// apart from the I/O so the client reads many frames per recv() without a per-frame
// state machine, which is what lets one core take hundreds of thousands of deliveries.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::bench::ws_frame {

enum class opcode : std::uint8_t {
    continuation = 0,
    text = 1,
    binary = 2,
    close = 8,
    ping = 9,
    pong = 10
};

struct header {
    bool fin = true;
    opcode op = opcode::text;
    std::size_t header_bytes = 0;
    std::uint64_t payload_bytes = 0;
};

/// What parse() made of the bytes at hand.
enum class parse_status { ok, need_more, invalid };

/// Decodes the header at the start of `data` (a frame from a server: unmasked, no
/// reserved bits since no extension is negotiated). `need_more` when `data` holds less
/// than the whole header.
parse_status parse(std::string_view data, header& out);

/// Appends a complete client frame (FIN set) with `payload` masked by `mask`.
void append_client_frame(std::string& out, opcode op, std::string_view payload, std::uint32_t mask);

} // namespace parley::bench::ws_frame
