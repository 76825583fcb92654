// The out-of-order window against the real Prometheus 2.42 with
// `storage: tsdb: out_of_order_time_window: 30m`: the same remote write
// 1.0 requests (in order, out of order within the window, beyond it,
// duplicates) go to both; the status codes, a set of instant and range
// queries and a remote read of everything must be identical, and so must
// the out-of-order metrics. A reload turning the window off and on again
// must act the same. Last, kill -9 of strata-server while out-of-order
// samples stream in keeps every acknowledged one (the WBL replays).
#include <signal.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "differential.h"
#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "prometheus/remote.pb.h"
#include "prometheus_process.h"
#include "temp_dir.h"
#include "test_env.h"
#include "url_encode.h"

namespace strata::e2e {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using LabelPairs = std::vector<std::pair<std::string, std::string>>;
using Samples = std::vector<std::pair<int64_t, double>>;

constexpr int64_t kMinute = 60 * 1000;
constexpr char kWindowConfig[] =
    "storage:\n  tsdb:\n    out_of_order_time_window: 30m\n";

prometheus::WriteRequest Request(
    const std::vector<std::pair<LabelPairs, Samples>>& series) {
  prometheus::WriteRequest req;
  for (const auto& [labels, samples] : series) {
    prometheus::TimeSeries* ts = req.add_timeseries();
    for (const auto& [n, v] : labels) {
      prometheus::Label* l = ts->add_labels();
      l->set_name(n);
      l->set_value(v);
    }
    for (const auto& [t, v] : samples) {
      prometheus::Sample* s = ts->add_samples();
      s->set_timestamp(t);
      s->set_value(v);
    }
  }
  return req;
}

std::string Seconds(int64_t ms) { return strata::testing::MillisAsSeconds(ms); }

const LabelPairs kA = {{"__name__", "ooo_metric"}, {"job", "a"}};
const LabelPairs kB = {{"__name__", "ooo_metric"}, {"job", "b"}};

class OutOfOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!strata::testing::HavePrometheus()) {
      STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
    }
    base_ = (NowMillis() - 20 * kMinute) / 1000 * 1000;
  }

  // Prometheus reads <tmp>/prometheus.yml, strata-server <tmp>/config.yml.
  void StartBoth(const std::string& config_yaml) {
    WriteFile(Path("config.yml"), config_yaml);
    prom_ = std::make_unique<strata::testing::PrometheusProcess>(
        Path("prometheus"), config_yaml, tmp_.path(),
        std::vector<std::string>{"--web.enable-remote-write-receiver",
                                 "--web.enable-lifecycle"});
    prom_port_ = prom_->port();
    StartStrata();
    ASSERT_TRUE(prom_->WaitReady()) << ReadFileOrEmpty(Path("prometheus.log"));
  }

  void StartStrata() {
    strata_port_ = FreePort();
    strata_ = StartStrataServer(
        Path("strata"), strata_port_, Path("strata.log"),
        {"--config.file=" + Path("config.yml"), "--web.enable-lifecycle"});
    ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 60000)) << strata_->log();
  }

  // Rewrites both configuration files.
  void WriteConfigs(const std::string& config_yaml) {
    WriteFile(Path("config.yml"), config_yaml);
    WriteFile(Path("prometheus.yml"), config_yaml);
  }

  std::string Path(const std::string& name) const {
    return (fs::path(tmp_.path()) / name).string();
  }

  // Sends the request to both; the status codes must agree and be `want`.
  void WriteBoth(const prometheus::WriteRequest& req, int want) {
    ExpectSameWriteStatus(prom_port_, strata_port_, req.SerializeAsString(),
                          want);
  }

  // The same query API request to both: identical status and body.
  Json ExpectSame(const std::string& path, const LabelPairs& params) {
    return ExpectSameAnswer(prom_port_, strata_port_, path, params);
  }

  // Asks the same query API request of two servers, compares their
  // answers and returns the first's.
  using AskBoth = std::function<Json(const std::string&, const LabelPairs&)>;

  // The query set, each asked of a pair through `same`.
  void ExpectSameQueryAnswers(const AskBoth& same) {
    const int64_t b = base_;
    for (const char* q :
         {"ooo_metric", "ooo_metric{job=\"a\"}", "sum(ooo_metric)",
          "count_over_time(ooo_metric[1h])", "max_over_time(ooo_metric[1h])",
          "min_over_time(ooo_metric[20m])", "rate(ooo_metric[10m])",
          "timestamp(ooo_metric)"}) {
      for (int64_t at : {b - 12 * kMinute, b - 7 * kMinute, b + 7500,
                         b + 2 * kMinute + 1, b + 6 * kMinute}) {
        same("/api/v1/query", {{"query", q}, {"time", Seconds(at)}});
      }
      same("/api/v1/query_range", {{"query", q},
                                   {"start", Seconds(b - 40 * kMinute)},
                                   {"end", Seconds(b + 10 * kMinute)},
                                   {"step", "15"}});
    }
    // Not a vacuous agreement: the range holds the out-of-order samples.
    const Json raw =
        same("/api/v1/query", {{"query", "ooo_metric{job=\"a\"}[1h]"},
                               {"time", Seconds(b + 6 * kMinute)}});
    ASSERT_EQ(raw["data"]["result"].size(), 1u) << raw.dump();
    EXPECT_GE(raw["data"]["result"][0]["values"].size(), 25u) << raw.dump();
  }

  void ExpectSameQueries() {
    ExpectSameQueryAnswers(
        [&](const std::string& path, const LabelPairs& params) {
          return ExpectSame(path, params);
        });
    const int64_t b = base_;
    // Every sample, by remote read.
    StatusOr<SeriesSamples> p =
        RemoteReadAll(prom_port_, b - kMinute * 60, b + kMinute * 60);
    StatusOr<SeriesSamples> s =
        RemoteReadAll(strata_port_, b - kMinute * 60, b + kMinute * 60);
    ASSERT_TRUE(p.ok() && s.ok());
    EXPECT_EQ(DescribeDifference(*p, *s), "");
  }

  void ExpectSameMetrics() {
    EXPECT_EQ(MetricValue(strata_port_,
                          "strata_head_out_of_order_samples_appended_total "),
              MetricValue(
                  prom_port_,
                  "prometheus_tsdb_head_out_of_order_samples_appended_total "));
    EXPECT_EQ(
        MetricValue(strata_port_,
                    "strata_head_samples_rejected_total{reason=\"too_"
                    "old\"} "),
        MetricValue(prom_port_,
                    "prometheus_tsdb_too_old_samples_total{type=\"float\"} "));
  }

  // In order, out of order within the window (interleaved and older than
  // all), a too old sample, an out-of-order duplicate, an in-order
  // duplicate, then in order again.
  void WriteStream() {
    const int64_t b = base_;
    Samples a_in;
    for (int i = 0; i <= 20; ++i) a_in.push_back({b + i * 15000, i});
    WriteBoth(Request({{kA, a_in}, {kB, {{b + 5 * kMinute, 100}}}}), 204);
    WriteBoth(Request({{kA,
                        {{b - 10 * kMinute, -1},
                         {b - 7 * kMinute, -2},
                         {b + 7500, 0.5},
                         {b + 37500, 2.5}}},
                       {kB, {{b + kMinute, 101}, {b + 2 * kMinute, 102}}}}),
              204);
    // 30m before the head's newest sample (b + 5m), and 1 ms more.
    WriteBoth(Request({{kA, {{b - 25 * kMinute, -3}}}}), 204);
    WriteBoth(Request({{kA, {{b - 25 * kMinute - 1, -4}}}}), 500);
    WriteBoth(Request({{kB, {{b - 26 * kMinute, -5}}}}), 500);
    // Same timestamp as an out-of-order sample: dropped, 204.
    WriteBoth(Request({{kA, {{b - 7 * kMinute, 99}}}}), 204);
    // Same timestamp as the newest in-order sample, other value: 400.
    WriteBoth(Request({{kA, {{b + 5 * kMinute, 99}}}}), 400);
    WriteBoth(Request({{kA, {{b + 5 * kMinute + 15000, 21}}}}), 204);
  }

  strata::testing::TempDir tmp_{"strata-ooo-e2e"};
  int64_t base_ = 0;
  int prom_port_ = 0;
  int strata_port_ = 0;
  std::unique_ptr<strata::testing::PrometheusProcess> prom_;
  std::unique_ptr<Process> strata_;
};

