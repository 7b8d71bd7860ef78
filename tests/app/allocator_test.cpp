// The allocator settings a long-running server starts with (src/app/allocator.cpp).

#include <parley/app/allocator.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include <malloc.h>

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool own_allocator = true;
#else
constexpr bool own_allocator = false;
#endif

/// Bytes glibc holds in mmapped chunks now.
std::size_t mmapped_bytes() { return mallinfo2().hblkhd; }

TEST(allocator, large_blocks_stay_mmapped_after_a_larger_one_is_freed) {
    if (own_allocator) GTEST_SKIP() << "a sanitizer's allocator replaces glibc's malloc here";
    parley::app::tune_allocator();
    // With glibc's dynamic threshold, freeing this 4 MiB block would raise the threshold
    // to 4 MiB, and the 256 KiB blocks below would then come from the heap and stay there
    // after it is freed: the fragmentation a long run's RSS creeps with.
    void* big = std::malloc(4u << 20);
    ASSERT_NE(big, nullptr);
    std::free(big);
    // Blocks already free on the heap serve a request before any threshold is asked,
    // so ask for more than this process holds free: 256 blocks of 256 KiB.
    auto const before = mmapped_bytes();
    std::vector<void*> blocks;
    for (int i = 0; i < 256; ++i) blocks.push_back(std::malloc(256u << 10));
    for (auto* b : blocks) ASSERT_NE(b, nullptr);
    EXPECT_GE(mmapped_bytes(), before + (32u << 20)) << "the blocks came from the heap";
    for (auto* b : blocks) std::free(b);
    EXPECT_LE(mmapped_bytes(), before) << "freed blocks stayed mapped";
}

} // namespace
