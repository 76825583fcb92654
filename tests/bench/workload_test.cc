// The workload generator and the /metrics reader of bench/compare, on a
// hand-made seed: every sample present once, in time order, 15 s apart,
// counters growing, gauges staying within their recorded values, requests
// no bigger than asked.
#include "workload.h"

#include <cmath>
#include <map>
#include <set>

#include "dataset.h"
#include "gtest/gtest.h"
#include "metrics_text.h"
#include "prometheus/remote.pb.h"
#include "scrape.h"
#include "snappy.h"

namespace strata::bench {
namespace {

Dataset Seed() {
  Dataset d;
  RecordedSeries counter;
  counter.labels = {{"__name__", "requests_total"},
                    {"job", "app"},
                    {"instance", "10.0.0.1:8080"}};
  counter.values = {1, 3, 3, 10, 2};  // 10 -> 2 is a reset: no increment.
  counter.jitter_ms = {0, 2, -3, 1, 0};
  counter.counter = true;
  RecordedSeries gauge;
  gauge.labels = {{"__name__", "temperature"}, {"job", "app"}};  // No instance.
  gauge.values = {5, 7, 6};
  gauge.jitter_ms = {0, 0, 0};
  gauge.phase_ms = 4000;
  d.series = {counter, gauge};
  return d;
}

TEST(WorkloadTest, EverySampleOnceInOrderWithinRequestSize) {
  const Dataset seed = Seed();
  WorkloadOptions o;
  o.instances = 3;
  o.rounds = 12;
  o.samples_per_request = 4;
  o.first_round_ms = 1'700'000'000'000;
  o.threads = 2;
  Workload w;
  std::string error;
  ASSERT_TRUE(BuildWorkload(seed, o, &w, &error)) << error;
  EXPECT_EQ(w.series, 6u);
  EXPECT_EQ(w.samples, 6 * 12);
  ASSERT_EQ(w.requests.size(), 2u);  // 6 series, 4 per request.

  // Per label set: the samples in the order a connection sends them.
  std::map<std::string, std::vector<std::pair<int64_t, double>>> got;
  std::map<std::string, bool> is_counter;
  int64_t total = 0;
  for (const auto& shard : w.requests) {
    ASSERT_EQ(shard.size(), 12u);
    for (const std::string& body : shard) {
      std::string raw;
      ASSERT_TRUE(snappy::Uncompress(body.data(), body.size(), &raw));
      prometheus::WriteRequest req;
      ASSERT_TRUE(req.ParseFromString(raw));
      EXPECT_LE(req.timeseries_size(), 4);
      for (const auto& ts : req.timeseries()) {
        std::string key, name;
        std::string prev;
        for (const auto& l : ts.labels()) {
          EXPECT_LT(prev, l.name()) << "labels sorted, no duplicates";
          prev = l.name();
          key += l.name() + "=" + l.value() + ",";
          if (l.name() == "__name__") name = l.value();
          if (l.name() == "instance") {
            EXPECT_EQ(l.value().rfind("host-", 0), 0u);
          }
        }
        ASSERT_EQ(ts.samples_size(), 1);
        got[key].emplace_back(ts.samples(0).timestamp(), ts.samples(0).value());
        is_counter[key] = name == "requests_total";
        ++total;
      }
    }
  }
  EXPECT_EQ(total, w.samples);
  ASSERT_EQ(got.size(), 6u);
  for (const auto& [key, samples] : got) {
    ASSERT_EQ(samples.size(), 12u) << key;
    for (size_t i = 1; i < samples.size(); ++i) {
      const int64_t dt = samples[i].first - samples[i - 1].first;
      EXPECT_GE(dt, kStepMs - 10) << key;
      EXPECT_LE(dt, kStepMs + 10) << key;
      if (is_counter[key]) {
        EXPECT_GE(samples[i].second, samples[i - 1].second) << key;
      } else {
        EXPECT_TRUE(samples[i].second == 5 || samples[i].second == 6 ||
                    samples[i].second == 7)
            << key;
      }
    }
    EXPECT_GE(samples.front().first, w.min_t);
    EXPECT_LE(samples.back().first, w.max_t);
  }
  // The counter keeps growing past the recording: 1 + (2+0+7+0) per lap.
  EXPECT_GT(GeneratedValue(seed.series[0], 0, 11), 10);
}

TEST(WorkloadTest, FirstInstanceReplaysTheRecording) {
  const Dataset seed = Seed();
  // Counter: recorded values up to the reset, then increments resume.
  EXPECT_EQ(GeneratedValue(seed.series[0], 0, 0), 1);
  EXPECT_EQ(GeneratedValue(seed.series[0], 0, 1), 3);
  EXPECT_EQ(GeneratedValue(seed.series[0], 0, 3), 10);
  EXPECT_EQ(GeneratedValue(seed.series[0], 0, 4), 10);  // The reset.
  EXPECT_EQ(GeneratedValue(seed.series[0], 0, 5), 12);  // Next lap: +2.
  // Gauge: back and forth through 5, 7, 6.
  const double want[] = {5, 7, 6, 7, 5, 7, 6};
  for (int r = 0; r < 7; ++r)
    EXPECT_EQ(GeneratedValue(seed.series[1], 0, r), want[r]);
}

// The head-memory scenario sends a history, then a tail from
// `first_round`: together they must be the one longer workload, byte for
// byte (same timestamps, same values), so the tail continues every series.
TEST(WorkloadTest, TailFromFirstRoundContinuesTheWholeWorkload) {
  const Dataset seed = Seed();
  WorkloadOptions o;
  o.instances = 3;
  o.samples_per_request = 4;
  o.first_round_ms = 1'700'000'000'000;
  o.rounds = 12;
  Workload whole;
  std::string error;
  ASSERT_TRUE(BuildWorkload(seed, o, &whole, &error)) << error;
  o.first_round = 9;
  o.rounds = 3;
  Workload tail;
  ASSERT_TRUE(BuildWorkload(seed, o, &tail, &error)) << error;
  EXPECT_EQ(tail.series, whole.series);
  EXPECT_EQ(tail.samples, 6 * 3);
  EXPECT_EQ(tail.max_t, whole.max_t);
  ASSERT_EQ(tail.requests.size(), whole.requests.size());
  for (size_t shard = 0; shard < tail.requests.size(); ++shard) {
    ASSERT_EQ(tail.requests[shard].size(), 3u);
    for (size_t r = 0; r < 3; ++r) {
      EXPECT_EQ(tail.requests[shard][r], whole.requests[shard][9 + r])
          << "shard " << shard << " round " << 9 + r;
    }
  }
  o.first_round = -1;
  EXPECT_FALSE(BuildWorkload(seed, o, &tail, &error));
}

TEST(WorkloadTest, CollidingLabelSetsAreRefused) {
  Dataset d = Seed();
  d.series.push_back(d.series[0]);
  WorkloadOptions o;
  Workload w;
  std::string error;
  EXPECT_FALSE(BuildWorkload(d, o, &w, &error));
  EXPECT_NE(error.find("share the label set"), std::string::npos);
}

TEST(DatasetTest, ParsesSampleLinesAndTypes) {
  LabelPairs labels;
  double v;
  int64_t ts;
  ASSERT_TRUE(ParseSampleLine(R"(up{job="a",path="x\"y"} 1 1795620513.221)",
                              &labels, &v, &ts));
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels[2].second, "x\"y");
  EXPECT_EQ(v, 1);
  EXPECT_EQ(ts, 1795620513221);
  ASSERT_TRUE(ParseSampleLine("go_goroutines 42", &labels, &v, &ts));
  EXPECT_EQ(ts, -1);
  ASSERT_TRUE(ParseSampleLine("x NaN 1795620513.221", &labels, &v, &ts));
  EXPECT_TRUE(std::isnan(v));
  EXPECT_FALSE(ParseSampleLine("{broken", &labels, &v, &ts));

  const TypeMap types = {{"rpc_seconds", "histogram"},
                         {"rpc_quantiles", "summary"},
                         {"temp", "gauge"},
                         {"reqs_total", "counter"}};
  EXPECT_TRUE(IsCounterSeries("rpc_seconds_bucket", types));
  EXPECT_TRUE(IsCounterSeries("rpc_quantiles_count", types));
  EXPECT_FALSE(IsCounterSeries("rpc_quantiles", types));
  EXPECT_FALSE(IsCounterSeries("temp", types));
  EXPECT_TRUE(IsCounterSeries("reqs_total", types));
  EXPECT_TRUE(IsCounterSeries("unknown_family_total", {}));
  EXPECT_FALSE(IsCounterSeries("unknown_family", {}));
}

