// WebSocket frames: the command parser, then the part.create validator for every role
// (what runs on each frame before anything reaches the hub).
#include <parley/config/limits.hpp>
#include <parley/protocol/command.hpp>
#include <parley/protocol/part.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto cmd = parley::protocol::parse_command(std::string_view(reinterpret_cast<char const*>(data), size));
    if (!cmd) return 0;
    parley::config::limits const limits;
    for (auto role : {parley::auth::role::visitor, parley::auth::role::operator_, parley::auth::role::bot})
        (void)parley::protocol::parse_part_create(*cmd, role, limits);
    return 0;
}
