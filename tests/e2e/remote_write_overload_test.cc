// Remote write overload, end to end: strata-server under ten times the
// remote write rate it sustains answers 429 with Retry-After, its RSS stays
// bounded, every sample it acknowledged is stored, and a real Prometheus
// 2.42 writing through the overload (queue_config.retry_on_http_429: true)
// loses nothing: afterwards Strata holds exactly the samples of
// Prometheus's own TSDB.
//
// The overload lasts $STRATA_OVERLOAD_SECONDS (default 15) seconds; the
// figures go to the test's output (bench/RESULTS.md has a 60 s run).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "remote_write_load.h"
#include "temp_dir.h"
#include "test_env.h"
#include "util/strings.h"

namespace strata::e2e {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr char kPrometheus[] = "/usr/bin/prometheus";

// The server's in-flight budget, set explicitly so that the test does not
// depend on the machine's core count (the default is max(64, 8 x cores)).
constexpr int kMaxInflightRequests = 32;
// Eight times the budget, so the budget is what refuses, not the sender,
// and the connections waiting for admitted requests leave enough of them
// to offer ten times the rate (Prometheus alone may use 200 shards).
constexpr int kOverloadConnections = 8 * kMaxInflightRequests;
constexpr int kCalibrationConnections = 4;
constexpr milliseconds kCalibration{3000};
constexpr double kOverloadFactor = 10;
constexpr int kDefaultOverloadSeconds = 15;
// Large requests, as vmagent or a Mimir client send (20,000 samples, 25 KB
// of snappy), so that the refused ones cost little per sample on
// both sides and one machine can offer ten times what its server stores.
constexpr int kSeriesPerRequest = 1000;
constexpr int kSamplesPerSeries = 20;
// The RSS bound, generous: the server's own memory, its 260k series (about
// 0.6 KiB each) and its in-flight budget (the default 512 MiB of estimated
// request memory, which this load does not reach), plus a few bytes per
// stored sample (a head chunk takes about 2, bench/RESULTS.md). It bounds
// memory that would grow with the offered load rather than the stored one
// (queued or buffered requests, ten times as many samples).
constexpr int64_t kRssBaseBytes = int64_t{768} << 20;
constexpr int64_t kRssBytesPerStoredSample = 4;

void SleepMs(int ms) { std::this_thread::sleep_for(milliseconds(ms)); }

int OverloadSeconds() {
  const char* env = std::getenv("STRATA_OVERLOAD_SECONDS");
  const int seconds = env != nullptr ? std::atoi(env) : 0;
  return seconds > 0 ? seconds : kDefaultOverloadSeconds;
}

// VmRSS of process `pid` in bytes; -1 if unreadable.
int64_t VmRssBytes(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stoll(line.substr(6)) * 1024;  // "VmRSS:   1234 kB"
    }
  }
  return -1;
}

