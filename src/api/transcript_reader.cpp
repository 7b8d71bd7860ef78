#include <parley/api/transcript_reader.hpp>
#include <parley/protocol/part_type.hpp>
#include <parley/store/keyspace.hpp>

#include <parley/api/stored_part_text.hpp>

#include <boost/json.hpp>

namespace parley::api {

namespace json = boost::json;

transcript_reader::transcript_reader(store::rocks_store const& store, protocol::conversation const& c, bool visitor)
    : store_(store), c_(c), visitor_(visitor) {}

bool transcript_reader::visible(json::value& part) const {
    if (!part.is_object()) return false;
    auto const type = protocol::type_of(part.as_object());
    if (visitor_ && (!type || !protocol::visible_to_visitor(*type))) return false;
    protocol::derive_read(part.as_object(), c_);
    return true;
}

void transcript_reader::serve(std::string_view stored, std::string& out) const {
    switch (append_stored_part(stored, c_, visitor_, out)) {
    case stored_part_result::served:
    case stored_part_result::hidden: return;
    case stored_part_result::unrecognized: break;
    }
    boost::system::error_code ec;
    auto part = json::parse(stored, ec);
    if (!ec && visible(part)) out += json::serialize(part);
}

expected<std::vector<std::string>, store::store_error> transcript_reader::page(part_window const& w) const {
    // With only `before`, or neither, the newest parts are wanted: scan backwards.
    store::rocks_store::range range{store::key::conversation_prefix(c_.id), {}, {}, w.limit, !w.after};
    if (w.after) range.after = store::key::part(c_.id, *w.after);
    if (w.before) range.before = store::key::part(c_.id, *w.before);

    std::vector<std::string> found;
    // A visitor's page skips notes and tags; keep reading until it is full.
    while (found.size() < w.limit) {
        auto page = store_.scan(store::family::parts, range);
        if (!page) return unexpected{page.error()};
        std::vector<std::string> batch;
        batch.reserve(page->size());
        for (auto const& r : *page) {
            std::string text;
            serve(r.value, text);
            if (!text.empty()) batch.push_back(std::move(text));
        }
        auto const exhausted = page->size() < range.limit;
        auto const excess = [&] {
            return static_cast<std::ptrdiff_t>(found.size() - std::min<std::size_t>(found.size(), w.limit));
        };
        if (range.from_end) {
            if (!page->empty()) range.before = page->front().key;
            found.insert(found.begin(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
            found.erase(found.begin(), found.begin() + excess());
        } else {
            if (!page->empty()) range.after = page->back().key;
            found.insert(found.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
            found.erase(found.end() - excess(), found.end());
        }
        if (exhausted) break;
    }
    return found;
}

expected<std::string, store::store_error> transcript_reader::parts_text(part_window const& w) const {
    auto texts = page(w);
    if (!texts) return unexpected{texts.error()};
    std::size_t size = 2;
    for (auto const& t : *texts) size += t.size() + 1;
    std::string out;
    out.reserve(size);
    out += '[';
    for (auto const& t : *texts) {
        if (out.size() > 1) out += ',';
        out += t;
    }
    out += ']';
    return out;
}

expected<json::array, store::store_error> transcript_reader::parts(part_window const& w, json::storage_ptr arena) const {
    auto texts = page(w);
    if (!texts) return unexpected{texts.error()};
    json::array found(arena);
    found.reserve(texts->size());
    for (auto const& t : *texts) {
        boost::system::error_code ec;
        auto part = json::parse(t, ec, arena);
        if (!ec) found.push_back(std::move(part));
    }
    return found;
}

std::optional<store::store_error> transcript_reader::each_part(std::function<void(json::object&)> const& visit) const {
    constexpr std::size_t page_size = 256;
    store::rocks_store::range range{store::key::conversation_prefix(c_.id), {}, {}, page_size, false};
    for (;;) {
        auto page = store_.scan(store::family::parts, range);
        if (!page) return page.error();
        for (auto const& r : *page) {
            boost::system::error_code ec;
            auto part = json::parse(r.value, ec);
            if (!ec && visible(part)) visit(part.as_object());
        }
        if (page->size() < page_size) return std::nullopt;
        range.after = page->back().key;
    }
}

expected<json::array, store::store_error> transcript_reader::events(std::optional<std::uint64_t> after,
                                                                   std::size_t limit, json::storage_ptr arena) const {
    store::rocks_store::range range{store::key::conversation_prefix(c_.id), {}, {}, limit, false};
    if (after) range.after = store::key::event(c_.id, *after);
    auto page = store_.scan(store::family::events, range);
    if (!page) return unexpected{page.error()};
    json::array out(arena);
    for (auto const& r : *page) {
        boost::system::error_code ec;
        auto event = json::parse(r.value, ec, arena);
        if (!ec) out.push_back(std::move(event));
    }
    return out;
}

} // namespace parley::api
