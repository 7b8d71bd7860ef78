// HTTP request targets: the target split, the strict query decoder and the filters of
// GET /v1/conversations, for a visitor, a department operator and a bot.
#include <parley/api/list_query.hpp>
#include <parley/api/query_params.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

parley::auth::actor make(parley::auth::role role, std::optional<std::vector<std::string>> departments = {}) {
    parley::auth::actor a;
    a.site = "demo";
    a.id = "fuzzer";
    a.role = role;
    a.departments = std::move(departments);
    return a;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const target(reinterpret_cast<char const*>(data), size);
    auto split = parley::api::split_target(target);
    if (!split) return 0;
    auto q = parley::api::query_params::parse(split->second);
    if (!q) return 0;
    static auto const actors = {make(parley::auth::role::visitor),
                                make(parley::auth::role::operator_, std::vector<std::string>{"sales"}),
                                make(parley::auth::role::bot)};
    for (auto const& who : actors) (void)parley::api::read_list_query(*q, who);
    return 0;
}
