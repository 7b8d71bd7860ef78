// GDPR erase of one visitor inside one conversation (SPEC §5.7).

#include "hub_state.hpp"

#include <parley/clock.hpp>
#include <parley/privacy/redact.hpp>
#include <parley/protocol/fields.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/protocol/part_type.hpp>
#include <parley/store/keyspace.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <thread>

namespace parley::relay {

namespace json = boost::json;
using protocol::command;
using protocol::error_code;

namespace {

/// How long an erase waits for the conversation's in-flight commits (parts taken but
/// not yet in the store, which a scan would miss) before it gives up with `unavailable`.
constexpr auto settle_step = std::chrono::milliseconds(2);
constexpr int settle_tries = 1000;

/// Whether a part still holds anything of what an erase clears.
bool holds_content(json::object const& part) {
    auto const* body = part.if_contains("body");
    auto const* body_json = part.if_contains("body_json");
    auto const* removed = part.if_contains("removed");
    auto const* from = part.if_contains("from");
    return (body && body->is_string() && !body->get_string().empty()) || (body_json && !body_json->is_null()) ||
           part.contains("attachments") || !removed || removed->is_null() ||
           (from && from->is_object() && from->get_object().contains("name"));
}

bool written_by(json::object const& part, std::string const& visitor) {
    auto const* from = part.if_contains("from");
    if (!from || !from->is_object()) return false;
    auto const* role = from->get_object().if_contains("role");
    auto const* id = from->get_object().if_contains("id");
    return role && role->is_string() && role->get_string() == "visitor" && id && id->is_string() &&
           id->get_string() == visitor;
}

/// The widget's fields that hold the visitor's personal data (SPEC §2.4).
constexpr std::string_view pii_widget_keys[] = {"prechat_fields", "visitor_variables", "entry_page", "ext_referer",
                                                "int_referer",    "country",           "city"};

std::string replace_all(std::string text, std::string const& what, std::string_view with) {
    if (what.empty()) return text;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
        text.replace(at, what.size(), with);
    return text;
}

} // namespace

void hub::erase_visitor(client const& from, std::uint64_t id, std::string const& visitor) {
    command const none{};
    auto opened = open(from.actor, id, none);
    if (!opened) return fail(from, opened.error());
    auto const st = std::move(*opened);
    for (int attempt = 0;; ++attempt) {
        hub_lock lock(st->mutex);
        auto& c = st->data;
        if (c.visitor.id != visitor) return reply(from, R"({"op":"ok","parts_erased":0})");

        auto const prefix = store::key::conversation_prefix(id);
        auto stored = store_.scan(store::family::parts, {prefix, {}, {}, SIZE_MAX, false});
        if (!stored) return fail(from, protocol::error_for(none, error_code::unavailable, "store unavailable"));
        auto const highest = stored->empty() ? 0 : store::key::trailing_id(stored->back().key);
        if (highest < c.last_part_id) {
            // Parts still on their way to the store: let them land, so none is missed.
            lock.unlock();
            if (attempt == settle_tries)
                return fail(from, protocol::error_for(none, error_code::unavailable, "conversation busy, retry"));
            std::this_thread::sleep_for(settle_step);
            continue;
        }

        auto const now = now_ms();
        change_set change;
        std::size_t erased = 0;
        for (auto const& r : *stored) {
            boost::system::error_code ec;
            auto parsed = json::parse(r.value, ec);
            if (ec || !parsed.is_object()) continue;
            auto& part = parsed.as_object();
            if (!written_by(part, visitor) || !holds_content(part)) continue;
            privacy::erase_part_content(part, now / 1000);
            protocol::derive_read(part, c);
            auto text = json::serialize(part);
            auto const type = protocol::type_of(part);
            change.updated.emplace_back(share(protocol::part_frame("part.updated", text)),
                                        type && protocol::visible_to_visitor(*type));
            change.writes.add(store::family::parts, r.key, std::move(text));
            ++erased;
        }

        auto events = store_.scan(store::family::events, {prefix, {}, {}, SIZE_MAX, false});
        if (!events) return fail(from, protocol::error_for(none, error_code::unavailable, "store unavailable"));
        for (auto const& r : *events) {
            boost::system::error_code ec;
            auto parsed = json::parse(r.value, ec);
            if (ec || !parsed.is_object()) continue;
            auto& event = parsed.as_object();
            auto before = json::serialize(event);
            event["page"] = nullptr;
            if (auto* text = event.if_contains("event_text"); text && text->is_string() && c.visitor.name)
                *text = replace_all(std::string(text->get_string()), *c.visitor.name, "Visitor");
            auto after = json::serialize(event);
            if (after != before) change.writes.add(store::family::events, r.key, std::move(after));
        }

        bool const had_pii = c.visitor.name || c.search_query ||
                             std::any_of(std::begin(pii_widget_keys), std::end(pii_widget_keys),
                                         [&](auto k) { return c.widget.contains(k); });
        if (erased == 0 && !had_pii && change.writes.puts.empty())
            return reply(from, R"({"op":"ok","parts_erased":0})");
        c.visitor.name.reset();
        c.search_query.reset();
        for (auto key : pii_widget_keys) c.widget.erase(key);
        c.updated_at = now;
        change.conversation_changed = true;
        change.reply = R"({"op":"ok","parts_erased":)" + std::to_string(erased) + "}";
        change.origin = from.conn;
        commit(st, std::move(change));
        return;
    }
}

} // namespace parley::relay
