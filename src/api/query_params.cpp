#include <parley/api/query_params.hpp>

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>

namespace parley::api {

namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Form decoding: `%XX` and `+` for a space.
std::optional<std::string> decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char const c = in[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            int const hi = hex(in[i + 1]), lo = hex(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

void encode_into(std::string& out, std::string_view in) {
    constexpr char digits[] = "0123456789ABCDEF";
    for (unsigned char c : in) {
        bool const plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                           c == '_' || c == '.' || c == '~' || c == ',' || c == ':';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
}

bool is_list(std::string_view name) { return name.ends_with("[]"); }

} // namespace

expected<query_params, std::string> query_params::parse(std::string_view query) {
    query_params out;
    while (!query.empty()) {
        auto const amp = query.find('&');
        auto const pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto const eq = pair.find('=');
        auto name = decode(pair.substr(0, eq));
        auto value = decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        if (!name || !value) return unexpected{std::string("malformed percent-encoding in the query")};
        out.params_.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

std::optional<std::string> query_params::check(std::initializer_list<std::string_view> known) const {
    for (std::size_t i = 0; i < params_.size(); ++i) {
        auto const& name = params_[i].first;
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            // `status=queued` for `status[]` is the likeliest mistake: say so.
            std::string list = name + "[]";
            if (std::find(known.begin(), known.end(), list) != known.end())
                return name + ": a list parameter, write " + list + "=...";
            return name + ": unknown parameter";
        }
        if (is_list(name)) continue;
        for (std::size_t j = 0; j < i; ++j)
            if (params_[j].first == name) return name + ": given more than once";
    }
    return std::nullopt;
}

std::optional<std::string_view> query_params::get(std::string_view name) const {
    for (auto const& [n, v] : params_)
        if (n == name) return std::string_view(v);
    return std::nullopt;
}

std::optional<std::vector<std::string>> query_params::list(std::string_view name) const {
    std::optional<std::vector<std::string>> out;
    for (auto const& [n, v] : params_)
        if (n.size() == name.size() + 2 && n.starts_with(name) && is_list(n)) {
            if (!out) out.emplace();
            out->push_back(v);
        }
    return out;
}

std::string query_params::with(std::string_view name, std::string_view value) const {
    std::string out;
    auto add = [&](std::string_view n, std::string_view v) {
        if (!out.empty()) out += '&';
        encode_into(out, n);
        out += '=';
        encode_into(out, v);
    };
    for (auto const& [n, v] : params_)
        if (n != name) add(n, v);
    add(name, value);
    return out;
}

expected<std::optional<std::uint64_t>, std::string> integer_param(query_params const& q, std::string_view name,
                                                                  std::uint64_t min, std::uint64_t max) {
    auto const text = q.get(name);
    if (!text) return std::optional<std::uint64_t>{};
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || end != text->data() + text->size() || v < min || v > max)
        return unexpected{std::string(name) + ": expected an integer " + std::to_string(min) + ".." + std::to_string(max)};
    return std::optional<std::uint64_t>{v};
}

std::optional<std::pair<std::string, std::string_view>> split_target(std::string_view target) {
    auto const q = target.find('?');
    auto const path_part = target.substr(0, q);
    auto parsed = boost::urls::parse_origin_form(path_part);
    if (!parsed) return std::nullopt;
    std::string_view query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
    // A fragment never reaches a server, but a broken client may send one: drop it.
    if (auto const hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
    return std::pair<std::string, std::string_view>{std::string(parsed->path()), query};
}

} // namespace parley::api
