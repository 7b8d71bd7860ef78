#pragma once
// The connections of `fanout`: a visitor that starts the one conversation, the
// subscribers (operators on the conversation or the inbox) and the senders (operators).

#include "bench_client.hpp"
#include "delivery_check.hpp"
#include "event_loop.hpp"
#include "paced_start.hpp"
#include "run_errors.hpp"
#include "scenario.hpp"

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <vector>

namespace parley::bench {

class fanout_setup {
public:
    struct sender {
        std::shared_ptr<bench_client> ws;
        send_log sent;
        bool ready = false;
    };
    struct subscriber {
        std::shared_ptr<bench_client> ws;
        receive_log received;
        setup_slot setup; ///< ready(): subscribed
    };
    using subscriber_frame = std::function<void(subscriber&, std::string_view)>;
    using sender_frame = std::function<void(sender&, std::string_view)>;

    fanout_setup(event_loop& loop, target const& t, fanout_options const& o, run_errors& errors);

    /// Starts the conversation, subscribes the subscribers (a bounded number of
    /// handshakes at once) and connects the senders; every frame they receive goes to
    /// the handlers. @return how many subscribers are subscribed.
    std::size_t connect(subscriber_frame on_subscriber, sender_frame on_sender);

    std::uint64_t conversation() const { return conversation_; }
    std::vector<sender>& senders() { return senders_; }
    std::vector<sender> const& senders() const { return senders_; }
    std::vector<subscriber> const& subscribers() const { return subscribers_; }

    /// Checks that every subscriber, and the visitor, got exactly the acknowledged
    /// parts; closes everything; writes errors, lost, duplicated, reordered.
    void finish(boost::json::object& out);

private:
    bool start_conversation();
    void start_subscriber(subscriber& s, std::size_t index);

    event_loop& loop_;
    target const& target_;
    fanout_options const& o_;
    run_errors& errors_;
    subscriber_frame on_subscriber_;
    std::shared_ptr<bench_client> visitor_;
    receive_log visitor_received_;
    std::uint64_t conversation_ = 0;
    std::vector<subscriber> subscribers_;
    std::vector<sender> senders_;
    std::size_t senders_connected_ = 0; ///< connect attempts finished, either way
};

} // namespace parley::bench
