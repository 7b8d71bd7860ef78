#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace parley::api {

/// Serves the `web/` folder at `/` and `/web/...` (SPEC §5.8) without ever leaving it.
/// @note Thread-safe: immutable after construction; every call reads the file anew, so
/// edits to web/ show without a restart.
class static_files {
public:
    explicit static_files(std::filesystem::path root);

    /// Maps a request target (path and optional query) to a regular file under the root.
    /// `/` is `index.html`; `/web/a/b.js` is `a/b.js`; a path ending in `/` means its
    /// `index.html`. The path is percent-decoded first, then refused if any segment is
    /// `.`, `..` or hidden (starts with `.`), holds a NUL or a backslash, or if the
    /// resolved file (symlinks followed) is outside the root.
    /// @return the file, or nullopt for anything not safely servable.
    std::optional<std::filesystem::path> resolve(std::string_view target) const;

    struct file {
        std::string body;
        std::string_view content_type;
    };

    /// resolve() and read. @return nullopt when not servable or not readable.
    std::optional<file> read(std::string_view target) const;

    std::filesystem::path const& root() const { return root_; }

private:
    std::filesystem::path root_;
};

/// The Content-Type for a file name, by extension; `application/octet-stream` if unknown.
std::string_view content_type_for(std::filesystem::path const& file);

} // namespace parley::api
