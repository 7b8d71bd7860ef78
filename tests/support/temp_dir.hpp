#pragma once

#include <filesystem>
#include <string>

namespace parley::test {

/// A fresh directory under the system temp dir, removed with everything in it when the
/// object goes away.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;

    std::filesystem::path const& path() const { return path_; }
    std::string str() const { return path_.string(); }

    /// Writes `content` to `name` inside the directory. @return the file's path.
    std::filesystem::path write(std::string const& name, std::string const& content) const;

private:
    std::filesystem::path path_;
};

} // namespace parley::test
