#include "server_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "free_port.h"
#include "http_client/http_client.h"

namespace strata::bench {

bool ParseCpuList(const std::string& list, std::vector<int>* cpus) {
  cpus->clear();
  std::stringstream in(list);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (part.empty()) return false;
    const size_t dash = part.find('-');
    char* end = nullptr;
    const long lo = std::strtol(part.c_str(), &end, 10);
    long hi = lo;
    if (dash != std::string::npos) {
      hi = std::strtol(part.c_str() + dash + 1, &end, 10);
    }
    if (*end != '\0' || lo < 0 || hi < lo || hi >= CPU_SETSIZE) return false;
    for (long c = lo; c <= hi; ++c) cpus->push_back(static_cast<int>(c));
  }
  return true;
}

bool PinCurrentThread(const std::vector<int>& cpus) {
  if (cpus.empty()) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (const int c : cpus) CPU_SET(c, &set);
  return sched_setaffinity(0, sizeof(set), &set) == 0;
}

int FreePort() { return strata::testing::FreeLoopbackPort(); }

std::unique_ptr<ServerProcess> ServerProcess::Start(
    std::vector<std::string> argv, const std::string& log_path,
    const std::vector<int>& cpus, int port) {
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return nullptr;
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    if (!cpus.empty()) {
      cpu_set_t set;
      CPU_ZERO(&set);
      for (const int c : cpus) CPU_SET(c, &set);
      sched_setaffinity(0, sizeof(set), &set);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  return std::unique_ptr<ServerProcess>(new ServerProcess(pid, port, log_path));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

StatusOr<http_client::Response> ServerProcess::Get(
    const std::string& target, std::chrono::milliseconds timeout) const {
  http_client::Request request;
  request.target = target;
  request.headers = client_.headers;
  http_client::Options options = client_.options;
  options.timeout = timeout;
  return http_client::Fetch("127.0.0.1", port_, request, options);
}

bool ServerProcess::WaitReady(double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    StatusOr<http_client::Response> ready =
        Get("/-/ready", std::chrono::seconds(5));
    if (ready.ok() && ready->status == 200) return true;
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

double ServerProcess::CpuSeconds() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  const size_t close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  // Fields 14 and 15 of proc(5), counting from the pid as 1.
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) {
      stime = std::stod(field);
      break;
    }
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int64_t ServerProcess::StatusField(const char* field) const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) {
      return std::strtoll(line.c_str() + prefix.size(), nullptr, 10) * 1024;
    }
  }
  return 0;
}

int64_t ServerProcess::RssBytes() const { return StatusField("VmRSS"); }
int64_t ServerProcess::PeakRssBytes() const { return StatusField("VmHWM"); }

bool ServerProcess::ResetPeakRss() const {
  std::ofstream out("/proc/" + std::to_string(pid_) + "/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

bool ServerProcess::Stop(double timeout_s) {
  if (pid_ <= 0) return false;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(timeout_s);
  int status = 0;
  for (;;) {
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      Kill();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string TailOfFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

}  // namespace strata::bench
