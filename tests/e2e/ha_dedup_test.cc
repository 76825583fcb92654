// HA pair deduplication end to end: two real Prometheus 2.42 agents, an HA
// pair (external labels cluster="c1", __replica__="a" / "b"), scrape the
// same node_exporter every second and remote write to one strata-server
// run with --ha.replica-label=__replica__ and a short failover timeout.
//  - Strata never answers 4xx: neither agent counts a failed or dropped
//    sample, Strata refuses no request and rejects no sample as invalid.
//  - Only the elected replica is stored: no series carries __replica__,
//    every series keeps cluster="c1", no series has two samples at one
//    timestamp, and a scraped series holds one sample per scrape, not two.
//  - The elected agent is killed: the other one is elected (metric), and
//    the survivor's requests dropped during the failover timeout are
//    stored at the failover, so the largest gap in a scraped series is at
//    most two scrape intervals (plus slack), well below the timeout.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "temp_dir.h"
#include "test_env.h"
#include "wait_for.h"

namespace strata::e2e {
namespace {

using std::chrono::milliseconds;

constexpr char kPrometheus[] = "/usr/bin/prometheus";
constexpr char kNodeExporter[] = "/usr/bin/prometheus-node-exporter";

constexpr int64_t kScrapeIntervalMs = 1000;
constexpr int64_t kBatchSendDeadlineMs = 200;
// Long enough that the elected agent, which sends a request at least once
// per scrape (within the batch send deadline), never looks silent on a
// busy machine; short enough for a quick test.
constexpr int64_t kFailoverTimeoutMs = 3000;
// The largest gap allowed in a scraped series across the failover: two
// scrape intervals plus slack for scheduling on a loaded machine. Without
// the standby buffer it would be about timeout + interval + deadline: the
// survivor's requests during the failover timeout were acknowledged and
// dropped. With it, they are stored at the failover, and the survivor
// scraped at most one interval after the killed agent's last stored sample
// (both scrape every interval, at their own offsets).
constexpr int64_t kGapBoundMs = 2 * kScrapeIntervalMs + 500;
static_assert(kFailoverTimeoutMs >= 3 * kScrapeIntervalMs,
              "the bound must be well below the failover timeout's gap");

void SleepMs(int ms) { std::this_thread::sleep_for(milliseconds(ms)); }

// The sum of every sample line of metric `name` (any labels) in `text`;
// -1 if there is none.
double SumMetric(const std::string& text, const std::string& name) {
  double sum = -1;
  size_t at = 0;
  while ((at = text.find(name, at)) != std::string::npos) {
    const bool line_start = at == 0 || text[at - 1] == '\n';
    const size_t after = at + name.size();
    const size_t eol = std::min(text.find('\n', at), text.size());
    if (line_start && after < text.size() &&
        (text[after] == '{' || text[after] == ' ')) {
      const std::string line = text.substr(at, eol - at);
      sum = std::max(sum, 0.0) + std::stod(line.substr(line.rfind(' ') + 1));
    }
    at = eol;
  }
  return sum;
}

class HaDedupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPrometheus) ||
        !std::filesystem::exists(kNodeExporter)) {
      STRATA_SKIP_OR_FAIL_IF_MISSING(
          "the prometheus and prometheus-node-exporter Debian packages");
    }
    ASSERT_TRUE(std::filesystem::exists(StrataServerPath()))
        << StrataServerPath();
    ASSERT_TRUE(tmp_.ok());
    strata_port_ = FreePort();
    node_port_ = FreePort();
    strata_ = std::make_unique<Process>(
        std::vector<std::string>{
            StrataServerPath(), "--storage.tsdb.path=" + root_ + "/strata",
            "--web.listen-address=127.0.0.1:" + std::to_string(strata_port_),
            "--ha.replica-label=__replica__",
            "--ha.failover-timeout=" + std::to_string(kFailoverTimeoutMs) +
                "ms"},
        root_ + "/strata.log");
    node_ = std::make_unique<Process>(
        std::vector<std::string>{
            kNodeExporter,
            "--web.listen-address=127.0.0.1:" + std::to_string(node_port_),
            "--collector.disable-defaults", "--collector.loadavg",
            "--collector.meminfo", "--collector.time"},
        root_ + "/node.log");
    ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 20000)) << strata_->log();
    for (const char* replica : {"a", "b"}) {
      agents_.push_back(StartAgent(replica));
    }
  }

  void TearDown() override {
    for (Agent& agent : agents_) agent.process.reset();
    node_.reset();
    strata_.reset();
    if (HasFailure()) tmp_.Keep();
  }

  struct Agent {
    std::string replica;
    int port = 0;
    std::unique_ptr<Process> process;
  };

  Agent StartAgent(const std::string& replica) {
    Agent agent{replica, FreePort(), nullptr};
    const std::string config = root_ + "/agent-" + replica + ".yml";
    WriteFile(config,
              "global:\n"
              "  scrape_interval: " +
                  std::to_string(kScrapeIntervalMs) +
                  "ms\n"
                  "  scrape_timeout: 900ms\n"
                  "  external_labels: {cluster: c1, __replica__: " +
                  replica +
                  "}\n"
                  "scrape_configs:\n"
                  "  - job_name: node\n"
                  "    static_configs: [{targets: ['127.0.0.1:" +
                  std::to_string(node_port_) +
                  "']}]\n"
                  "remote_write:\n"
                  "  - url: http://127.0.0.1:" +
                  std::to_string(strata_port_) +
                  "/api/v1/write\n"
                  "    queue_config:\n"
                  "      batch_send_deadline: " +
                  std::to_string(kBatchSendDeadlineMs) +
                  "ms\n"
                  "      min_backoff: 50ms\n"
                  "      max_backoff: 500ms\n");
    agent.process = std::make_unique<Process>(
        std::vector<std::string>{
            kPrometheus, "--enable-feature=agent", "--config.file=" + config,
            "--storage.agent.path=" + root_ + "/agent-" + replica + "-data",
            "--web.listen-address=127.0.0.1:" + std::to_string(agent.port)},
        root_ + "/agent-" + replica + ".log");
    return agent;
  }

  std::string StrataMetrics() {
    return Http(strata_port_, "GET", "/metrics").body;
  }

  // The replica strata_ha_elected_replica names for c1; "" if none.
  std::string ElectedReplica() {
    const std::string text = StrataMetrics();
    const std::string prefix =
        "\nstrata_ha_elected_replica{cluster=\"c1\",replica=\"";
    const size_t at = text.find(prefix);
    if (at == std::string::npos) return "";
    const size_t begin = at + prefix.size();
    return text.substr(begin, text.find('"', begin) - begin);
  }

  // Failed and dropped samples an agent counts (a 4xx makes Prometheus
  // drop a batch and count its samples as failed).
  void ExpectNoFailedSamples(const Agent& agent) {
    const std::string text = Http(agent.port, "GET", "/metrics").body;
    for (const char* name :
         {"prometheus_remote_storage_samples_failed_total",
          "prometheus_remote_storage_samples_dropped_total"}) {
      EXPECT_EQ(SumMetric(text, name), 0)
          << "agent " << agent.replica << ": " << name;
    }
  }

  strata::testing::TempDir tmp_{"strata-e2e-ha"};
  const std::string root_ = tmp_.path();
  int strata_port_ = 0;
  int node_port_ = 0;
  std::unique_ptr<Process> strata_;
  std::unique_ptr<Process> node_;
  std::vector<Agent> agents_;
};

