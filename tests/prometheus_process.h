// A real Prometheus (the `prometheus` binary on PATH) for interop tests: on
// a free loopback port with the given config, data directory and extra
// flags, its output in <work_dir>/prometheus.log; SIGTERM and wait on
// destruction (only the PID this object started).
//
// Thread-safety: one owner.
#ifndef STRATA_TESTS_PROMETHEUS_PROCESS_H_
#define STRATA_TESTS_PROMETHEUS_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "free_port.h"
#include "http_client/http_client.h"
#include "wait_for.h"

namespace strata::testing {

inline bool HavePrometheus() {
  return std::system("prometheus --version >/dev/null 2>&1") == 0;
}

class PrometheusProcess {
 public:
  // "PORT" in `config_body` becomes the listen port.
  PrometheusProcess(const std::string& data_dir, const std::string& config_body,
                    const std::string& work_dir,
                    const std::vector<std::string>& extra_flags = {})
      : port_(FreeLoopbackPort()) {
    std::string config = config_body;
    const size_t at = config.find("PORT");
    if (at != std::string::npos) config.replace(at, 4, std::to_string(port_));
    const std::string config_path = work_dir + "/prometheus.yml";
    log_path_ = work_dir + "/prometheus.log";
    std::ofstream(config_path) << config;
    std::vector<std::string> args = {
        "prometheus", "--config.file=" + config_path,
        "--storage.tsdb.path=" + data_dir,
        "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
    args.insert(args.end(), extra_flags.begin(), extra_flags.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      const int log =
          ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(log, 1);
      ::dup2(log, 2);
      ::execvp("prometheus", argv.data());
      ::_exit(127);
    }
  }
  ~PrometheusProcess() { Stop(); }
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;

  // Waits (up to 30 s) until /-/ready answers 200.
  bool WaitReady() {
    return WaitFor(
        [&] {
          StatusOr<http_client::Response> r =
              http_client::Get(port_, "/-/ready");
          return r.ok() && r->status == 200;
        },
        std::chrono::seconds(30), std::chrono::milliseconds(100));
  }

  void Stop() { Signal(SIGTERM); }
  // kill -9: what Prometheus has not written out yet is lost.
  void Kill() { Signal(SIGKILL); }

  // Sends `signal` and waits for the process to end.
  void Signal(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  int port() const { return port_; }
  // POST /api/v1/admin/tsdb/snapshot (needs --web.enable-admin-api): the
  // new snapshot's directory name under <data_dir>/snapshots, or why not.
  StatusOr<std::string> AdminSnapshot() const {
    StatusOr<http_client::Response> r =
        http_client::Post(port_, "/api/v1/admin/tsdb/snapshot", "");
    if (!r.ok()) return r.status();
    // {"status":"success","data":{"name":"<name>"}}
    const std::string key = "\"name\":\"";
    const size_t at = r->body.find(key);
    if (r->status != 200 || at == std::string::npos) {
      return Status::Internal("admin snapshot: HTTP " +
                              std::to_string(r->status) + " " + r->body);
    }
    const size_t start = at + key.size();
    return r->body.substr(start, r->body.find('"', start) - start);
  }
  std::string log() const {
    std::ifstream in(log_path_);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

 private:
  int port_;
  pid_t pid_ = -1;
  std::string log_path_;
};

}  // namespace strata::testing

#endif  // STRATA_TESTS_PROMETHEUS_PROCESS_H_
