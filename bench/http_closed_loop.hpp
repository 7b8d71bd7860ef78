#pragma once
// The measured phase of the HTTP scenarios (history, list): keep-alive connections in a
// closed loop, each sending its next request when the last one is answered.

#include "event_loop.hpp"
#include "http_client.hpp"
#include "run_errors.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace parley::bench {

/// The state a scenario's `request` function shares with the loop: it sends only while
/// `requesting`, counts only while `measuring`, and keeps `in_flight` up to date so the
/// end of the run waits for the last answers.
struct http_closed_loop {
    event_loop& loop;
    unsigned short port;
    run_errors& errors;
    bool requesting = true;
    bool measuring = false;
    std::uint64_t in_flight = 0;

    /// Connects `connections` clients, each starting with `request(client)`; then the
    /// warm-up and the measured interval; then waits for what is in flight and closes
    /// them. @return the measured seconds, 0 when nothing was to be requested.
    double run(timing const& time, int connections, std::string const& authorization, std::string const& name,
               std::function<void(http_client&)> const& request) {
        if (!requesting) return 0.0;
        std::vector<std::shared_ptr<http_client>> clients;
        for (int i = 0; i < connections && requesting; ++i) {
            clients.push_back(std::make_shared<http_client>(loop.ioc(), port, authorization));
            clients.back()->connect([this, &request, name, &client = *clients.back()](bool ok) {
                if (!ok) return errors.add(name + " connection failed");
                request(client);
            });
        }
        auto const elapsed = loop.measure(time, measuring);
        requesting = false;
        loop.run_until([&] { return in_flight == 0; }, std::chrono::seconds(10));
        for (auto& c : clients)
            c->close();
        return elapsed;
    }
};

} // namespace parley::bench