TEST_F(OutOfOrderTest, MatchesPrometheus) {
  ASSERT_NO_FATAL_FAILURE(StartBoth(kWindowConfig));
  WriteStream();
  ExpectSameQueries();
  ExpectSameMetrics();
  // A Prometheus reading each by remote read sees the same.
  RemoteReadReaders readers(prom_port_, strata_port_, tmp_.path());
  ASSERT_TRUE(readers.WaitReady()) << readers.logs();
  ExpectSameQueryAnswers(
      [&](const std::string& path, const LabelPairs& params) {
        return readers.ExpectSame(path, params);
      });
}

TEST_F(OutOfOrderTest, ReloadTurnsTheWindowOffAndOn) {
  ASSERT_NO_FATAL_FAILURE(StartBoth("global:\n  scrape_interval: 15s\n"));
  const int64_t b = base_;
  WriteBoth(Request({{kA, {{b, 1}, {b + kMinute, 2}}}}), 204);
  WriteBoth(Request({{kA, {{b + 30000, 3}}}}), 400);  // Window off.
  const auto reload = [&](const std::string& config) {
    WriteConfigs(config);
    EXPECT_EQ(Http(prom_port_, "POST", "/-/reload").status, 200);
    EXPECT_EQ(Http(strata_port_, "POST", "/-/reload").status, 200);
  };
  reload(kWindowConfig);
  WriteBoth(Request({{kA, {{b + 30000, 3}}}}), 204);
  reload("storage:\n  tsdb:\n    out_of_order_time_window: 0s\n");
  WriteBoth(Request({{kA, {{b + 45000, 4}}}}), 400);
  reload("storage:\n  tsdb:\n");  // Null: off.
  WriteBoth(Request({{kA, {{b + 50000, 4}}}}), 400);
  ExpectSame("/api/v1/query_range", {{"query", "ooo_metric"},
                                     {"start", Seconds(b - kMinute)},
                                     {"end", Seconds(b + 2 * kMinute)},
                                     {"step", "5"}});
  // A bad window fails the reload in both.
  WriteConfigs("storage:\n  tsdb:\n    out_of_order_time_window: soon\n");
  EXPECT_EQ(Http(prom_port_, "POST", "/-/reload").status, 500);
  EXPECT_EQ(Http(strata_port_, "POST", "/-/reload").status, 500);
}

