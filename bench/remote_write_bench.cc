// bench-deps: strata_server_proto strata_util snappy
//
// End-to-end remote write ingest: strata-server against Prometheus 2.42's
// own receiver (--web.enable-remote-write-receiver), same payloads, same
// machine, same run.
//
// Payloads are pre-generated before either server starts: the 1,467 label
// sets of recorded-15s (data.om.zst), replicated over --instances values of
// `instance`, one sample per series per request as Prometheus sends them,
// --samples-per-request series to a request, rounds 15 s apart with the
// recorded values. Each connection owns a fixed set of series shards and
// sends its shards' requests in time order, so no sample is out of order.
//
// For each server: a fresh data directory, all requests sent over
// --connections keep-alive connections, and the server's CPU time read from
// /proc/<pid>/stat (utime + stime) around the run. Reported: wall-clock
// samples/s, samples per server CPU-second ("per core"), CPU-seconds per
// million samples, request latency percentiles.
//
// Usage (from the repository root, after building strata-server):
//   build/bench/remote_write_bench
//       --strata=build/tools/strata-server/strata-server
// Flags: --prometheus=PATH --dataset=PATH --instances=N --rounds=N
//        --samples-per-request=N --connections=N --only=strata|prometheus
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "prometheus/remote.pb.h"
#include "snappy.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kStaleNaN = 0x7ff0000000000002ULL;
constexpr int64_t kStepMs = 15000;

struct Flags {
  std::string strata;
  std::string prometheus = "/usr/bin/prometheus";
  std::string dataset = "/work/shared/datasets/recorded-15s/data.om.zst";
  int instances = 20;
  int rounds = 160;
  int samples_per_request = 2000;
  int connections = 4;
  std::string only;
};

bool ParseFlag(const char* arg, const char* name, std::string* out) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *out = arg + n + 1;
  return true;
}

// ---- The dataset: label sets and their recorded values ----

struct RecordedSeries {
  std::vector<std::pair<std::string, std::string>> labels;  // Incl. __name__.
  std::vector<double> values;
};

// Parses `name{a="b",...} value timestamp` lines of OpenMetrics text.
bool ParseLine(const std::string& line,
               std::vector<std::pair<std::string, std::string>>* labels,
               double* value) {
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  labels->clear();
  labels->emplace_back("__name__", line.substr(0, i));
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const size_t eq = line.find('=', i);
      if (eq == std::string::npos || eq + 1 >= line.size()) return false;
      std::string name = line.substr(i, eq - i);
      std::string v;
      size_t j = eq + 2;  // After ="
      while (j < line.size() && line[j] != '"') {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          v += line[j] == 'n' ? '\n' : line[j];
        } else {
          v += line[j];
        }
        ++j;
      }
      labels->emplace_back(std::move(name), std::move(v));
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    ++i;  // '}'
  }
  while (i < line.size() && line[i] == ' ') ++i;
  const size_t end = line.find(' ', i);
  const std::string v = line.substr(i, end - i);
  if (v == "NaN") {
    *value = std::bit_cast<double>(kStaleNaN);
  } else {
    *value = std::strtod(v.c_str(), nullptr);
  }
  return true;
}

std::vector<RecordedSeries> LoadDataset(const std::string& path) {
  const std::string cmd = "zstd -dc '" + path + "'";
  FILE* in = popen(cmd.c_str(), "r");
  if (in == nullptr) {
    std::perror("zstd");
    std::exit(1);
  }
  std::map<std::string, size_t> index;
  std::vector<RecordedSeries> series;
  std::vector<std::pair<std::string, std::string>> labels;
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&buf, &cap, in)) > 0) {
    std::string line(buf, static_cast<size_t>(n));
    while (!line.empty() && line.back() == '\n') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    double value;
    if (!ParseLine(line, &labels, &value)) continue;
    const std::string key =
        line.substr(0, line.rfind(' ', line.rfind(' ') - 1));
    auto [it, inserted] = index.emplace(key, series.size());
    if (inserted) {
      series.emplace_back();
      series.back().labels = labels;
    }
    series[it->second].values.push_back(value);
  }
  free(buf);
  pclose(in);
  return series;
}

// ---- Payloads ----