TEST_F(HaDedupTest, OneReplicaStoredFailoverOnKillNoErrors) {
  // Both agents writing: one elected and stored, the other deduplicated.
  ASSERT_TRUE(strata::testing::WaitFor(
      [&] {
        const std::string text = StrataMetrics();
        return SumMetric(text, "strata_ha_requests_deduplicated_total") > 0 &&
               SumMetric(text, "strata_remote_write_samples_written_total") > 0;
      },
      milliseconds(40000), milliseconds(100)))
      << strata_->log() << agents_[0].process->log()
      << agents_[1].process->log();
  const std::string flags =
      Http(strata_port_, "GET", "/api/v1/status/flags").body;
  EXPECT_NE(flags.find("\"ha.replica-label\":\"__replica__\""),
            std::string::npos)
      << flags;
  EXPECT_NE(flags.find("\"ha.cluster-label\":\"cluster\""), std::string::npos)
      << flags;
  EXPECT_NE(flags.find("\"ha.failover-timeout\":\"3000ms\""), std::string::npos)
      << flags;
  EXPECT_NE(flags.find("\"ha.standby-buffer-bytes\":\"32MiB\""),
            std::string::npos)
      << flags;
  const int64_t steady_begin_ms = NowMillis();
  SleepMs(6000);
  const int64_t steady_end_ms = NowMillis();
  for (const Agent& agent : agents_) ExpectNoFailedSamples(agent);

  const std::string elected = ElectedReplica();
  ASSERT_TRUE(elected == "a" || elected == "b") << StrataMetrics();
  Agent& killed = agents_[elected == "a" ? 0 : 1];
  const Agent& survivor = agents_[elected == "a" ? 1 : 0];
  killed.process->Signal(SIGKILL);
  ASSERT_EQ(killed.process->Wait(5000), 128 + SIGKILL);
  const int64_t kill_ms = NowMillis();
  ASSERT_TRUE(strata::testing::WaitFor(
      [&] { return ElectedReplica() == survivor.replica; },
      milliseconds(kFailoverTimeoutMs + 15000), milliseconds(100)))
      << StrataMetrics();
  // Let the survivor's samples after the failover arrive.
  SleepMs(4000);
  const int64_t end_ms = NowMillis();
  ExpectNoFailedSamples(survivor);

  const std::string metrics = StrataMetrics();
  EXPECT_GE(SumMetric(metrics, "strata_ha_elected_replica_changes_total"), 1);
  EXPECT_GT(SumMetric(metrics, "strata_ha_samples_deduplicated_total"), 0);
  EXPECT_LE(SumMetric(metrics, "strata_remote_write_requests_refused_total"), 0)
      << metrics;
  for (const char* reason :
       {"invalid_labels", "invalid_series", "too_far_in_future", "other"}) {
    EXPECT_EQ(
        SumMetric(metrics, std::string("strata_remote_write_samples_rejected_"
                                       "total{reason=\"") +
                               reason + "\"}"),
        0)
        << reason;
  }

  StatusOr<SeriesSamples> stored = RemoteReadAll(strata_port_, 0, end_ms);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_FALSE(stored->empty());
  for (const auto& [series, samples] : *stored) {
    EXPECT_EQ(series.find("__replica__"), std::string::npos) << series;
    EXPECT_NE(series.find("cluster=\"c1\""), std::string::npos) << series;
    for (size_t i = 1; i < samples.size(); ++i) {
      ASSERT_LT(samples[i - 1].first, samples[i].first)
          << series << ": two samples at or out of order at "
          << samples[i].first;
    }
  }

  const std::string up =
      "up{cluster=\"c1\", instance=\"127.0.0.1:" + std::to_string(node_port_) +
      "\", job=\"node\"}";
  ASSERT_EQ(stored->count(up), 1u) << up;
  const auto& samples = stored->at(up);
  ASSERT_FALSE(samples.empty());
  // Both agents scrape every second at their own offsets: stored from both,
  // the steady window would hold about two samples per second.
  const int64_t steady_count =
      std::count_if(samples.begin(), samples.end(), [&](const auto& s) {
        return s.first >= steady_begin_ms && s.first < steady_end_ms;
      });
  const int64_t steady_scrapes =
      (steady_end_ms - steady_begin_ms) / kScrapeIntervalMs;
  EXPECT_GE(steady_count, steady_scrapes / 2);
  EXPECT_LE(steady_count, steady_scrapes + 1);
  // The series goes on across the kill, with a bounded gap.
  EXPECT_LT(samples.front().first, kill_ms - 2000);
  EXPECT_GT(samples.back().first, kill_ms + kFailoverTimeoutMs + 1000);
  int64_t largest_gap = 0;
  int64_t gap_at = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    const int64_t gap = samples[i].first - samples[i - 1].first;
    if (gap > largest_gap) {
      largest_gap = gap;
      gap_at = samples[i - 1].first;
    }
  }
  EXPECT_LE(largest_gap, kGapBoundMs)
      << "gap after t=" << gap_at << " (kill at " << kill_ms << ")\n"
      << strata_->log();
  // The gap was filled from the survivor's buffered requests.
  EXPECT_GT(SumMetric(metrics, "strata_ha_samples_replayed_total"), 0)
      << metrics;
  std::printf("largest gap %lld ms (bound %lld ms), failover timeout %lld ms\n",
              static_cast<long long>(largest_gap),
              static_cast<long long>(kGapBoundMs),
              static_cast<long long>(kFailoverTimeoutMs));
}

