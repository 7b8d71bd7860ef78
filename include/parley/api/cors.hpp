#pragma once

#include <parley/api/http_types.hpp>
#include <parley/config/config.hpp>

#include <string_view>

namespace parley::api {

/// Cross-origin access for the widgets on customers' websites (SPEC §5 CORS): a browser
/// page on one of a site's `origins` may call the API about that site; every other
/// origin gets no CORS headers at all, so browsers keep its pages out.
/// @note Thread-safe: reads the configuration only.
class cors {
public:
    explicit cors(std::vector<config::site> const& sites);

    /// Whether `origin` is among the `origins` of the site `site`.
    bool allowed(std::string_view site, std::string_view origin) const;
    /// Whether `origin` is among the `origins` of any site.
    bool allowed_anywhere(std::string_view origin) const;

    /// Adds the headers of an allowed cross-origin answer about `site`, when the
    /// request's `Origin` is allowed for it.
    void decorate(http_request const& req, std::string_view site, http_response& res) const;
    /// The same for answers that concern no site yet (a refused token): allowed when
    /// the origin is any site's, so the page can read why it was refused.
    void decorate_any(http_request const& req, http_response& res) const;

    /// The answer to a preflight `OPTIONS` on a `/v1/` path: 204 with the allowed
    /// methods and headers for an origin of any site, else 403 without CORS headers.
    http_response preflight(http_request const& req) const;

private:
    static void add_headers(std::string_view origin, http_response& res);

    std::vector<config::site> const& sites_;
};

} // namespace parley::api