// User + system CPU seconds process `pid` has used; -1 if unreadable.
double CpuSeconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)),
                   std::istreambuf_iterator<char>());
  // Fields after the command (which may hold spaces): state is field 3,
  // utime and stime fields 14 and 15.
  const size_t end = text.rfind(')');
  if (end == std::string::npos) return -1;
  std::istringstream fields(text.substr(end + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Samples a process's RSS every 50 ms until destroyed; keeps the maximum.
class RssSampler {
 public:
  explicit RssSampler(int pid)
      : thread_([this, pid](std::stop_token stop) {
          while (!stop.stop_requested()) {
            const int64_t rss = VmRssBytes(pid);
            if (rss > max_.load()) max_.store(rss);
            SleepMs(50);
          }
        }) {}
  int64_t max() const { return max_.load(); }

 private:
  std::atomic<int64_t> max_{0};
  std::jthread thread_;
};

double MiB(int64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

class RemoteWriteOverloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPrometheus)) {
      STRATA_SKIP_OR_FAIL_IF_MISSING("the prometheus Debian package");
    }
    ASSERT_TRUE(std::filesystem::exists(StrataServerPath()))
        << StrataServerPath();
    ASSERT_TRUE(tmp_.ok());
    strata_port_ = FreePort();
    prom_port_ = FreePort();
    strata_ = std::make_unique<Process>(
        std::vector<std::string>{
            StrataServerPath(), "--storage.tsdb.path=" + root_ + "/strata",
            "--web.listen-address=127.0.0.1:" + std::to_string(strata_port_),
            "--remote-write.max-inflight-requests=" +
                std::to_string(kMaxInflightRequests)},
        root_ + "/strata.log");
    ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 20000)) << strata_->log();
    WriteFile(root_ + "/prometheus.yml", PrometheusConfig());
    prom_ = std::make_unique<Process>(
        std::vector<std::string>{
            kPrometheus, "--config.file=" + root_ + "/prometheus.yml",
            "--storage.tsdb.path=" + root_ + "/prom-data",
            "--web.listen-address=127.0.0.1:" + std::to_string(prom_port_)},
        root_ + "/prom.log");
    ASSERT_TRUE(WaitForOk(prom_port_, "/-/ready", 30000)) << prom_->log();
    // Compare only what Prometheus scraped once its remote write runs.
    const auto deadline = Clock::now() + milliseconds(40000);
    while (MetricValue(strata_port_,
                       "strata_remote_write_samples_written_total") <= 0) {
      ASSERT_LT(Clock::now(), deadline) << "no samples arrived\n"
                                        << prom_->log();
      SleepMs(100);
    }
    start_ms_ = NowMillis() + 1000;
  }

  void TearDown() override {
    prom_.reset();
    strata_.reset();
    if (HasFailure()) tmp_.Keep();
  }

  // Prometheus scrapes itself and Strata every second and remote-writes
  // to Strata, retrying 429s (after Retry-After) as it does 5xx.
  std::string PrometheusConfig() const {
    const auto target = [](int port) {
      return "    static_configs: [{targets: ['127.0.0.1:" +
             std::to_string(port) + "']}]\n";
    };
    return "global:\n"
           "  scrape_interval: 1s\n"
           "  scrape_timeout: 900ms\n"
           "scrape_configs:\n"
           "  - job_name: prometheus\n" +
           target(prom_port_) + "  - job_name: strata\n" +
           target(strata_port_) +
           "remote_write:\n"
           "  - url: http://127.0.0.1:" +
           std::to_string(strata_port_) +
           "/api/v1/write\n"
           "    queue_config:\n"
           "      retry_on_http_429: true\n"
           "      batch_send_deadline: 500ms\n"
           "      min_backoff: 50ms\n"
           "      max_backoff: 1s\n";
  }

  // Samples Strata holds of connection `conn` of the load `phase`.
  int64_t StoredSamples(const std::string& phase, int conn) {
    const std::string query = "sum(count_over_time(overload_load{phase=\"" +
                              phase + "\",conn=\"" + std::to_string(conn) +
                              "\"}[1h]))";
    const std::string target =
        "/api/v1/query?query=" + GoQueryEscape(query) +
        "&time=" + std::to_string(NowMillis() / 1000 + 600);
    const http_client::Response r = Http(strata_port_, "GET", target);
    if (r.status != 200) return -1;
    const nlohmann::json result =
        nlohmann::json::parse(r.body)["data"]["result"];
    if (result.empty()) return 0;
    return std::stoll(result[0]["value"][1].get<std::string>());
  }

  strata::testing::TempDir tmp_{"strata-overload"};
  const std::string root_ = tmp_.path();
  int strata_port_ = 0;
  int prom_port_ = 0;
  int64_t start_ms_ = 0;
  std::unique_ptr<Process> strata_;
  std::unique_ptr<Process> prom_;
};

