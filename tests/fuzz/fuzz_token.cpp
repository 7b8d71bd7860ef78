// Tokens as they come in `?token=` or `Authorization: Bearer`: split, base64url, both
// JSON parses, HS256 and every claim check.
#include <parley/auth/token.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static parley::auth::token_verifier const verifier(
        {parley::config::site{"demo", "fuzz-secret-0123456789abcdef", {}}, parley::config::site{"b", "other-secret-0123456789", {}}});
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    (void)verifier.verify(text, 1'700'000'000);
    (void)parley::auth::bearer_token(text);
    return 0;
}
