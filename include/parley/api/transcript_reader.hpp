#pragma once

#include <parley/expected.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/store/rocks_store.hpp>

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::api {

/// Which parts of a conversation (SPEC §5.4): with `after`, the first `limit` above it;
/// with `before`, the `limit` just below it; with both, the first `limit` between; with
/// neither, the latest `limit`.
struct part_window {
    std::optional<std::uint64_t> after, before;
    std::size_t limit = 50;
};

/// Reads a conversation's stored parts and events as an actor may see them: visitors
/// never get notes or tag parts; every part's `read` is derived from the cursors.
class transcript_reader {
public:
    transcript_reader(store::rocks_store const& store, protocol::conversation const& c, bool visitor);

    /// The parts in `w`, in increasing id order, allocated from `arena`.
    expected<boost::json::array, store::store_error> parts(part_window const& w,
                                                           boost::json::storage_ptr arena) const;

    /// The same parts as a JSON array's text, made from the stored texts without
    /// parsing them where their layout allows (stored_part_text.hpp).
    expected<std::string, store::store_error> parts_text(part_window const& w) const;

    /// Every part in id order, page by page, to `visit` (exports: no page is held
    /// longer than its visit).
    std::optional<store::store_error> each_part(std::function<void(boost::json::object&)> const& visit) const;

    /// The events after `after`, at most `limit`.
    expected<boost::json::array, store::store_error> events(std::optional<std::uint64_t> after, std::size_t limit,
                                                            boost::json::storage_ptr arena) const;

private:
    /// Parses a stored part; nullopt when this actor may not see it.
    bool visible(boost::json::value& part) const;
    /// Appends the served text of a stored part, or nothing when this actor may not see it.
    void serve(std::string_view stored, std::string& out) const;
    /// The served texts of the parts in `w`, in increasing id order.
    expected<std::vector<std::string>, store::store_error> page(part_window const& w) const;

    store::rocks_store const& store_;
    protocol::conversation const& c_;
    bool visitor_;
};

} // namespace parley::api