struct Payloads {
  // requests[shard][round], snappy-compressed WriteRequests.
  std::vector<std::vector<std::string>> requests;
  int64_t samples = 0;
  size_t series = 0;
  double raw_bytes = 0;
  double compressed_bytes = 0;
};

Payloads BuildPayloads(const std::vector<RecordedSeries>& recorded,
                       const Flags& flags, int64_t first_ts) {
  // Label sets over all instances, sorted by name as remote write requires.
  struct Target {
    std::vector<std::pair<std::string, std::string>> labels;
    const std::vector<double>* values;
  };
  std::vector<Target> targets;
  for (int inst = 0; inst < flags.instances; ++inst) {
    const std::string instance = "host-" + std::to_string(inst) + ":9100";
    for (const RecordedSeries& s : recorded) {
      Target t;
      t.labels = s.labels;
      bool found = false;
      for (auto& [n, v] : t.labels) {
        if (n == "instance") {
          v = instance;
          found = true;
        }
      }
      if (!found) t.labels.emplace_back("instance", instance);
      std::sort(t.labels.begin(), t.labels.end());
      t.values = &s.values;
      targets.push_back(std::move(t));
    }
  }
  Payloads p;
  p.series = targets.size();
  const size_t per = static_cast<size_t>(flags.samples_per_request);
  const size_t shards = (targets.size() + per - 1) / per;
  p.requests.resize(shards);
  std::string raw;
  for (size_t shard = 0; shard < shards; ++shard) {
    const size_t begin = shard * per;
    const size_t end = std::min(targets.size(), begin + per);
    for (int round = 0; round < flags.rounds; ++round) {
      prometheus::WriteRequest req;
      for (size_t i = begin; i < end; ++i) {
        prometheus::TimeSeries* ts = req.add_timeseries();
        for (const auto& [n, v] : targets[i].labels) {
          prometheus::Label* l = ts->add_labels();
          l->set_name(n);
          l->set_value(v);
        }
        prometheus::Sample* s = ts->add_samples();
        s->set_timestamp(first_ts + round * kStepMs);
        const std::vector<double>& values = *targets[i].values;
        s->set_value(values[static_cast<size_t>(round) % values.size()]);
        ++p.samples;
      }
      raw.clear();
      req.SerializeToString(&raw);
      std::string compressed;
      snappy::Compress(raw.data(), raw.size(), &compressed);
      p.raw_bytes += static_cast<double>(raw.size());
      p.compressed_bytes += static_cast<double>(compressed.size());
      p.requests[shard].push_back(std::move(compressed));
    }
  }
  return p;
}

// ---- Processes and HTTP ----

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

