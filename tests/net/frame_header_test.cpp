// Server frame headers (RFC 6455 §5.2) at each length encoding's edges.

#include <parley/net/frame_header.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace parley::net {
namespace {

std::vector<unsigned> bytes_of(frame_header const& h) {
    return std::vector<unsigned>(h.bytes.begin(), h.bytes.begin() + static_cast<std::ptrdiff_t>(h.size));
}

TEST(frame_header, length_encodings_at_their_edges) {
    EXPECT_EQ(bytes_of(encode_frame_header(frame_header::text, 0)), (std::vector<unsigned>{0x81, 0}));
    EXPECT_EQ(bytes_of(encode_frame_header(frame_header::text, 125)), (std::vector<unsigned>{0x81, 125}));
    EXPECT_EQ(bytes_of(encode_frame_header(frame_header::text, 126)), (std::vector<unsigned>{0x81, 126, 0, 126}));
    EXPECT_EQ(bytes_of(encode_frame_header(frame_header::text, 65535)),
              (std::vector<unsigned>{0x81, 126, 0xFF, 0xFF}));
    EXPECT_EQ(bytes_of(encode_frame_header(frame_header::text, 65536)),
              (std::vector<unsigned>{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}));
}

TEST(frame_header, ping_is_a_final_unmasked_control_frame) {
    EXPECT_EQ(bytes_of(encode_frame_header(frame_header::ping, 0)), (std::vector<unsigned>{0x89, 0}));
}

} // namespace
} // namespace parley::net
