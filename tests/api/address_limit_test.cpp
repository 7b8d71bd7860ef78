#include <parley/api/address_limit.hpp>

#include <gtest/gtest.h>

namespace parley::api {
namespace {

constexpr std::int64_t minute = 60'000;

TEST(address_limit, grants_the_limit_per_address_per_minute) {
    address_limit limit(2);
    EXPECT_TRUE(limit.take("10.0.0.1", 0));
    EXPECT_TRUE(limit.take("10.0.0.1", 1000));
    EXPECT_FALSE(limit.take("10.0.0.1", 2000));
    EXPECT_TRUE(limit.take("10.0.0.2", 2000)) << "another address has its own count";
    EXPECT_TRUE(limit.take("10.0.0.1", minute)) << "a new minute starts over";
    EXPECT_TRUE(limit.take("10.0.0.1", minute + 1));
    EXPECT_FALSE(limit.take("10.0.0.1", minute + 2));
}

TEST(address_limit, holds_no_more_addresses_than_its_bound) {
    address_limit limit(5, 3);
    EXPECT_TRUE(limit.take("a", 0));
    EXPECT_TRUE(limit.take("b", 0));
    EXPECT_TRUE(limit.take("c", 0));
    // A fourth address in the same minute: refused rather than grow the table.
    EXPECT_FALSE(limit.take("d", 0));
    EXPECT_TRUE(limit.take("a", 0)) << "known addresses still count normally";
    // The next minute, the old entries make room.
    EXPECT_TRUE(limit.take("d", minute));
}

} // namespace
} // namespace parley::api
