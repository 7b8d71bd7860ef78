#include <parley/net/outbound_queue.hpp>

namespace parley::net {

namespace {

/// An empty queue keeps at most this many slots; a burst's larger buffer is returned.
constexpr std::size_t idle_capacity = 16;

} // namespace

std::size_t outbound_queue::cost(outbound_frame const& f) {
    // A ping costs its frame header; counting it keeps bytes() honest under ping floods.
    return f.text ? f.text->size() : 2;
}

outbound_queue::push_result outbound_queue::push(outbound_frame frame) {
    auto const n = cost(frame);
    bool const was_empty = empty();
    if (!was_empty && bytes_ + n > max_bytes_) return push_result::over_capacity;
    bytes_ += n;
    frames_.push_back(std::move(frame));
    return was_empty ? push_result::start_write : push_result::queued;
}

bool outbound_queue::pop_front() {
    if (empty()) return false;
    bytes_ -= cost(frames_[head_]);
    frames_[head_] = {};
    if (++head_ < frames_.size()) {
        // A queue that never empties still reuses its slots: written ones are dropped
        // once they are half the buffer (amortized O(1) per frame). Frame buffers do
        // not move, so the write in flight is unaffected.
        if (head_ >= idle_capacity && head_ * 2 >= frames_.size()) {
            frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
        return true;
    }
    frames_.clear();
    head_ = 0;
    if (frames_.capacity() > idle_capacity) frames_.shrink_to_fit();
    return false;
}

} // namespace parley::net