pid_t Spawn(std::vector<std::string> argv, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// utime + stime of `pid`, in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  const size_t close_paren = stat.rfind(')');
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) {
      stime = std::stod(field);
      break;
    }
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
    const int one = 1;
    if (fd_ >= 0) setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  // Sends one request and reads the response; returns the status (0 on a
  // transport error).
  int Request(const std::string& method, const std::string& path,
              const std::string& headers, const std::string& body,
              std::string* response_body = nullptr) {
    std::string req = method + " " + path +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n" + headers + "\r\n";
    if (!SendAll(req) || !SendAll(body)) return 0;
    // Status line and headers.
    size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return 0;
    }
    const int status = std::atoi(buf_.c_str() + 9);
    std::string head = buf_.substr(0, header_end);
    for (char& c : head) c = static_cast<char>(std::tolower(c));
    buf_.erase(0, header_end + 4);
    size_t length = 0;
    const size_t cl = head.find("content-length:");
    if (cl != std::string::npos) {
      length = std::strtoul(head.c_str() + cl + 15, nullptr, 10);
    }
    if (head.find("transfer-encoding: chunked") != std::string::npos) {
      std::string out;
      for (;;) {
        size_t eol;
        while ((eol = buf_.find("\r\n")) == std::string::npos) {
          if (!Fill()) return 0;
        }
        const size_t n = std::strtoul(buf_.c_str(), nullptr, 16);
        buf_.erase(0, eol + 2);
        while (buf_.size() < n + 2) {
          if (!Fill()) return 0;
        }
        out.append(buf_, 0, n);
        buf_.erase(0, n + 2);
        if (n == 0) break;
      }
      if (response_body != nullptr) *response_body = std::move(out);
      return status;
    }
    while (buf_.size() < length) {
      if (!Fill()) return 0;
    }
    if (response_body != nullptr) *response_body = buf_.substr(0, length);
    buf_.erase(0, length);
    return status;
  }

 private:
  bool SendAll(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n =
          send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  bool Fill() {
    char chunk[65536];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
};

bool WaitReady(int port, int timeout_s) {
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  while (Clock::now() < deadline) {
    Connection c(port);
    if (c.ok() && c.Request("GET", "/-/ready", "", "") == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

struct RunResult {
  std::string name;
  double wall_s = 0;
  double cpu_s = 0;
  int64_t samples = 0;
  int64_t requests = 0;
  int64_t errors = 0;
  std::map<int, int64_t> statuses;
  std::vector<double> latencies_ms;
  std::string load_before, load_after;
  std::string first_error;
};

RunResult SendAll(const std::string& name, pid_t pid, int port,
                  const Payloads& payloads, const Flags& flags) {
  RunResult r;
  r.name = name;
  r.load_before = LoadAverage();
  const double cpu0 = CpuSeconds(pid);
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  std::vector<std::vector<double>> latencies(flags.connections);
  std::vector<std::map<int, int64_t>> statuses(flags.connections);
  std::vector<std::string> errors(flags.connections);
  const int rounds = flags.rounds;
  for (int c = 0; c < flags.connections; ++c) {
    threads.emplace_back([&, c] {
      Connection conn(port);
      const std::string headers =
          "Content-Type: application/x-protobuf\r\n"
          "Content-Encoding: snappy\r\n"
          "User-Agent: strata-remote-write-bench\r\n"
          "X-Prometheus-Remote-Write-Version: 0.1.0\r\n";
      for (int round = 0; round < rounds; ++round) {
        for (size_t shard = static_cast<size_t>(c);
             shard < payloads.requests.size();
             shard += static_cast<size_t>(flags.connections)) {
          const auto start = Clock::now();
          std::string body;
          const int status =
              conn.Request("POST", "/api/v1/write", headers,
                           payloads.requests[shard][round], &body);
          latencies[c].push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - start)
                  .count());
          ++statuses[c][status];
          if (status != 204 && status != 200 && errors[c].empty()) {
            errors[c] = std::to_string(status) + ": " + body.substr(0, 300);
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cpu_s = CpuSeconds(pid) - cpu0;
  r.load_after = LoadAverage();
  for (int c = 0; c < flags.connections; ++c) {
    r.latencies_ms.insert(r.latencies_ms.end(), latencies[c].begin(),
                          latencies[c].end());
    for (const auto& [status, n] : statuses[c]) r.statuses[status] += n;
    if (r.first_error.empty()) r.first_error = errors[c];
  }
  r.requests = static_cast<int64_t>(r.latencies_ms.size());
  r.samples = payloads.samples;
  for (const auto& [status, n] : r.statuses) {
    if (status != 204 && status != 200) r.errors += n;
  }
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  return r;
}

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t i =
      std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()));
  return sorted[i];
}

RunResult RunServer(const std::string& name, std::vector<std::string> argv,
                    int port, const std::string& dir, const Payloads& payloads,
                    const Flags& flags) {
  const pid_t pid = Spawn(std::move(argv), dir + "/" + name + ".log");
  if (!WaitReady(port, 60)) {
    std::fprintf(stderr, "%s did not become ready; see %s/%s.log\n",
                 name.c_str(), dir.c_str(), name.c_str());
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    std::exit(1);
  }
  RunResult r = SendAll(name, pid, port, payloads, flags);
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  return r;
}

void Print(const RunResult& r) {
  std::printf(
      "%-11s %9.0f samples/s wall | %9.0f samples/s per core "
      "(%.2f CPU-s / %.2f s) | %.3f CPU-s per 1M samples | latency p50 "
      "%.1f ms p99 %.1f ms max %.1f ms | %lld requests, %lld not 2xx | "
      "load %s -> %s\n",
      r.name.c_str(), r.samples / r.wall_s, r.samples / r.cpu_s, r.cpu_s,
      r.wall_s, r.cpu_s / (r.samples / 1e6), Percentile(r.latencies_ms, 0.5),
      Percentile(r.latencies_ms, 0.99), r.latencies_ms.back(),
      static_cast<long long>(r.requests), static_cast<long long>(r.errors),
      r.load_before.c_str(), r.load_after.c_str());
  if (!r.first_error.empty()) {
    std::printf("  first error: %s\n", r.first_error.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (ParseFlag(argv[i], "--strata", &flags.strata) ||
        ParseFlag(argv[i], "--prometheus", &flags.prometheus) ||
        ParseFlag(argv[i], "--dataset", &flags.dataset) ||
        ParseFlag(argv[i], "--only", &flags.only)) {
      continue;
    }
    if (ParseFlag(argv[i], "--instances", &v)) {
      flags.instances = std::stoi(v);
    } else if (ParseFlag(argv[i], "--rounds", &v)) {
      flags.rounds = std::stoi(v);
    } else if (ParseFlag(argv[i], "--samples-per-request", &v)) {
      flags.samples_per_request = std::stoi(v);
    } else if (ParseFlag(argv[i], "--connections", &v)) {
      flags.connections = std::stoi(v);
    } else {
      std::fprintf(stderr, "unknown flag %s (see the file comment)\n", argv[i]);
      return 2;
    }
  }
  if (flags.strata.empty() && flags.only != "prometheus") {
    std::fprintf(stderr, "--strata=<path to strata-server> is required\n");
    return 2;
  }
  const std::vector<RecordedSeries> recorded = LoadDataset(flags.dataset);
  // The newest round lands a minute before now: inside every server's
  // accepted window.
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  const int64_t first_ts =
      (now_ms - 60000 - flags.rounds * kStepMs) / 1000 * 1000;
  const auto gen0 = Clock::now();
  const Payloads payloads = BuildPayloads(recorded, flags, first_ts);
  std::printf(
      "payloads: %zu recorded series x %d instances = %zu series, %d rounds, "
      "%zu requests of <= %d samples, %lld samples; %.0f bytes raw and %.0f "
      "snappy per request on average (generated in %.1f s)\n",
      recorded.size(), flags.instances, payloads.series, flags.rounds,
      payloads.requests.size() * flags.rounds, flags.samples_per_request,
      static_cast<long long>(payloads.samples),
      payloads.raw_bytes / (payloads.requests.size() * flags.rounds),
      payloads.compressed_bytes / (payloads.requests.size() * flags.rounds),
      std::chrono::duration<double>(Clock::now() - gen0).count());
  std::printf("machine: %u cores; %d connections\n",
              std::thread::hardware_concurrency(), flags.connections);

  char tmpl[] = "/tmp/strata_rw_bench_XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::vector<RunResult> results;
  if (flags.only.empty() || flags.only == "strata") {
    const int port = FreePort();
    results.push_back(
        RunServer("strata",
                  {flags.strata, "--storage.tsdb.path=" + dir + "/strata",
                   "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                  port, dir, payloads, flags));
    Print(results.back());
  }
  if (flags.only.empty() || flags.only == "prometheus") {
    const int port = FreePort();
    {
      std::ofstream config(dir + "/prometheus.yml");
      config << "global: {}\n";
    }
    results.push_back(
        RunServer("prometheus",
                  {flags.prometheus, "--config.file=" + dir + "/prometheus.yml",
                   "--storage.tsdb.path=" + dir + "/prometheus",
                   "--web.listen-address=127.0.0.1:" + std::to_string(port),
                   "--web.enable-remote-write-receiver"},
                  port, dir, payloads, flags));
    Print(results.back());
  }
  if (results.size() == 2 && results[0].cpu_s > 0) {
    std::printf(
        "strata / prometheus: %.2fx samples per CPU-second, %.2fx "
        "wall-clock throughput\n",
        (results[0].samples / results[0].cpu_s) /
            (results[1].samples / results[1].cpu_s),
        (results[0].samples / results[0].wall_s) /
            (results[1].samples / results[1].wall_s));
  }
  std::filesystem::remove_all(dir);
  return 0;
}
