#include <parley/api/static_files.hpp>

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace parley::api {
namespace {

namespace fs = std::filesystem;

/// <tmp>/web is the root; <tmp>/secret sits beside it, where a traversal would land.
class static_files_test : public ::testing::Test {
protected:
    static_files_test() {
        dir_.write("web/index.html", "<h1>home</h1>");
        dir_.write("web/app.js", "console.log(1);");
        dir_.write("web/sub/index.html", "<h1>sub</h1>");
        dir_.write("web/.hidden", "hidden");
        dir_.write("web/a b.css", "body{}");
        dir_.write("web/.git/config", "[core]");
        fs::create_directories(dir_.path() / "web" / "empty");
        dir_.write("secret", "TOP SECRET");
        fs::create_symlink(dir_.path() / "secret", dir_.path() / "web" / "link-to-secret");
        fs::create_symlink(dir_.path() / "web" / "app.js", dir_.path() / "web" / "link-to-app.js");
    }

    fs::path root() const { return fs::canonical(dir_.path() / "web"); }

    /// The resolved file relative to the root, or "<refused>".
    std::string resolved(std::string_view target) const {
        auto const file = files_.resolve(target);
        return file ? file->lexically_relative(root()).string() : std::string("<refused>");
    }

    test::temp_dir dir_;
    static_files files_{dir_.path() / "web"};
};

TEST_F(static_files_test, root_is_index_html) {
    EXPECT_EQ(resolved("/"), "index.html");
    auto const file = files_.read("/");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->body, "<h1>home</h1>");
    EXPECT_EQ(file->content_type, "text/html; charset=utf-8");
}

TEST_F(static_files_test, files_under_web) {
    EXPECT_EQ(resolved("/web/app.js"), "app.js");
    EXPECT_EQ(resolved("/web/"), "index.html");
    EXPECT_EQ(resolved("/web/a%20b.css"), "a b.css");
    auto const file = files_.read("/web/app.js");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->body, "console.log(1);");
    EXPECT_EQ(file->content_type, "text/javascript; charset=utf-8");
}

TEST_F(static_files_test, trailing_slash_means_index_html) {
    EXPECT_EQ(resolved("/web/sub/"), (fs::path("sub") / "index.html").string());
    EXPECT_EQ(files_.read("/web/sub/")->body, "<h1>sub</h1>");
}

TEST_F(static_files_test, query_string_is_ignored) {
    EXPECT_EQ(resolved("/web/app.js?v=123"), "app.js");
    EXPECT_EQ(resolved("/?utm=x&y=../../secret"), "index.html");
}

TEST_F(static_files_test, symlink_inside_the_root_is_served) {
    EXPECT_EQ(resolved("/web/link-to-app.js"), "app.js");
}

TEST_F(static_files_test, traversal_is_refused) {
    ASSERT_TRUE(fs::exists(root() / ".." / "secret")); // the target a traversal would reach
    for (std::string_view target :
         {"/web/../secret", "/web/%2e%2e/secret", "/web/%2E%2E%2Fsecret", "/web/..%2fsecret",
          "/web/sub/../../secret", "/web/sub/%2e%2e/app.js", "/../secret", "/web/..",
          "/web/%2e%2e"}) {
        SCOPED_TRACE(target);
        EXPECT_EQ(resolved(target), "<refused>");
        EXPECT_FALSE(files_.read(target));
    }
}

TEST_F(static_files_test, dot_segments_are_refused) {
    EXPECT_EQ(resolved("/web/./app.js"), "<refused>");
    EXPECT_EQ(resolved("/web/%2e/app.js"), "<refused>");
    EXPECT_EQ(resolved("/web//app.js"), "<refused>");
}

TEST_F(static_files_test, hidden_files_are_refused) {
    EXPECT_EQ(resolved("/web/.hidden"), "<refused>");
    EXPECT_EQ(resolved("/web/%2ehidden"), "<refused>");
    EXPECT_EQ(resolved("/web/.git/config"), "<refused>");
}

TEST_F(static_files_test, symlink_out_of_the_root_is_refused) {
    ASSERT_TRUE(fs::is_symlink(dir_.path() / "web" / "link-to-secret"));
    EXPECT_EQ(resolved("/web/link-to-secret"), "<refused>");
    EXPECT_FALSE(files_.read("/web/link-to-secret"));
}

TEST_F(static_files_test, nul_and_backslash_are_refused) {
    dir_.write("web/a", "a");
    EXPECT_EQ(resolved("/web/a%00b"), "<refused>");
    EXPECT_EQ(resolved("/web/a%00"), "<refused>");
    EXPECT_EQ(resolved("/web/a\\b"), "<refused>");
    EXPECT_EQ(resolved("/web/..%5csecret"), "<refused>");
    EXPECT_EQ(resolved("/web/sub%5cindex.html"), "<refused>");
}

TEST_F(static_files_test, paths_outside_web_are_refused) {
    EXPECT_EQ(resolved("/other.html"), "<refused>");
    EXPECT_EQ(resolved("/index.html"), "<refused>");
    EXPECT_EQ(resolved("/web"), "<refused>");
    EXPECT_EQ(resolved("/webapp.js"), "<refused>");
    EXPECT_EQ(resolved("web/app.js"), "<refused>");
    EXPECT_EQ(resolved(""), "<refused>");
}

TEST_F(static_files_test, missing_files_and_directories_are_refused) {
    EXPECT_EQ(resolved("/web/missing.js"), "<refused>");
    EXPECT_EQ(resolved("/web/empty/"), "<refused>");
    EXPECT_EQ(resolved("/web/empty"), "<refused>");
    EXPECT_EQ(resolved("/web/sub"), "<refused>"); // a folder is not a file
    EXPECT_FALSE(files_.read("/web/missing.js"));
}

TEST_F(static_files_test, edits_show_without_a_restart) {
    dir_.write("web/app.js", "changed");
    EXPECT_EQ(files_.read("/web/app.js")->body, "changed");
    dir_.write("web/new.css", "p{}");
    EXPECT_EQ(resolved("/web/new.css"), "new.css");
}

TEST(content_type_for, known_extensions) {
    EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("a/app.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("style.css"), "text/css; charset=utf-8");
    EXPECT_EQ(content_type_for("data.json"), "application/json; charset=utf-8");
    EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
    EXPECT_EQ(content_type_for("logo.png"), "image/png");
}

TEST(content_type_for, unknown_is_octet_stream) {
    EXPECT_EQ(content_type_for("archive.tar.gz"), "application/octet-stream");
    EXPECT_EQ(content_type_for("Makefile"), "application/octet-stream");
    EXPECT_EQ(content_type_for("page.HTML5"), "application/octet-stream");
}

} // namespace
} // namespace parley::api
