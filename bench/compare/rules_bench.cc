#include "rules_bench.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <string_view>
#include <thread>

#include "dataset.h"
#include "http_client/http_client.h"
#include "query_driver.h"

namespace strata::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kStopTimeoutS = 120;
// Every series the rules write (no input metric name has a colon).
constexpr const char* kOutputCountQuery = "count({__name__=~\".+:.+\"})";

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Writes the fleet's next rounds as their time comes, one round every 15 s
// (when its last instance's scrape phase has passed), on one keep-alive
// connection, on its own thread until destroyed.
class LiveWriter {
 public:
  LiveWriter(ApiFleet* fleet, int port, int64_t first_round_ms)
      : fleet_(fleet), port_(port), first_round_ms_(first_round_ms) {
    thread_ = std::thread([this] { Run(); });
  }
  ~LiveWriter() { Stop(); }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  // Valid after Stop().
  int rounds() const { return rounds_; }
  int64_t failed() const { return failed_; }

 private:
  void Run() {
    http_client::Connection conn("127.0.0.1", port_);
    http_client::Request request;
    request.method = "POST";
    request.target = "/api/v1/write";
    request.headers = {{"Content-Type", "application/x-protobuf"},
                       {"Content-Encoding", "snappy"},
                       {"User-Agent", "strata-bench-compare"},
                       {"X-Prometheus-Remote-Write-Version", "0.1.0"}};
    for (;;) {
      const int64_t start = first_round_ms_ + fleet_->round() * kStepMs;
      const int64_t due = start + kStepMs;
      {
        std::unique_lock lock(mu_);
        while (!stopping_ && NowMs() < due) {
          cv_.wait_for(lock, std::chrono::milliseconds(due - NowMs()));
        }
        if (stopping_) return;
      }
      for (std::string& body : fleet_->NextRound(start)) {
        request.body = std::move(body);
        int status = 0;
        for (int attempt = 0; attempt < 5; ++attempt) {
          StatusOr<http_client::Response> r = conn.Send(request);
          status = r.ok() ? r->status : 0;
          if (status != 0 && status != 429 && status < 500) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (status < 200 || status >= 300) ++failed_;
      }
      ++rounds_;
    }
  }

  ApiFleet* const fleet_;  // Used by the thread only.
  const int port_;
  const int64_t first_round_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // Guarded by mu_.
  int rounds_ = 0;         // Written by the thread; read after the join.
  int64_t failed_ = 0;
  std::thread thread_;
};

// The rule group metrics of one /metrics scrape, either server's names.
struct GroupSample {
  double last_duration_s = -1;
  double last_evaluation_s = -1;  // Timestamp, seconds.
  double iterations = -1;
  double missed = -1;
};
struct RuleMetrics {
  bool ok = false;                            // The scrape succeeded.
  std::map<std::string, GroupSample> groups;  // By rule_group label.
  double failures = 0;  // rule_evaluation_failures_total, all rules.
};

RuleMetrics ScrapeRuleMetrics(int port) {
  RuleMetrics m;
  StatusOr<http_client::Response> r = http_client::Get(port, "/metrics");
  if (!r.ok() || r->status != 200) return m;
  m.ok = true;
  const std::string_view text = r->body;
  LabelPairs labels;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    for (const std::string_view prefix : {"prometheus_rule_", "strata_rule_"}) {
      if (line.substr(0, prefix.size()) == prefix) {
        line.remove_prefix(prefix.size());
        double value;
        int64_t ts;
        if (!ParseSampleLine(line, &labels, &value, &ts)) break;
        const std::string& name = labels[0].second;
        if (name == "evaluation_failures_total") {
          m.failures += value;
          break;
        }
        std::string group;
        for (const auto& [n, v] : labels) {
          if (n == "rule_group") group = v;
        }
        if (group.empty()) break;
        GroupSample& g = m.groups[group];
        if (name == "group_last_duration_seconds") g.last_duration_s = value;
        if (name == "group_last_evaluation_timestamp_seconds") {
          g.last_evaluation_s = value;
        }
        if (name == "group_iterations_total") g.iterations = value;
        if (name == "group_iterations_missed_total") g.missed = value;
        break;
      }
    }
  }
  return m;
}

// Polls every `poll_s` and once more at `deadline`; appends the duration of
// each group evaluation whose timestamp is new since `last_eval` (updated).
// Returns the last poll's metrics.
RuleMetrics PollUntil(int port, Clock::time_point deadline, double poll_s,
                      std::map<std::string, double>* last_eval,
                      std::vector<double>* durations) {
  const auto step = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(poll_s));
  for (;;) {
    const auto next = std::min(deadline, Clock::now() + step);
    std::this_thread::sleep_until(next);
    RuleMetrics m = ScrapeRuleMetrics(port);
    for (const auto& [group, g] : m.groups) {
      double& seen = (*last_eval)[group];
      if (g.last_evaluation_s > 0 && g.last_evaluation_s != seen) {
        seen = g.last_evaluation_s;
        if (durations != nullptr) durations->push_back(g.last_duration_s);
      }
    }
    if (next >= deadline) return m;
  }
}

double SumIterations(const RuleMetrics& m, bool missed) {
  double sum = 0;
  for (const auto& [group, g] : m.groups) {
    sum += std::max(0.0, missed ? g.missed : g.iterations);
  }
  return sum;
}

std::string ConfigDuration(int64_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s"
                        : std::to_string(ms) + "ms";
}

}  // namespace

double RulesReport::RuleCpuPerRound() const {
  if (rounds <= 0 || baseline_s <= 0 || window_s <= 0) return -1;
  const double idle = baseline_cpu_s / baseline_s * window_s;
  return (window_cpu_s - idle) / rounds;
}

