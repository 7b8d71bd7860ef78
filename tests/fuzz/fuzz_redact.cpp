// The PII redactor of exports: arbitrary text (valid UTF-8 or not) in a body, and as a
// whole part object when the input is JSON.
#include <parley/privacy/redact.hpp>

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    (void)parley::privacy::redact_text(text);
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (!ec && v.is_object()) {
        auto part = v.as_object();
        parley::privacy::redact_part(part);
        auto conv = v.as_object();
        parley::privacy::redact_conversation(conv);
        auto event = v.as_object();
        parley::privacy::redact_event(event);
    }
    return 0;
}
