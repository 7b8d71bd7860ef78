// A WebSocket connection ends with its token (SPEC §3.2 `auth.refresh`, §3.4): a fresh
// token for the same actor moves the end; at `exp` the session closes with 4001.

#include <parley/clock.hpp>
#include <parley/net/ws_session.hpp>
#include <parley/protocol/fields.hpp>
#include <parley/protocol/frames.hpp>
#include <parley/telemetry/log.hpp>

#include <boost/beast/core/bind_handler.hpp>

#include <algorithm>

namespace parley::net {

namespace beast = boost::beast;
using protocol::error_code;

void ws_session::refresh_token(protocol::command const& cmd) {
    auto refuse = [&](error_code code, std::string message) {
        auto const err = protocol::error_for(cmd, code, std::move(message));
        ctx_.metrics.error_sent(err.code);
        reply(protocol::error_frame(err));
    };
    auto const* token = cmd.fields.if_contains("token");
    if (!token || !token->is_string() || token->get_string().empty())
        return refuse(error_code::bad_request, "auth.refresh needs a token");
    auto const fresh = ctx_.tokens.verify(token->get_string(), now_unix());
    if (!fresh) return refuse(error_code::unauthorized, std::string(auth::describe(fresh.error())));
    if (!auth::may_take_over(actor_, *fresh))
        return refuse(error_code::unauthorized, "token is for another site, role, sub or departments");
    token_expires_at_ = fresh->expires_at;
    arm_token_expiry();
    reply(protocol::ok_frame(cmd.ref));
}

void ws_session::arm_token_expiry() {
    // Re-arming cancels the wait before, whose handler then sees operation_aborted.
    auto const left_ms = std::max<std::int64_t>(token_expires_at_ * 1000 - now_ms(), 0);
    token_expiry_.expires_after(std::chrono::milliseconds(left_ms));
    token_expiry_.async_wait(beast::bind_front_handler(&ws_session::on_token_expiry, shared_from_this()));
}

void ws_session::on_token_expiry(beast::error_code ec) {
    if (ec || closing_) return;
    // The wall clock may have been stepped since the timer was armed.
    if (now_unix() < token_expires_at_) return arm_token_expiry();
    log::info("ws.token_expired", {{"conn", id_}});
    close(token_expired_close, "token expired");
}

} // namespace parley::net
