#include <parley/api/conversation_list.hpp>
#include <parley/api/list_query.hpp>
#include <parley/clock.hpp>
#include <parley/index/conversation_query.hpp>
#include <parley/protocol/conversation.hpp>
#include <parley/protocol/fields.hpp>
#include <parley/store/conversation_records.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>

namespace parley::api {

namespace json = boost::json;
namespace http = boost::beast::http;
using protocol::error_code;

conversation_list::conversation_list(store::rocks_store const& store, reader_pool& readers)
    : store_(store), readers_(readers) {}

void conversation_list::handle(call_ptr const& call) const {
    auto q = read_list_query(call->query, call->who);
    if (!q) return call->fail(q.error().first, q.error().second);
    readers_.post([this, call, q = std::move(*q)] {
        auto page = index::run(store_, q);
        if (!page) return call->fail(error_code::unavailable, "store unavailable");
        auto const audience = call->who.role == auth::role::visitor ? protocol::audience::visitor
                                                                    : protocol::audience::staff;
        auto const now = now_ms();
        json::array out;
        out.reserve(page->ids.size());
        for (auto const id : page->ids) {
            auto c = store::load_conversation(store_, id);
            if (!c) continue; // indexed but not readable: never shown half
            out.push_back(protocol::to_json(*c, audience, now));
        }
        auto res = make_response(call->req, 200, json::serialize(out), json_content_type);
        res.set("X-Total-Count", std::to_string(page->total));
        if (q.page * q.per < page->total)
            res.set(http::field::link, "</v1/conversations?" + call->query.with("page", std::to_string(q.page + 1)) +
                                           ">; rel=\"next\"");
        call->respond(std::move(res));
    });
}

} // namespace parley::api
