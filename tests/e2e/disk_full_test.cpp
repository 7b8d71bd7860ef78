// A full disk (SPEC §3.3): the data dir on a small tmpfs this test mounts. When writes
// fail, clients get `unavailable` / 503 and `/readyz` says not ready, nothing acked is
// lost, nothing crashes, and the server takes writes again by itself once there is room.

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/tokens.hpp"
#include "support/ws_client.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

namespace parley::test {
namespace {

namespace json = boost::json;
using frame_kind = ws_client::frame_kind;

/// A tmpfs of `size` at `path`, unmounted when it goes. Needs root (CAP_SYS_ADMIN).
class small_filesystem {
public:
    small_filesystem(std::string path, char const* size) : path_(std::move(path)) {
        std::filesystem::create_directories(path_);
        mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, (std::string("size=") + size).c_str()) == 0;
        if (!mounted_) why_ = std::strerror(errno);
    }
    ~small_filesystem() {
        if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    }
    bool mounted() const { return mounted_; }
    std::string const& why() const { return why_; }

    /// Fills what is left with a file. @return its size.
    std::size_t fill(std::string const& name) {
        std::ofstream out(path_ + "/" + name, std::ios::binary);
        std::string const chunk(64 * 1024, 'x');
        std::size_t written = 0;
        while (out.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) && out.flush()) written += chunk.size();
        return written;
    }

private:
    std::string path_;
    bool mounted_ = false;
    std::string why_;
};

TEST(disk_full, writes_fail_as_unavailable_and_resume_by_themselves_once_there_is_room) {
    temp_dir dir;
    small_filesystem fs(dir.str() + "/small", "32m");
    if (!fs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << fs.why();
    // test_config() with the store's free-space floor at 1 MiB instead of 256 MiB.
    auto config = test_config(dir.str() + "/small/data", R"({"commands_per_s": 100000, "commands_burst": 100000})");
    auto const storage = config.find("\"storage\"");
    ASSERT_NE(storage, std::string::npos) << config;
    config.insert(config.find('{', storage) + 1, "\"min_free_bytes\": 1048576, ");
    server_process server(config);
    ASSERT_TRUE(server.started()) << server.log();
    auto const staff = make_token(auth::role::operator_, "op-disk");
    auto c = ws_client::open(server.port(), visitor_token("filler"));
    ASSERT_TRUE(c);
    c->read_json();
    c->send_text(R"({"op":"conversation.start","random_id":"disk-start"})");
    auto const cid = c->read_op("conversation.started")["conversation"].as_object()["id"].to_number<std::uint64_t>();
    ASSERT_EQ(http_get(server.port(), "/readyz").result_int(), 200);

    // Full but for 3 MiB: the parts written now fill it past the 1 MiB floor.
    auto const ballast = dir.str() + "/small/ballast";
    auto const filled = fs.fill("ballast");
    ASSERT_GT(filled, 4u << 20);
    std::filesystem::resize_file(ballast, filled - (3u << 20));
    std::string const body(2000, 'b');
    std::set<std::string> acked;
    std::string refused;
    for (int i = 0; i < 20000 && refused.empty(); ++i) {
        auto const rid = "d-" + std::to_string(i);
        c->send_text(json::serialize(json::object{{"op", "part.create"}, {"conversation", cid}, {"type", "reply_user"},
                                                  {"random_id", rid}, {"body", body + rid}}));
        auto f = c->read_json();
        if (f["op"] == "part.created") acked.insert(rid);
        else if (f["op"] == "error") {
            EXPECT_EQ(f["code"], "unavailable") << json::serialize(f);
            EXPECT_EQ(f["random_id"], rid.c_str());
            refused = rid;
        }
    }
    ASSERT_FALSE(refused.empty()) << "the disk never filled up\n" << server.log();
    EXPECT_GT(acked.size(), 100u) << "parts were taken until the floor was reached";
    EXPECT_EQ(http_get(server.port(), "/readyz").result_int(), 503);
    EXPECT_EQ(http_get(server.port(), "/healthz").result_int(), 200) << "the process is alive";
    http_connection h(server.port());
    auto const over_http = h.request("POST", "/v1/conversations/" + std::to_string(cid) + "/parts",
                                     {{"Authorization", "Bearer " + staff}, {"Content-Type", "application/json"}},
                                     R"({"type":"reply_admin","random_id":"http-while-full","body":"x"})");
    EXPECT_EQ(over_http.result_int(), 503) << over_http.body();

    // Room again: no restart, no client write needed for /readyz to come back.
    std::filesystem::remove(ballast);
    int ready = 0;
    for (int i = 0; i < 100 && ready != 200; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        ready = http_get(server.port(), "/readyz").result_int();
    }
    ASSERT_EQ(ready, 200) << server.log();
    // The refused part, resent with its random_id, is stored now; and new ones too.
    for (auto const& rid : {refused, std::string("after-1")}) {
        c->send_text(json::serialize(json::object{{"op", "part.create"}, {"conversation", cid}, {"type", "reply_user"},
                                                  {"random_id", rid}, {"body", body + rid}}));
        auto f = c->read_op("part.created");
        ASSERT_FALSE(f.empty()) << rid;
        EXPECT_FALSE(f.contains("duplicate")) << rid;
        acked.insert(rid);
    }
    // Everything acknowledged is in the history, once.
    std::map<std::string, int> stored;
    for (auto const& p : whole_history(server.port(), cid, staff))
        ++stored[std::string(p.at("body").as_string()).substr(body.size())];
    for (auto const& rid : acked) EXPECT_EQ(stored[rid], 1) << rid;
    EXPECT_EQ(stored.size(), acked.size());
    std::cout << "disk full after " << acked.size() - 2 << " parts of 2 kB; resumed without a restart\n";
}

} // namespace
} // namespace parley::test
