// One server under test (strata-server or Prometheus) as a child process:
// started pinned to a CPU set, polled for readiness, measured through
// /proc/<pid> (CPU time, RSS), stopped with SIGTERM.
//
// Thread-safety: the methods that read /proc may be called from any thread;
// Start/Stop from one thread.
#ifndef STRATA_BENCH_COMPARE_SERVER_PROCESS_H_
#define STRATA_BENCH_COMPARE_SERVER_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http_client/http_client.h"

namespace strata::bench {

// How the harness reaches a server: plain HTTP by default, or HTTPS
// (options.tls) and headers every request carries (basic auth).
struct ClientSetup {
  http_client::Options options;
  http_client::Headers headers;
};

// A CPU list as taskset takes it ("1", "0-3", "0,2"); empty = no pinning.
// Returns false on a malformed list.
bool ParseCpuList(const std::string& list, std::vector<int>* cpus);

// Pins the calling thread (and the threads it creates later) to `cpus`.
bool PinCurrentThread(const std::vector<int>& cpus);

// A loopback TCP port that was free a moment ago.
int FreePort();

class ServerProcess {
 public:
  // Forks and execs `argv` with stdout/stderr to `log_path`, the child
  // pinned to `cpus` first (as `taskset -c` would). Null if fork fails.
  static std::unique_ptr<ServerProcess> Start(std::vector<std::string> argv,
                                              const std::string& log_path,
                                              const std::vector<int>& cpus,
                                              int port);
  ~ServerProcess();  // Kills the child if still running.

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  // Set before WaitReady; every request of the harness goes through it.
  void set_client(ClientSetup client) { client_ = std::move(client); }
  const ClientSetup& client() const { return client_; }

  // GET `target` on a fresh connection through client().
  StatusOr<http_client::Response> Get(
      const std::string& target,
      std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  const std::string& log_path() const { return log_path_; }

  // Polls GET /-/ready (through client()) every 10 ms until it answers 200
  // (true) or the child exits or `timeout_s` passes (false).
  bool WaitReady(double timeout_s);

  // utime + stime of the child so far, in seconds.
  double CpuSeconds() const;
  // Resident set size now, and its peak so far (VmRSS, VmHWM), in bytes.
  int64_t RssBytes() const;
  int64_t PeakRssBytes() const;
  // Resets VmHWM to the current RSS (writes 5 to /proc/<pid>/clear_refs,
  // Linux 4.0+), so PeakRssBytes() then tells the peak of what follows.
  bool ResetPeakRss() const;

  // SIGTERM, then waits up to `timeout_s` (SIGKILL after). True when the
  // child exited by itself with status 0.
  bool Stop(double timeout_s);
  // SIGKILL (as a crash or the OOM killer would), then reaps the child.
  void Kill();
  bool running() const { return pid_ > 0; }

 private:
  ServerProcess(pid_t pid, int port, std::string log_path)
      : pid_(pid), port_(port), log_path_(std::move(log_path)) {}
  int64_t StatusField(const char* field) const;

  pid_t pid_;
  int port_;
  std::string log_path_;
  ClientSetup client_;
};

// The last `max_bytes` of a file (a server log), for error messages.
std::string TailOfFile(const std::string& path, size_t max_bytes);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_SERVER_PROCESS_H_
