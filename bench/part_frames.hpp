#pragma once
// The part.create frames the generator sends and the few fields it reads back.
//
// Every body starts with a number and ';' (`t<send stamp>;` for timed scenarios,
// `h<index>;` for the history fill), so latency and content are read from the frame
// itself: no map from random_id to send time, and the receiver needs no shared state.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::bench {

/// Nanoseconds on the steady clock; bodies carry these as send stamps, and the same
/// process reads them back, so the clocks agree.
inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// Microseconds from `stamp_ns` to now.
inline std::int64_t micros_since(std::int64_t stamp_ns) {
    return (now_ns() - stamp_ns) / 1000;
}

/// `{"op":"part.create","conversation":C,"type":T,"random_id":"r<seq>","body":"<tag><number>;xx.."}`
/// with a body of exactly `body_bytes` characters (longer only if the prefix is).
std::string part_create_frame(std::uint64_t conversation, std::string_view type, std::uint64_t seq,
                              char tag, std::uint64_t number, int body_bytes);

/// What a `part.created` frame says about one of our parts.
struct ack {
    std::uint64_t seq = 0;  ///< from random_id `r<seq>`
    std::uint64_t id = 0;   ///< the part id the server assigned
    bool duplicate = false; ///< the server saw this random_id before
};

/// @return the ack, or nullopt when the frame is not a well-formed ack of ours.
std::optional<ack> read_ack(std::string_view frame);

/// The seq of the part an `error` frame answers (its random_id `r<seq>`), if any.
std::optional<std::uint64_t> refused_seq(std::string_view error_frame);

/// The part id of a `part` or `part.created` frame.
std::optional<std::uint64_t> part_id(std::string_view frame);

/// The send stamp of a timed body (`t<ns>;`).
std::optional<std::int64_t> send_stamp(std::string_view frame);

} // namespace parley::bench
