#include <parley/api/reply_catcher.hpp>
#include <parley/api/visitor_erase.hpp>
#include <parley/index/index_keys.hpp>

#include <boost/json.hpp>

#include <mutex>

namespace parley::api {

namespace json = boost::json;
using protocol::error_code;

namespace {

/// Collects the per-conversation answers; the last one answers the request.
struct erase_tally {
    std::mutex mutex;
    std::size_t waiting = 0;
    std::size_t conversations = 0;
    std::uint64_t parts_erased = 0;
    std::optional<std::pair<error_code, std::string>> failure;
};

} // namespace

visitor_erase::visitor_erase(store::rocks_store const& store, relay::hub& hub, reader_pool& readers)
    : store_(store), hub_(hub), readers_(readers) {}

void visitor_erase::handle(call_ptr const& call, std::string_view visitor) const {
    if (auto bad = call->query.check({})) return call->fail(error_code::bad_request, *bad);
    if (call->who.role != auth::role::operator_) return call->fail(error_code::forbidden, "only operators may erase visitors");
    if (call->who.departments)
        return call->fail(error_code::forbidden, "erasing needs an operator of the whole site, not of some departments");
    if (visitor.empty() || visitor.size() > 128) return call->fail(error_code::bad_request, "id: expected a visitor id of 1..128 characters");
    readers_.post([this, call, visitor = std::string(visitor)] {
        auto const prefix = index::prefix(index::kind::visitor_id, call->who.site, visitor);
        auto keys = store_.scan_keys(store::family::indexes, {prefix, {}, {}, SIZE_MAX, false});
        if (!keys) return call->fail(error_code::unavailable, "store unavailable");
        auto tally = std::make_shared<erase_tally>();
        auto finish = [call, tally, visitor] {
            if (tally->failure) return call->fail(tally->failure->first, tally->failure->second);
            json::object out{{"visitor", json::object{{"id", visitor}}},
                             {"conversations", tally->conversations},
                             {"parts_erased", tally->parts_erased}};
            call->respond(make_response(call->req, 200, json::serialize(out), json_content_type));
        };
        tally->conversations = keys->size();
        tally->waiting = keys->size() + 1; // +1: the loop below, so no answer comes early
        auto done_one = [tally, finish](std::optional<std::pair<error_code, std::string>> failure, std::uint64_t n) {
            std::unique_lock lock(tally->mutex);
            tally->parts_erased += n;
            if (failure && !tally->failure) tally->failure = std::move(failure);
            if (--tally->waiting == 0) {
                lock.unlock();
                finish();
            }
        };
        for (auto const& key : *keys) {
            auto catcher = std::make_shared<reply_catcher>(hub_, [done_one](std::shared_ptr<std::string const> const& f) {
                boost::system::error_code ec;
                auto v = json::parse(*f, ec);
                if (ec || !v.is_object()) return done_one(std::pair{error_code::internal, std::string("unreadable reply")}, 0);
                auto const& o = v.as_object();
                if (o.at("op") == "error") {
                    auto code = protocol::error_code_from_string(o.at("code").as_string()).value_or(error_code::internal);
                    return done_one(std::pair{code, std::string(o.at("message").as_string())}, 0);
                }
                done_one(std::nullopt, o.at("parts_erased").to_number<std::uint64_t>());
            });
            hub_.erase_visitor(relay::client{call->who, catcher, true}, index::conversation_of(key), visitor);
        }
        done_one(std::nullopt, 0);
    });
}

} // namespace parley::api
