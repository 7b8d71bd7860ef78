#include <parley/config/config.hpp>

#include <boost/asio/ip/address.hpp>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace parley::config {

expected<server_config, config_error> load_config_file(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return unexpected{config_error{path + ": cannot read configuration file"}};
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = parse_config(text.str());
    if (!parsed) return unexpected{config_error{path + ": " + parsed.error().message}};
    return parsed;
}

std::optional<config_error> apply_listen_override(server_config& cfg, std::string_view value) {
    auto const colon = value.rfind(':');
    config_error const bad{"--listen: expected ADDRESS:PORT with an IP ADDRESS and PORT 0..65535"};
    if (colon == std::string_view::npos || colon == 0) return bad;
    auto const port_text = value.substr(colon + 1);
    unsigned port = 0;
    auto const [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) return bad;
    auto address = value.substr(0, colon);
    // `[::1]:8080`: brackets set an IPv6 address apart from its port, as in URLs.
    if (address.size() > 2 && address.front() == '[' && address.back() == ']')
        address = address.substr(1, address.size() - 2);
    boost::system::error_code address_ec;
    (void)boost::asio::ip::make_address(std::string(address), address_ec);
    if (address_ec) return bad;
    cfg.listen_address = std::string(address);
    cfg.listen_port = static_cast<std::uint16_t>(port);
    return std::nullopt;
}

std::string resolve_web_root(server_config const& cfg, std::string const& executable_path) {
    namespace fs = std::filesystem;
    if (cfg.web_root) return *cfg.web_root;
    std::error_code ec;
    auto const exe = fs::weakly_canonical(fs::path(executable_path), ec);
    if (!ec) {
        auto const beside = exe.parent_path().parent_path() / "web";
        if (fs::is_directory(beside, ec)) return beside.string();
    }
    return "./web";
}

site const* find_site(server_config const& cfg, std::string_view id) {
    for (auto const& s : cfg.sites)
        if (s.id == id) return &s;
    return nullptr;
}

std::string_view to_string(log_level level) {
    switch (level) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    }
    return "info";
}

} // namespace parley::config
