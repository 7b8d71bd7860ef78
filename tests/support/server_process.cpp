#include "server_process.hpp"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <regex>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace parley::test {
namespace {

/// Starts `PARLEY_BINARY args...` with stdout and stderr on pipes. @return the pid.
pid_t spawn(std::string const& program, std::vector<std::string> const& args, int& out_fd, int& err_fd) {
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return -1;
    std::vector<std::string> argv_store{program};
    argv_store.insert(argv_store.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_store) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t const parent = getpid();
    pid_t const pid = fork();
    if (pid == 0) {
        // Only async-signal-safe calls until exec. The server dies with the test
        // process, even when a failed test aborts before any destructor runs.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        execv(argv_store[0].c_str(), argv.data());
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_fd = out_pipe[0];
    err_fd = err_pipe[0];
    return pid;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

} // namespace

std::string test_config(std::string const& data_dir, std::string const& limits_json) {
    return std::string("{\n") +
           "  // written by the test suite\n"
           "  \"storage\": {\"path\": \"" + data_dir + "\"},\n"
           "  \"threads\": 2,\n"
           "  \"log\": {\"level\": \"debug\"},\n"
           "  \"web\": {\"root\": \"" PARLEY_SOURCE_DIR "/web\"},\n"
           "  \"sites\": [\n"
           "    {\"id\": \"demo\", \"secret\": \"" + demo_secret + "\"},\n"
           "    {\"id\": \"strict\", \"secret\": \"" + strict_secret + "\", \"origins\": [\"https://shop.example\"]}\n"
           "  ],\n"
           "  \"limits\": " + limits_json + "\n"
           "}\n";
}

run_result run_parley(std::vector<std::string> const& args, std::chrono::milliseconds timeout) {
    return run_program(PARLEY_BINARY, args, timeout);
}

run_result run_program(std::string const& program, std::vector<std::string> const& args,
                       std::chrono::milliseconds timeout) {
    run_result result;
    int out_fd = -1, err_fd = -1;
    pid_t pid = spawn(program, args, out_fd, err_fd);
    if (pid < 0) return result;
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        if (poll(fds, 2, static_cast<int>(left.count())) <= 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[4096];
            auto n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) close(f.fd);
    int status = 0;
    if (open_fds > 0) kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    result.exit_code = open_fds > 0 ? -1 : decode_status(status);
    return result;
}

server_process::server_process(std::string const& config_json, std::vector<std::string> extra_args) {
    config_path_ = dir_.write("parley.json", config_json).string();
    std::vector<std::string> args{"serve", "--config", config_path_, "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    int out_fd = -1, err_fd = -1;
    pid_ = spawn(PARLEY_BINARY, args, out_fd, err_fd);
    if (pid_ < 0) return;
    close(out_fd);
    reader_ = std::thread([this, err_fd] { read_stderr(err_fd); });

    std::regex const listening(R"(server\.listening .*port=(\d+))");
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(15), [&] {
        std::smatch m;
        if (std::regex_search(log_, m, listening)) port_ = static_cast<unsigned short>(std::stoi(m[1]));
        return port_ != 0 || eof_;
    });
}

server_process::~server_process() {
    if (pid_ > 0 && !exit_code_) {
        kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    if (reader_.joinable()) reader_.join();
}

void server_process::read_stderr(int fd) {
    char buf[4096];
    for (;;) {
        auto n = read(fd, buf, sizeof buf);
        std::lock_guard lock(mutex_);
        if (n <= 0) {
            eof_ = true;
            changed_.notify_all();
            break;
        }
        log_.append(buf, static_cast<std::size_t>(n));
        changed_.notify_all();
    }
    close(fd);
}

void server_process::signal(int sig) {
    if (pid_ > 0 && !exit_code_) kill(pid_, sig);
}

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout) {
    if (exit_code_) return exit_code_;
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        auto r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_code_ = decode_status(status);
            return exit_code_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::string server_process::log() const {
    std::lock_guard lock(mutex_);
    return log_;
}

bool server_process::wait_for_log(std::string const& needle, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return log_.find(needle) != std::string::npos; });
}

} // namespace parley::test