TEST_F(RemoteWriteOverloadTest, TenTimesSustainableRateIsThrottledNotLost) {
  // The sustainable rate: what a few senders writing back to back get
  // accepted.
  LoadOptions calibration;
  calibration.port = strata_port_;
  calibration.phase = "calibrate";
  calibration.connections = kCalibrationConnections;
  calibration.series_per_request = kSeriesPerRequest;
  calibration.samples_per_series = kSamplesPerSeries;
  calibration.duration = kCalibration;
  calibration.start_ms = NowMillis();
  const LoadReport sustained = RunRemoteWriteLoad(calibration);
  ASSERT_EQ(sustained.failed, 0) << sustained.first_failure;
  ASSERT_GT(sustained.samples_accepted, 0);
  const double sustainable = sustained.accepted_per_second();

  LoadOptions overload = calibration;
  overload.phase = "overload";
  overload.connections = kOverloadConnections;
  overload.duration = milliseconds(1000 * OverloadSeconds());
  // Spread over the connections the budget leaves free: the others wait
  // for their admitted requests.
  overload.requests_per_second = kOverloadFactor * sustainable /
                                 (kSeriesPerRequest * kSamplesPerSeries) /
                                 (kOverloadConnections - kMaxInflightRequests);
  overload.start_ms = NowMillis();
  const int64_t rss_before = VmRssBytes(strata_->pid());
  const double cpu_before = CpuSeconds(strata_->pid());
  const double own_cpu_before = CpuSeconds(getpid());
  LoadReport load;
  int64_t max_rss = 0;
  {
    RssSampler rss(strata_->pid());
    load = RunRemoteWriteLoad(overload);
    max_rss = rss.max();
  }
  const int64_t end_ms = NowMillis();
  const double cpu = CpuSeconds(strata_->pid()) - cpu_before;
  const double own_cpu = CpuSeconds(getpid()) - own_cpu_before;
  std::cout << "sustainable rate: " << sustainable << " samples/s ("
            << kCalibrationConnections << " senders back to back)\n"
            << "overload: " << load.seconds << " s, offered "
            << load.offered_per_second() << " samples/s ("
            << load.offered_per_second() / sustainable
            << " x the sustainable rate) over " << kOverloadConnections
            << " connections, accepted " << load.accepted_per_second()
            << " samples/s; requests " << load.requests << " of "
            << load.bytes_offered / std::max<int64_t>(1, load.requests)
            << " bytes, 2xx " << load.accepted << ", 429 " << load.throttled
            << ", other " << load.failed << "\n"
            << "strata-server RSS: " << MiB(rss_before) << " MiB before, max "
            << MiB(max_rss) << " MiB during; CPU " << cpu / load.seconds
            << " cores (load generator " << own_cpu / load.seconds << ")\n";

  EXPECT_TRUE(strata_->running()) << strata_->log();
  EXPECT_GT(load.throttled, 0);
  EXPECT_EQ(load.throttled_without_retry_after, 0);
  EXPECT_EQ(load.failed, 0) << load.first_failure;
  EXPECT_GT(load.accepted, 0);
  EXPECT_LT(max_rss, kRssBaseBytes + kRssBytesPerStoredSample *
                                         (sustained.samples_accepted +
                                          load.samples_accepted));
  EXPECT_GE(MetricValue(strata_port_,
                        "strata_remote_write_requests_refused_total{reason="
                        "\"overloaded\"}"),
            static_cast<double>(load.throttled));
  // Every acknowledged sample is stored.
  for (int c = 0; c < kOverloadConnections; ++c) {
    ASSERT_EQ(StoredSamples("overload", c),
              load.samples_accepted_by_connection[static_cast<size_t>(c)])
        << "connection " << c;
  }

  // Prometheus wrote through the overload, was refused some batches and
  // retried them: Strata has every sample it scraped.
  SeriesSamples prometheus_samples;
  const std::string diff =
      WaitForSameSamples(prom_port_, strata_port_, start_ms_, end_ms, 60000,
                         &prometheus_samples, "prometheus|strata");
  const int64_t samples = CountSamples(prometheus_samples);
  EXPECT_EQ(diff, "") << prom_->log();
  std::cout << "Prometheus: " << samples << " samples compared, "
            << MetricValue(prom_port_,
                           "prometheus_remote_storage_samples_retried_total")
            << " retried\n";
  EXPECT_GT(samples, 0);
  EXPECT_GT(MetricValue(prom_port_,
                        "prometheus_remote_storage_samples_retried_total"),
            0);
  EXPECT_EQ(
      MetricValue(prom_port_, "prometheus_remote_storage_samples_failed_total"),
      0);
  EXPECT_EQ(MetricValue(prom_port_,
                        "prometheus_remote_storage_samples_dropped_total"),
            0);
}

}  // namespace
}  // namespace strata::e2e
