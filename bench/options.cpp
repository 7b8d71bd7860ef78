#include "options.hpp"

#include <charconv>

namespace parley::bench {

options::options(int argc, char** argv, int first, std::set<std::string> const& switches) {
    for (int i = first; i < argc; ++i) {
        std::string const name = argv[i];
        if (!name.starts_with("--")) {
            problems_.push_back("unexpected argument " + name);
        } else if (switches.count(name)) {
            values_[name] = "";
        } else if (i + 1 < argc) {
            values_[name] = argv[++i];
        } else {
            problems_.push_back(name + " needs a value");
        }
    }
}

bool options::has(std::string const& name) {
    asked_.insert(name);
    return values_.count(name) != 0;
}

std::string options::text(std::string const& name, std::string const& fallback) {
    return has(name) ? values_[name] : fallback;
}

int options::integer(std::string const& name, int fallback) {
    if (!has(name)) return fallback;
    auto const& v = values_[name];
    int out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size())
        problems_.push_back(name + " expects an integer");
    return out;
}

double options::number(std::string const& name, double fallback) {
    if (!has(name)) return fallback;
    auto const& v = values_[name];
    double out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size())
        problems_.push_back(name + " expects a number");
    return out;
}

std::vector<std::string> options::problems() const {
    auto all = problems_;
    for (auto const& [name, value] : values_)
        if (!asked_.count(name)) all.push_back("unknown option " + name);
    return all;
}

} // namespace parley::bench
