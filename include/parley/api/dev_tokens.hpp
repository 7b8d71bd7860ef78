#pragma once

#include <parley/api/http_types.hpp>
#include <parley/config/config.hpp>

#include <vector>

namespace parley::api {

/// `POST /v1/dev/token` (SPEC §5.9), served only when the config sets `dev_tokens`:
/// `{"site","role","sub","name"?,"departments"?}` → `{"token"}`, signed with that site's
/// secret and valid for a day. It lets the demo pages sign in as anyone, which is why
/// a production config must never enable it.
/// @note Thread-safe: reads the configuration only.
class dev_tokens {
public:
    explicit dev_tokens(std::vector<config::site> const& sites) : sites_(sites) {}

    http_response handle(http_request const& req) const;

private:
    std::vector<config::site> const& sites_;
};

} // namespace parley::api
