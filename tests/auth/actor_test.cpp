#include <parley/auth/actor.hpp>

#include <gtest/gtest.h>

namespace parley::auth {
namespace {

TEST(actor_id, one_to_128_characters_of_utf8_without_control_characters) {
    std::string e_acute_128;
    for (int i = 0; i < 128; ++i) e_acute_128 += "\xc3\xa9";
    for (std::string const& good : {std::string("op-1"), std::string(128, 'a'), e_acute_128,
                                    std::string("tg:\xe2\x9c\x93"), std::string("with space")}) {
        EXPECT_TRUE(is_valid_actor_id(good)) << good;
    }
    for (std::string const& bad : {std::string(), std::string(129, 'a'), e_acute_128 + "a", std::string("a\x01"),
                                   std::string("a\n"), std::string("\x7f"), std::string("\xc2\x85"),
                                   std::string("\xff"), std::string("\xc3"), std::string("a\0b", 3)}) {
        EXPECT_FALSE(is_valid_actor_id(bad)) << bad;
    }
}

} // namespace
} // namespace parley::auth
