#include <parley/auth/verified_tokens.hpp>

#include <gtest/gtest.h>

namespace parley::auth {
namespace {

actor someone(std::string id) {
    actor a;
    a.site = "demo";
    a.id = std::move(id);
    a.role = role::operator_;
    a.departments = std::vector<std::string>{"sales"};
    return a;
}

TEST(verified_tokens, answers_a_remembered_token_until_its_exp) {
    verified_tokens cache;
    cache.remember("t1", someone("olga"), 1000);
    auto got = cache.find("t1", 999);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, "olga");
    EXPECT_EQ(got->departments, std::optional<std::vector<std::string>>(std::vector<std::string>{"sales"}));
    EXPECT_FALSE(cache.find("t1", 1000));
    // Once expired it is gone, not kept for a clock that goes back.
    EXPECT_FALSE(cache.find("t1", 999));
    EXPECT_FALSE(cache.find("t2", 0));
}

TEST(verified_tokens, stays_bounded_and_keeps_the_tokens_in_use) {
    verified_tokens cache(4);
    cache.remember("busy", someone("busy"), 1e9);
    for (int i = 0; i < 100; ++i) {
        auto token = std::to_string(i);
        token.insert(0, 1, 't');
        cache.remember(token, someone(std::to_string(i)), 1e9);
        EXPECT_LE(cache.size(), 8u);
        EXPECT_TRUE(cache.find("busy", 0)) << i; // used between every new token
    }
    EXPECT_FALSE(cache.find("t0", 0));
    EXPECT_TRUE(cache.find("t99", 0));
}

} // namespace
} // namespace parley::auth
