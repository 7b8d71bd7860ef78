#pragma once

#include "temp_dir.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace parley::test {

/// The secret of the `demo` site in test_config(); tests mint tokens with it.
inline constexpr char const* demo_secret = "test-secret-0123456789abcdef";
/// A second site, whose WebSockets must come from `https://shop.example`.
inline constexpr char const* strict_secret = "strict-secret-0123456789abcdef";

/// A configuration for tests: sites `demo` (any origin) and `strict` (origins
/// ["https://shop.example"]), data in `data_dir`, log level debug, and `limits_json`
/// (a JSON object, e.g. `{"ping_interval_s":1}`) as the `limits` section.
std::string test_config(std::string const& data_dir, std::string const& limits_json = "{}");

/// What a finished run of the binary printed and returned.
struct run_result {
    int exit_code = -1; ///< -1 when it had to be killed after the timeout
    std::string out;
    std::string err;
};

/// Runs `program ARGS...` to completion (killed after `timeout`).
run_result run_program(std::string const& program, std::vector<std::string> const& args,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// Runs `parley ARGS...` to completion (killed after `timeout`).
run_result run_parley(std::vector<std::string> const& args,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// `parley serve` running in the background on 127.0.0.1 and an ephemeral port, with
/// its config in a temp dir. The constructor returns once the server logs that it
/// listens (or has exited: see started()). The destructor kills it if still running.
class server_process {
public:
    /// @param config_json the whole config file; test_config() suits most tests.
    explicit server_process(std::string const& config_json, std::vector<std::string> extra_args = {});
    ~server_process();
    server_process(server_process const&) = delete;
    server_process& operator=(server_process const&) = delete;

    bool started() const { return port_ != 0; }
    unsigned short port() const { return port_; }
    std::string const& config_path() const { return config_path_; }
    pid_t pid() const { return pid_; }

    void signal(int sig);

    /// Waits for the process to end. @return its exit code (128+N when killed by
    /// signal N), or nullopt if it is still running after `timeout`.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);

    /// Everything the server wrote to stderr so far.
    std::string log() const;

    /// Waits until the log contains `needle`. @return whether it appeared in time.
    bool wait_for_log(std::string const& needle, std::chrono::milliseconds timeout) const;

private:
    void read_stderr(int fd);

    temp_dir dir_;
    std::string config_path_;
    pid_t pid_ = -1;
    unsigned short port_ = 0;
    std::optional<int> exit_code_;
    std::thread reader_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::string log_;
    bool eof_ = false;
};

} // namespace parley::test
