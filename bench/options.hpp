#pragma once
// Command-line options in `--flag value` form; a few flags take no value.

#include <map>
#include <set>
#include <string>
#include <vector>

namespace parley::bench {

class options {
public:
    /// Reads argv[first..]. `switches` are the flags that take no value.
    options(int argc, char** argv, int first, std::set<std::string> const& switches);

    int integer(std::string const& name, int fallback);
    double number(std::string const& name, double fallback);
    std::string text(std::string const& name, std::string const& fallback);
    bool has(std::string const& name);

    /// What was wrong: a flag without value, a value that is not a number, or a flag no
    /// scenario asked for (a typo must not silently run the defaults). Call after the
    /// scenario has read all its options. @return empty when all is well.
    std::vector<std::string> problems() const;

private:
    std::map<std::string, std::string> values_;
    std::set<std::string> asked_;
    std::vector<std::string> problems_;
};

} // namespace parley::bench
