#include <parley/protocol/command.hpp>

#include <boost/json/parse.hpp>

namespace parley::protocol {

expected<command, command_error> parse_command(std::string_view text) {
    boost::system::error_code ec;
    // Default parse_options: depth is limited to 32, so hostile nesting is an error.
    auto doc = boost::json::parse(text, ec);
    if (ec) return unexpected{command_error{error_code::bad_request, "malformed JSON", {}, {}}};
    if (!doc.is_object())
        return unexpected{command_error{error_code::bad_request, "a command must be a JSON object", {}, {}}};

    command cmd;
    cmd.fields = std::move(doc.get_object());
    if (auto const* ref = cmd.fields.if_contains("ref")) {
        if (!ref->is_string() || ref->get_string().size() > max_ref_chars)
            return unexpected{command_error{error_code::bad_request,
                                            "ref must be a string of at most 64 characters", {}, {}}};
        cmd.ref = std::string(ref->get_string());
    }
    auto const* op = cmd.fields.if_contains("op");
    if (!op) return unexpected{command_error{error_code::bad_request, "missing op", cmd.ref, {}}};
    if (!op->is_string())
        return unexpected{command_error{error_code::bad_request, "op must be a string", cmd.ref, {}}};
    cmd.op = std::string(op->get_string());
    return cmd;
}

} // namespace parley::protocol