// kill -9 while out-of-order samples stream in: every sample of an
// acknowledged request is there after the restart.
TEST_F(OutOfOrderTest, KillNineKeepsAcknowledgedOutOfOrderSamples) {
  WriteFile(Path("config.yml"), kWindowConfig);
  ASSERT_NO_FATAL_FAILURE(StartStrata());
  const int64_t b = base_;
  ASSERT_EQ(RemoteWriteV1(
                strata_port_,
                Request({{kA, {{b + 20 * kMinute, 0}}}}).SerializeAsString())
                .status,
            204);
  // Each request: 10 out-of-order samples of one series, newest first.
  const int acked = WriteUntilKilled(
      strata_.get(), strata_port_,
      [&](int r) {
        Samples samples;
        for (int i = 0; i < 10; ++i) {
          samples.push_back({b + 20 * kMinute - (r * 10 + i + 1), r});
        }
        return Request({{kB, {{b + 20 * kMinute, 0}}}, {kA, samples}})
            .SerializeAsString();
      },
      300);
  ASSERT_GT(acked, 0);
  ASSERT_NO_FATAL_FAILURE(StartStrata());
  StatusOr<SeriesSamples> got =
      RemoteReadAll(strata_port_, b, b + 21 * kMinute);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  std::vector<std::pair<int64_t, uint64_t>> a;
  for (const auto& [labels, samples] : *got) {
    if (labels.find("job=\"a\"") != std::string::npos) a = samples;
  }
  // The in-order sample and at least 10 per acknowledged request.
  EXPECT_GE(static_cast<int>(a.size()), 1 + 10 * acked)
      << "acknowledged requests: " << acked;
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a.back().first, b + 20 * kMinute);
}

}  // namespace
}  // namespace strata::e2e