TEST(ScrapeTest, ScrapesBecomeTypedSeriesOfTheirJob) {
  const std::string text =
      "# HELP reqs_total Requests.\n"
      "# TYPE reqs_total counter\n"
      "reqs_total{code=\"200\",instance=\"x\"} 10\n"
      "# TYPE temp gauge\n"
      "temp 21.5\n";
  TypeMap types;
  std::map<std::string, RecordedSeries> series;
  AddScrape(text, "node", "127.0.0.1:9100", &types, &series);
  AddScrape(std::string(text).replace(text.find(" 10\n"), 4, " 12\n"), "node",
            "127.0.0.1:9100", &types, &series);
  ASSERT_EQ(series.size(), 2u);
  for (const auto& [key, s] : series) {
    ASSERT_EQ(s.values.size(), 2u) << key;
    ASSERT_EQ(s.jitter_ms.size(), 2u);
    int instances = 0;
    for (const auto& [n, v] : s.labels) {
      if (n == "instance") {
        EXPECT_EQ(v, "127.0.0.1:9100");  // The scraper's, not the exposed one.
        ++instances;
      }
      if (n == "job") {
        EXPECT_EQ(v, "node");
      }
    }
    EXPECT_EQ(instances, 1);
    const bool counter = s.labels[0].second == "reqs_total";
    EXPECT_EQ(IsCounterSeries(s.labels[0].second, types), counter);
    EXPECT_EQ(s.values[1], counter ? 12 : 21.5);
  }
}

TEST(MetricsTextTest, SumsEverySeriesOfTheFirstPresentName) {
  const std::string text =
      "# HELP prometheus_tsdb_head_samples_appended_total x\n"
      "prometheus_tsdb_head_samples_appended_total{type=\"float\"} 100\n"
      "prometheus_tsdb_head_samples_appended_total{type=\"histogram\"} 5\n"
      "prometheus_tsdb_head_samples_appended_total_other 7\n"
      "strata_head_series 9\n";
  EXPECT_EQ(SumMetric(text, {"prometheus_tsdb_head_samples_appended_total"}),
            105);
  EXPECT_EQ(
      SumMetric(text, {"prometheus_tsdb_head_series", "strata_head_series"}),
      9);
  EXPECT_EQ(SumMetric(text, {"missing"}), -1);
}

}  // namespace
}  // namespace strata::bench
