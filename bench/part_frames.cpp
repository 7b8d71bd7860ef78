#include "part_frames.hpp"

#include "frame_scan.hpp"

#include <algorithm>

namespace parley::bench {

std::string part_create_frame(std::uint64_t conversation, std::string_view type, std::uint64_t seq,
                              char tag, std::uint64_t number, int body_bytes) {
    std::string frame;
    frame.reserve(128 + static_cast<std::size_t>(std::max(body_bytes, 0)));
    frame += R"({"op":"part.create","conversation":)";
    append_number(frame, conversation);
    frame += R"(,"type":")";
    frame += type;
    frame += R"(","random_id":"r)";
    append_number(frame, seq);
    frame += R"(","body":")";
    auto const body_start = frame.size();
    frame += tag;
    append_number(frame, number);
    frame += ';';
    auto const prefix = static_cast<int>(frame.size() - body_start);
    if (body_bytes > prefix) frame.append(static_cast<std::size_t>(body_bytes - prefix), 'x');
    frame += R"("})";
    return frame;
}

std::optional<ack> read_ack(std::string_view frame) {
    auto id = part_id(frame);
    // random_id is spliced in at the end of the part, so search from the back.
    auto const at = frame.rfind(R"("random_id":"r)");
    if (!id || at == std::string_view::npos) return std::nullopt;
    auto seq = number_after(frame.substr(at), R"("random_id":"r)");
    if (!seq) return std::nullopt;
    return ack{*seq, *id, frame.ends_with(R"("duplicate":true})")};
}

std::optional<std::uint64_t> refused_seq(std::string_view error_frame) {
    return number_after(error_frame, R"("random_id":"r)");
}

std::optional<std::uint64_t> part_id(std::string_view frame) {
    return number_after(frame, R"("part":{"id":)");
}

std::optional<std::int64_t> send_stamp(std::string_view frame) {
    auto v = number_after(frame, R"("body":"t)");
    if (!v) return std::nullopt;
    return static_cast<std::int64_t>(*v);
}

} // namespace parley::bench
