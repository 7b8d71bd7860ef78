#include <parley/api/reply_catcher.hpp>

namespace parley::api {

reply_catcher::reply_catcher(relay::hub& hub, on_reply reply) : hub_(hub), reply_(std::move(reply)) {}

reply_catcher::~reply_catcher() { hub_.forget(this); }

void reply_catcher::deliver(std::shared_ptr<std::string const> frame) {
    if (answered_.exchange(true)) return;
    reply_(frame);
}

} // namespace parley::api