double RulesReport::EvalSecondsPerRound() const {
  if (group_durations_s.empty()) return -1;
  const double sum =
      std::accumulate(group_durations_s.begin(), group_durations_s.end(), 0.0);
  return sum / static_cast<double>(group_durations_s.size()) * groups;
}

std::string RulesConfigYaml(int64_t interval_ms, const std::string& rule_file) {
  std::string out =
      "global:\n  evaluation_interval: " + ConfigDuration(interval_ms) + "\n";
  if (!rule_file.empty()) out += "rule_files:\n  - " + rule_file + "\n";
  return out;
}

RulesReport RunRulesBench(const ServerConfig& config,
                          const RulesOptions& options) {
  RulesReport r;
  r.name = config.name;
  r.version = VersionOf(config.binary);
  r.rules = RuleCount(options.shape);
  r.groups = options.shape.routes;
  r.interval_ms = options.interval_ms;
  r.expected_output_series = ExpectedRuleOutputSeries(options.shape);
  const std::string dir = options.work_dir + "/" + config.name + "-rules";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  const std::string rule_file = fs::absolute(dir + "/rules.yml").string();
  const std::string config_file = dir + "/prometheus.yml";
  std::ofstream(rule_file) << RecordingRulesYaml(options.shape);
  std::ofstream(config_file) << RulesConfigYaml(options.interval_ms, "");
  r.log_path = dir + "/server.log";

  // The history ends at the last full 15 s round before now; live rounds
  // continue the same grid.
  ApiFleet fleet(options.shape, options.samples_per_request);
  r.series = static_cast<int64_t>(fleet.series());
  const int64_t first_round_ms =
      NowMs() / kStepMs * kStepMs - options.history_rounds * kStepMs;
  {
    const Workload history =
        fleet.History(options.history_rounds, first_round_ms);
    double ready_s = 0;
    auto server = StartServer(config, dir, r.log_path, &ready_s, &r.error);
    if (server == nullptr) return r;
    r.history = RunIngest(history, *server, options.ingest);
    if (r.history.failed > 0) {
      r.error = "history ingest: " + r.history.first_error;
      return r;
    }
    const int port = server->port();
    LiveWriter live(&fleet, port, first_round_ms);
    std::this_thread::sleep_for(
        std::chrono::duration<double>(options.settle_s));

    // Idle baseline: live writes and polls, no rules.
    std::map<std::string, double> last_eval;
    auto t0 = Clock::now();
    double cpu0 = server->CpuSeconds();
    PollUntil(port,
              t0 + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(options.baseline_s)),
              options.poll_s, &last_eval, nullptr);
    r.baseline_cpu_s = server->CpuSeconds() - cpu0;
    r.baseline_s = SecondsSince(t0);

    // Load the rules; wait until every group ran twice. A server without
    // rule group metrics counts as warm two intervals after every output
    // series of the rules appeared.
    std::ofstream(config_file, std::ios::trunc)
        << RulesConfigYaml(options.interval_ms, rule_file);
    kill(server->pid(), SIGHUP);
    const double warmup_limit_s = 3.0 * options.interval_ms / 1000 + 60;
    const auto w0 = Clock::now();
    std::optional<Clock::time_point> all_output_since;
    RuleMetrics m0;
    for (;;) {
      m0 = ScrapeRuleMetrics(port);
      size_t ready = 0;
      for (const auto& [group, g] : m0.groups) ready += g.iterations >= 2;
      if (ready >= static_cast<size_t>(r.groups)) break;
      if (m0.groups.empty() &&
          InstantScalar(port, kOutputCountQuery, NowMs()) ==
              static_cast<double>(r.expected_output_series)) {
        if (!all_output_since) all_output_since = Clock::now();
        if (SecondsSince(*all_output_since) >=
            2.0 * options.interval_ms / 1000) {
          r.group_metrics = false;
          break;
        }
      }
      if (SecondsSince(w0) > warmup_limit_s) {
        char buf[256];
        std::snprintf(buf, sizeof(buf),
                      "after SIGHUP with rule_files, %zu of %d rule groups "
                      "ran twice within %.0f s (rule group metrics: %zu "
                      "groups); end of the log:\n",
                      ready, r.groups, warmup_limit_s, m0.groups.size());
        r.error = buf + TailOfFile(r.log_path, 1500);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }

    if (r.error.empty()) {
      // The window: `rounds` whole evaluation intervals.
      for (const auto& [group, g] : m0.groups) {
        last_eval[group] = g.last_evaluation_s;
      }
      r.rounds = options.rounds;
      t0 = Clock::now();
      cpu0 = server->CpuSeconds();
      PollUntil(
          port,
          t0 + std::chrono::milliseconds(options.interval_ms * options.rounds),
          options.poll_s, &last_eval, &r.group_durations_s);
      r.window_cpu_s = server->CpuSeconds() - cpu0;
      r.window_s = SecondsSince(t0);
      const RuleMetrics m1 = ScrapeRuleMetrics(port);
      if (r.group_metrics && m1.ok && !m1.groups.empty()) {
        r.iterations = static_cast<int64_t>(SumIterations(m1, false) -
                                            SumIterations(m0, false));
        r.iterations_missed = static_cast<int64_t>(SumIterations(m1, true) -
                                                   SumIterations(m0, true));
        r.evaluation_failures = m1.failures;
      }
      r.rss_after = server->RssBytes();
      r.output_series = InstantScalar(port, kOutputCountQuery, NowMs());
    }
    live.Stop();
    r.live_rounds = live.rounds();
    r.live_failed = live.failed();
    server->Stop(kStopTimeoutS);
  }
  if (!options.keep_data) fs::remove_all(dir + "/data", ec);
  return r;
}

}  // namespace strata::bench
