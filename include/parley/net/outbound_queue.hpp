#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace parley::net {

/// One frame waiting to be written to a WebSocket.
struct outbound_frame {
    enum class kind { text, ping };
    kind kind = kind::text;
    /// Shared with every other recipient of the same message; null for pings.
    std::shared_ptr<std::string const> text;
};

/// The frames queued for one connection, with a byte cap (SPEC §3.4 `max_queue_bytes`).
/// The connection writes the front frame, pops it when written, and never has more than
/// one write in flight. Pure bookkeeping, no I/O: the cap policy is testable alone.
/// @note Not thread-safe: used only on its connection's strand.
class outbound_queue {
public:
    enum class push_result {
        start_write,   ///< queue was empty: the caller must start writing front()
        queued,        ///< a write is in flight; this frame follows it
        over_capacity, ///< refused: the connection is too slow and must be closed
    };

    /// @param max_bytes cap on queued text bytes, including the frame being written.
    explicit outbound_queue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    /// Appends `frame` unless that would pass the cap. A frame reaching an empty queue is
    /// always accepted, so one message larger than the cap cannot wedge a healthy client.
    push_result push(outbound_frame frame);

    /// @note Precondition: !empty().
    outbound_frame const& front() const { return frames_[head_]; }
    /// The frame `i` places behind the front. @note Precondition: i < size().
    outbound_frame const& at(std::size_t i) const { return frames_[head_ + i]; }

    /// Drops the frame just written. @return true when another frame is waiting.
    bool pop_front();

    bool empty() const { return head_ == frames_.size(); }
    std::size_t bytes() const { return bytes_; }
    std::size_t size() const { return frames_.size() - head_; }

private:
    static std::size_t cost(outbound_frame const& f);

    std::size_t const max_bytes_;
    std::size_t bytes_ = 0;
    /// Frames [head_, end) are queued. A vector rather than a deque: an idle connection
    /// holds no buffer at all (libstdc++'s deque allocates ~600 bytes when constructed),
    /// and thousands of idle connections are the normal case.
    std::vector<outbound_frame> frames_;
    std::size_t head_ = 0;
};

} // namespace parley::net
