#include <parley/net/outbound_queue.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace parley::net {
namespace {

using push_result = outbound_queue::push_result;

outbound_frame text(std::size_t bytes, char fill = 'x') {
    return {outbound_frame::kind::text, std::make_shared<std::string const>(bytes, fill)};
}

outbound_frame ping() {
    return {outbound_frame::kind::ping, nullptr};
}

TEST(outbound_queue, first_push_starts_the_write_later_ones_queue) {
    outbound_queue q(1000);
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.push(text(10)), push_result::start_write);
    EXPECT_EQ(q.push(text(10)), push_result::queued);
    EXPECT_EQ(q.push(text(10)), push_result::queued);
    EXPECT_EQ(q.size(), 3u);
    EXPECT_EQ(q.bytes(), 30u);
    EXPECT_FALSE(q.empty());
}

TEST(outbound_queue, frames_come_out_in_order) {
    outbound_queue q(1000);
    (void)q.push(text(1, 'a'));
    (void)q.push(text(1, 'b'));
    (void)q.push(text(1, 'c'));
    std::string order;
    do
        order += *q.front().text;
    while (q.pop_front());
    EXPECT_EQ(order, "abc");
    EXPECT_TRUE(q.empty());
}

TEST(outbound_queue, a_queue_that_never_empties_keeps_order_and_the_front_buffer) {
    // A busy connection: one frame in flight, more arriving before each write ends.
    outbound_queue q(1'000'000);
    std::size_t next = 0, expected = 0;
    auto push_next = [&] { (void)q.push({outbound_frame::kind::text, std::make_shared<std::string const>(std::to_string(next++))}); };
    push_next();
    for (int round = 0; round < 10'000; ++round) {
        auto const* in_flight = q.front().text->data();
        push_next();
        if (round % 3 == 0) push_next(); // the backlog grows slowly
        ASSERT_EQ(q.front().text->data(), in_flight) << "a push never moves the frame being written";
        ASSERT_EQ(*q.front().text, std::to_string(expected));
        ASSERT_TRUE(q.pop_front());
        ++expected;
    }
    while (!q.empty()) {
        ASSERT_EQ(*q.front().text, std::to_string(expected++));
        q.pop_front();
    }
    EXPECT_EQ(expected, next);
    EXPECT_EQ(q.bytes(), 0u);
}

TEST(outbound_queue, over_capacity_when_the_cap_would_be_passed) {
    outbound_queue q(100);
    EXPECT_EQ(q.push(text(60)), push_result::start_write);
    EXPECT_EQ(q.push(text(40)), push_result::queued); // exactly at the cap is fine
    EXPECT_EQ(q.bytes(), 100u);
    EXPECT_EQ(q.push(text(1)), push_result::over_capacity);
    // The refused frame is not kept: nothing grows past the cap.
    EXPECT_EQ(q.size(), 2u);
    EXPECT_EQ(q.bytes(), 100u);
}

TEST(outbound_queue, frame_larger_than_the_cap_enters_an_empty_queue) {
    outbound_queue q(100);
    EXPECT_EQ(q.push(text(1000)), push_result::start_write);
    EXPECT_EQ(q.bytes(), 1000u);
    // ...but nothing may follow it while it is being written.
    EXPECT_EQ(q.push(text(1)), push_result::over_capacity);
    EXPECT_FALSE(q.pop_front());
    EXPECT_EQ(q.push(text(1000)), push_result::start_write);
}

TEST(outbound_queue, pop_front_reports_what_remains_and_frees_bytes) {
    outbound_queue q(1000);
    (void)q.push(text(10));
    (void)q.push(text(20));
    (void)q.push(text(30));
    EXPECT_TRUE(q.pop_front());
    EXPECT_EQ(q.bytes(), 50u);
    EXPECT_EQ(q.front().text->size(), 20u);
    EXPECT_TRUE(q.pop_front());
    EXPECT_EQ(q.bytes(), 30u);
    EXPECT_FALSE(q.pop_front());
    EXPECT_EQ(q.bytes(), 0u);
    EXPECT_TRUE(q.empty());
    EXPECT_FALSE(q.pop_front()); // harmless on an empty queue
    EXPECT_EQ(q.bytes(), 0u);
}

TEST(outbound_queue, freed_bytes_make_room_again) {
    outbound_queue q(100);
    (void)q.push(text(60));
    (void)q.push(text(40));
    ASSERT_EQ(q.push(text(30)), push_result::over_capacity);
    EXPECT_TRUE(q.pop_front());
    EXPECT_EQ(q.push(text(30)), push_result::queued);
    EXPECT_EQ(q.bytes(), 70u);
}

TEST(outbound_queue, pings_count_a_little) {
    outbound_queue q(5);
    EXPECT_EQ(q.push(ping()), push_result::start_write);
    auto const one_ping = q.bytes();
    EXPECT_GT(one_ping, 0u);
    EXPECT_LT(one_ping, 5u);
    // A client that never reads cannot be flooded with pings forever.
    std::size_t accepted = 1;
    while (q.push(ping()) != push_result::over_capacity)
        ++accepted;
    EXPECT_EQ(accepted * one_ping, q.bytes());
    EXPECT_LE(q.bytes(), 5u);
    while (q.pop_front()) {
    }
    EXPECT_EQ(q.bytes(), 0u);
}

TEST(outbound_queue, shared_buffer_is_not_copied) {
    auto const message = std::make_shared<std::string const>(R"({"type":"part"})");
    outbound_queue a(1000);
    outbound_queue b(1000);
    (void)a.push({outbound_frame::kind::text, message});
    (void)b.push({outbound_frame::kind::text, message});
    EXPECT_EQ(a.front().text.get(), message.get());
    EXPECT_EQ(b.front().text.get(), message.get());
    EXPECT_EQ(message.use_count(), 3);
    // Each queue still charges the full size against its own cap.
    EXPECT_EQ(a.bytes(), message->size());
    EXPECT_EQ(b.bytes(), message->size());
    a.pop_front();
    EXPECT_EQ(message.use_count(), 2);
}

} // namespace
} // namespace parley::net
