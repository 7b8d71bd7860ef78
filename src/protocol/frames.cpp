#include <parley/protocol/frames.hpp>

#include <boost/json.hpp>

#include <cmath>

namespace parley::protocol {

namespace json = boost::json;

namespace {

/// A rate as JSON: an integer when it is one (the usual case: `20`, not `2E1`, which
/// strictly typed clients reject), else the fraction the configuration gave.
json::value rate_json(double rate) {
    if (rate == std::floor(rate) && rate >= 0 && rate <= 9e15) return static_cast<std::int64_t>(rate);
    return rate;
}

} // namespace

std::string hello_frame(auth::actor const& who, std::string_view server_version,
                        std::string_view epoch, config::limits const& limits) {
    json::object actor{{"role", auth::to_string(who.role)}, {"id", who.id}, {"site", who.site}};
    actor["name"] = who.name ? json::value(*who.name) : json::value(nullptr);
    if (who.departments) {
        json::array deps;
        for (auto const& d : *who.departments) deps.emplace_back(d);
        actor["departments"] = std::move(deps);
    }
    json::object lim{
        {"max_frame_bytes", limits.max_frame_bytes},
        {"max_body_chars", limits.max_body_chars},
        {"commands_per_s", rate_json(limits.commands_per_s)},
        {"commands_burst", limits.commands_burst},
        {"max_queue_bytes", limits.max_queue_bytes},
        {"connections_per_actor", limits.connections_per_actor},
        {"idle_timeout_s", limits.idle_timeout_s},
        {"ping_interval_s", limits.ping_interval_s},
        {"idempotency_window_s", limits.idempotency_window_s},
        {"max_http_body_bytes", limits.max_http_body_bytes},
    };
    json::object frame{
        {"op", "hello"},
        {"actor", std::move(actor)},
        {"server", json::object{{"version", server_version}, {"epoch", epoch}}},
        {"limits", std::move(lim)},
    };
    return json::serialize(frame);
}

std::string pong_frame(std::optional<std::string> const& ref) {
    json::object frame{{"op", "pong"}};
    if (ref) frame["ref"] = *ref;
    return json::serialize(frame);
}

std::string error_frame(command_error const& err) {
    json::object frame{{"op", "error"}, {"code", to_string(err.code)}, {"message", err.message}};
    if (err.ref) frame["ref"] = *err.ref;
    if (err.random_id) frame["random_id"] = *err.random_id;
    return json::serialize(frame);
}

std::string part_frame(std::string_view op, std::string_view part_json) {
    std::string frame;
    frame.reserve(part_json.size() + op.size() + 24);
    frame.append(R"({"op":")").append(op).append(R"(","part":)").append(part_json).append("}");
    return frame;
}

std::string part_created_frame(std::string_view part_json, std::string_view random_id,
                               std::optional<std::string> const& ref, bool duplicate) {
    // Splice random_id into the part object rather than re-serializing the part.
    std::string frame = R"({"op":"part.created","part":)";
    frame.append(part_json.substr(0, part_json.size() - 1));
    frame.append(R"(,"random_id":)").append(json::serialize(json::string(random_id))).append("}");
    if (ref) frame.append(R"(,"ref":)").append(json::serialize(json::string(*ref)));
    if (duplicate) frame.append(R"(,"duplicate":true)");
    frame.append("}");
    return frame;
}

std::string object_frame(std::string_view op, std::string_view key, json::object const& value,
                         std::optional<std::string> const& ref) {
    json::object frame{{"op", op}, {key, value}};
    if (ref) frame["ref"] = *ref;
    return json::serialize(frame);
}

std::string ok_frame(std::optional<std::string> const& ref) {
    json::object frame{{"op", "ok"}};
    if (ref) frame["ref"] = *ref;
    return json::serialize(frame);
}

} // namespace parley::protocol
