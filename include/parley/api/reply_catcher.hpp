#pragma once

#include <parley/relay/hub.hpp>
#include <parley/relay/subscriber.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace parley::api {

/// The connection an HTTP command speaks through: the hub answers it like any
/// WebSocket, and the first frame it delivers (the reply or the error) is the answer.
/// Anything after that (a subscription's broadcasts) is dropped.
/// @note deliver() runs under hub locks: `on_reply` must not block or call the hub.
class reply_catcher final : public relay::subscriber {
public:
    using on_reply = std::function<void(std::shared_ptr<std::string const> const&)>;

    reply_catcher(relay::hub& hub, on_reply reply);
    /// Forgets its subscriptions, as a closing WebSocket does.
    ~reply_catcher() override;

    void deliver(std::shared_ptr<std::string const> frame) override;
    void disconnect(relay::close_reason) override {}

private:
    relay::hub& hub_;
    on_reply reply_;
    std::atomic<bool> answered_{false};
};

} // namespace parley::api
