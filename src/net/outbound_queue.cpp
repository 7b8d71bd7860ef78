#include <parley/net/outbound_queue.hpp>

namespace parley::net {

std::size_t outbound_queue::cost(outbound_frame const& f) {
    // A ping costs its frame header; counting it keeps bytes() honest under ping floods.
    return f.text ? f.text->size() : 2;
}

outbound_queue::push_result outbound_queue::push(outbound_frame frame) {
    auto const n = cost(frame);
    bool const was_empty = frames_.empty();
    if (!was_empty && bytes_ + n > max_bytes_) return push_result::over_capacity;
    bytes_ += n;
    frames_.push_back(std::move(frame));
    return was_empty ? push_result::start_write : push_result::queued;
}

bool outbound_queue::pop_front() {
    if (frames_.empty()) return false;
    bytes_ -= cost(frames_.front());
    frames_.pop_front();
    return !frames_.empty();
}

void outbound_queue::drop_waiting() {
    while (frames_.size() > 1) {
        bytes_ -= cost(frames_.back());
        frames_.pop_back();
    }
}

} // namespace parley::net
