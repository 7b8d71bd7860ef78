// The configuration file: JSON with comments, every section and range check.
#include <parley/config/config.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto cfg = parley::config::parse_config(std::string_view(reinterpret_cast<char const*>(data), size));
    if (cfg) (void)parley::config::apply_listen_override(*cfg, "127.0.0.1:0");
    return 0;
}