// Bad HA flags are usage errors (exit 2, the flag named), as any flag.
TEST(HaFlagsTest, BadValuesAreUsageErrors) {
  ASSERT_TRUE(std::filesystem::exists(StrataServerPath()));
  strata::testing::TempDir tmp("strata-e2e-ha-flags");
  ASSERT_TRUE(tmp.ok());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--ha.failover-timeout=0s", "--ha.failover-timeout"},
      {"--ha.failover-timeout=soon", "--ha.failover-timeout"},
      {"--ha.cluster-label=__replica__", "must differ"},
      {"--ha.cluster-label=bad-name", "--ha.cluster-label"},
      {"--ha.standby-buffer-bytes=lots", "--ha.standby-buffer-bytes"},
  };
  for (const auto& [flag, message] : cases) {
    Process server(
        {StrataServerPath(), "--ha.replica-label=__replica__", flag,
         "--storage.tsdb.path=" + tmp.path() + "/data",
         "--web.listen-address=127.0.0.1:" + std::to_string(FreePort())},
        tmp.path() + "/server.log");
    EXPECT_EQ(server.Wait(10000), 2) << flag;
    EXPECT_NE(server.log().find(message), std::string::npos)
        << flag << ": " << server.log();
  }
}

}  // namespace
}  // namespace strata::e2e
