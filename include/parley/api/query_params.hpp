#pragma once

#include <parley/expected.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::api {

/// A request's query string, decoded and checked strictly (SPEC §5: unknown parameters
/// are 400). Brackets may come raw (`status[]=queued`, as curl sends them) or
/// percent-encoded (`status%5B%5D=queued`, as URLSearchParams does): names are
/// compared decoded, so both are the same parameter.
class query_params {
public:
    /// Splits and percent-decodes `query` (what follows `?`, without it).
    /// @return the parameters, or a message when the encoding is broken.
    static expected<query_params, std::string> parse(std::string_view query);

    /// The first parameter whose name is not in `known`, as a 400 message, or nullopt.
    /// A name ending in `[]` is a list; the others must not repeat.
    std::optional<std::string> check(std::initializer_list<std::string_view> known) const;

    /// The value of a scalar parameter, or nullopt when absent.
    std::optional<std::string_view> get(std::string_view name) const;

    /// Every value of a list parameter (`name[]`), or nullopt when absent.
    std::optional<std::vector<std::string>> list(std::string_view name) const;

    bool empty() const { return params_.empty(); }

    /// The query again, percent-encoded, with `name` set to `value` (replacing any):
    /// the `Link: rel="next"` of a page keeps every other parameter as given.
    std::string with(std::string_view name, std::string_view value) const;

private:
    std::vector<std::pair<std::string, std::string>> params_;
};

/// A scalar integer parameter in `min..max`. @return its value, nullopt when absent,
/// or a 400 message naming it (`per: expected an integer 1..200`).
expected<std::optional<std::uint64_t>, std::string> integer_param(query_params const& q, std::string_view name,
                                                                  std::uint64_t min, std::uint64_t max);

/// Splits a request target into its path (percent-decoded) and its raw query.
/// @return nullopt when the path is not a valid origin-form path.
std::optional<std::pair<std::string, std::string_view>> split_target(std::string_view target);

} // namespace parley::api
