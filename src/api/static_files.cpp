#include <parley/api/static_files.hpp>

#include <boost/url/parse.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace parley::api {

namespace fs = std::filesystem;

namespace {

bool safe_segment(std::string_view seg) {
    if (seg.empty() || seg.front() == '.') return false; // also catches "." and ".."
    return seg.find('\0') == std::string_view::npos && seg.find('\\') == std::string_view::npos;
}

bool is_within(fs::path const& file, fs::path const& root) {
    auto const [r, f] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
    return r == root.end();
}

} // namespace

static_files::static_files(fs::path root) {
    std::error_code ec;
    auto canonical = fs::weakly_canonical(fs::absolute(root, ec), ec);
    root_ = ec ? std::move(root) : std::move(canonical);
}

std::optional<fs::path> static_files::resolve(std::string_view target) const {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) return std::nullopt;
    std::string const path = parsed->path(); // percent-decoded

    std::string_view rest;
    if (path == "/") rest = "index.html";
    else if (path.starts_with("/web/")) rest = std::string_view(path).substr(5);
    else return std::nullopt;
    std::string relative(rest);
    if (relative.empty() || relative.back() == '/') relative += "index.html";

    fs::path candidate = root_;
    std::string_view remaining = relative;
    while (!remaining.empty()) {
        auto const slash = remaining.find('/');
        auto const seg = remaining.substr(0, slash);
        if (!safe_segment(seg)) return std::nullopt;
        candidate /= std::string(seg);
        remaining = slash == std::string_view::npos ? std::string_view{} : remaining.substr(slash + 1);
    }

    std::error_code ec;
    // Canonicalizing follows symlinks, so a link pointing out of web/ is refused too.
    auto const real = fs::canonical(candidate, ec);
    if (ec || !is_within(real, root_) || !fs::is_regular_file(real, ec)) return std::nullopt;
    return real;
}

std::optional<static_files::file> static_files::read(std::string_view target) const {
    auto const path = resolve(target);
    if (!path) return std::nullopt;
    std::ifstream in(*path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream body;
    body << in.rdbuf();
    return file{body.str(), content_type_for(*path)};
}

std::string_view content_type_for(fs::path const& file) {
    auto const ext = file.extension().string();
    if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json" || ext == ".map") return "application/json; charset=utf-8";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
    if (ext == ".gif") return "image/gif";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".webp") return "image/webp";
    if (ext == ".woff2") return "font/woff2";
    if (ext == ".woff") return "font/woff";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

} // namespace parley::api
