#include "bucketed_page.hpp"

#include "activity.hpp"

#include <algorithm>
#include <limits>

namespace parley::index {

namespace {

using store::rocks_store;

struct placed {
    std::uint64_t value;
    std::uint64_t id;
    auto operator<=>(placed const&) const = default;
};

} // namespace

expected<std::vector<std::uint64_t>, store::store_error> bucketed_page(rocks_store const& store, kind k,
                                                                      rocks_store::range const& all,
                                                                      std::uint64_t offset, std::uint64_t per,
                                                                      bool descending) {
    auto r = all;
    r.from_end = descending;
    r.skip = offset;
    r.limit = per;
    auto page = store.scan_keys(store::family::indexes, r);
    if (!page) return unexpected{page.error()};
    std::vector<std::uint64_t> out;
    if (page->empty()) return out;
    // Scan order from here on: the order the page is asked in.
    if (descending) std::reverse(page->begin(), page->end());
    auto const bucket_of = [&](std::string_view key) { return number_of(key, all.prefix); };
    auto const first = bucket_of(page->front()), last = bucket_of(page->back());

    auto whole_bucket = [&](std::uint64_t b) {
        rocks_store::range one{all.prefix, all.prefix + store::key::encode_u64(b),
                               b == std::numeric_limits<std::uint64_t>::max() ? std::string{}
                                                                              : all.prefix + store::key::encode_u64(b + 1),
                               std::numeric_limits<std::size_t>::max(), false};
        auto keys = store.scan_keys(store::family::indexes, one);
        if (keys && descending) std::reverse(keys->begin(), keys->end());
        return keys;
    };
    // The page with the rest of its edge buckets around it, in bucket order; `lead`
    // entries of it come before the page.
    std::vector<std::string> around;
    std::size_t lead = 0;
    if (!exact(k, first)) {
        auto keys = whole_bucket(first);
        if (!keys) return unexpected{keys.error()};
        lead = static_cast<std::size_t>(std::find(keys->begin(), keys->end(), page->front()) - keys->begin());
        around = std::move(*keys);
    }
    for (auto& key : *page) {
        auto const b = bucket_of(key);
        if ((b == first && !exact(k, first)) || (b == last && last != first && !exact(k, last))) continue;
        around.push_back(std::move(key));
    }
    if (last != first && !exact(k, last)) {
        auto keys = whole_bucket(last);
        if (!keys) return unexpected{keys.error()};
        around.insert(around.end(), std::make_move_iterator(keys->begin()), std::make_move_iterator(keys->end()));
    }

    std::vector<placed> sorted;
    sorted.reserve(around.size());
    for (auto const& key : around) {
        auto const id = conversation_of(key);
        auto value = bucket_of(key);
        if (!exact(k, value)) {
            auto now = activity_of(store, id);
            if (!now) return unexpected{now.error()};
            if (*now)
                value = k == kind::updated_at ? static_cast<std::uint64_t>((*now)->updated_at) : (*now)->message_count;
        }
        sorted.push_back({value, id});
    }
    if (descending) std::sort(sorted.begin(), sorted.end(), std::greater<>());
    else std::sort(sorted.begin(), sorted.end());
    auto const n = std::min<std::size_t>(page->size(), sorted.size() - std::min(lead, sorted.size()));
    for (std::size_t i = 0; i < n; ++i) out.push_back(sorted[lead + i].id);
    return out;
}

} // namespace parley::index
