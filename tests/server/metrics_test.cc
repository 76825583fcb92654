#include "server/metrics/metrics.h"

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "http_test_client.h"
#include "server/metrics/process_metrics.h"

namespace strata::server {
namespace {

// Values print as client_golang's writeFloat does: Go's 'g' form
// (util/go_format_test.cc has the cases), except that -0 prints as "0".
TEST(MetricsRegistryTest, ValuesInGoShortestForm) {
  MetricsRegistry registry;
  registry.AddGaugeFunc("a_negative_zero", "-0.", [] { return -0.0; });
  registry.AddGaugeFunc("b_small", "Small.", [] { return 5.51e-07; });
  registry.AddGaugeFunc("c_large", "Large.", [] { return 123456789.0; });
  registry.AddGaugeFunc("d_nan", "NaN.", [] { return std::nan(""); });
  const std::string text = registry.RenderText();
  EXPECT_NE(text.find("\na_negative_zero 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nb_small 5.51e-07\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nc_large 1.23456789e+08\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nd_nan NaN\n"), std::string::npos) << text;
}

TEST(NamesTest, Validation) {
  EXPECT_TRUE(IsValidMetricName("strata_head_series"));
  EXPECT_TRUE(IsValidMetricName("job:rate5m:sum"));
  EXPECT_TRUE(IsValidMetricName("_x"));
  EXPECT_FALSE(IsValidMetricName("5x"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("handler"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("__reserved"));
  EXPECT_FALSE(IsValidLabelName("1a"));
}

TEST(BucketsTest, DefaultsAndExponential) {
  EXPECT_EQ(DefaultBuckets(), (std::vector<double>{.005, .01, .025, .05, .1,
                                                   .25, .5, 1, 2.5, 5, 10}));
  EXPECT_EQ(ExponentialBuckets(100, 10, 4),
            (std::vector<double>{100, 1000, 10000, 100000}));
}

TEST(MetricsRegistryTest, RendersExactTextFormat) {
  MetricsRegistry registry;
  Counter* requests =
      registry.AddCounter("test_requests_total", "Requests served.");
  Gauge* temperature = registry.AddGauge("test_temperature_celsius",
                                         "Current temperature.\nSecond line.");
  CounterFamily* by_code = registry.AddCounterFamily(
      "test_codes_total", "Responses by code.", {"path", "code"});
  Histogram* latency = registry.AddHistogram("test_latency_seconds", "Latency.",
                                             std::vector<double>{0.1, 1, 10});
  registry.AddGaugeFunc("test_answer", "Computed at scrape.",
                        [] { return 42.0; });

  requests->Inc();
  requests->Inc(2.5);
  temperature->Set(-3.25);
  by_code->WithLabelValues({"/b", "500"})->Inc();
  by_code->WithLabelValues({"/a\"q\"\\\n", "200"})->Inc(1e6);
  by_code->WithLabelValues({"/a", "200"})->Inc(3);
  for (double v : {0.0625, 0.125, 0.5, 2.0, 100.0}) latency->Observe(v);

  const std::string expected =
      "# HELP test_answer Computed at scrape.\n"
      "# TYPE test_answer gauge\n"
      "test_answer 42\n"
      "# HELP test_codes_total Responses by code.\n"
      "# TYPE test_codes_total counter\n"
      "test_codes_total{code=\"200\",path=\"/a\"} 3\n"
      "test_codes_total{code=\"200\",path=\"/a\\\"q\\\"\\\\\\n\"} 1e+06\n"
      "test_codes_total{code=\"500\",path=\"/b\"} 1\n"
      "# HELP test_latency_seconds Latency.\n"
      "# TYPE test_latency_seconds histogram\n"
      "test_latency_seconds_bucket{le=\"0.1\"} 1\n"
      "test_latency_seconds_bucket{le=\"1\"} 3\n"
      "test_latency_seconds_bucket{le=\"10\"} 4\n"
      "test_latency_seconds_bucket{le=\"+Inf\"} 5\n"
      "test_latency_seconds_sum 102.6875\n"
      "test_latency_seconds_count 5\n"
      "# HELP test_requests_total Requests served.\n"
      "# TYPE test_requests_total counter\n"
      "test_requests_total 3.5\n"
      "# HELP test_temperature_celsius Current temperature.\\nSecond line.\n"
      "# TYPE test_temperature_celsius gauge\n"
      "test_temperature_celsius -3.25\n";
  EXPECT_EQ(registry.RenderText(), expected);
}

TEST(MetricsRegistryTest, LabelledHistogramAndSummaryCollector) {
  MetricsRegistry registry;
  HistogramFamily* family =
      registry.AddHistogramFamily("rpc_duration_seconds", "RPC latency.",
                                  {"method"}, std::vector<double>{0.5});
  family->WithLabelValues({"Get"})->Observe(0.25);
  registry.AddCollector({"fsync_seconds"}, [](std::vector<MetricFamily>* out) {
    MetricFamily summary;
    summary.name = "fsync_seconds";
    summary.help = "Fsync time.";
    summary.type = MetricType::kSummary;
    summary.points.emplace_back();
    summary.points.back().quantiles = {{0.5, 0.001}, {0.99, 0.02}};
    summary.points.back().sum = 1.5;
    summary.points.back().count = 1000;
    out->push_back(std::move(summary));
  });
  EXPECT_EQ(registry.RenderText(),
            "# HELP fsync_seconds Fsync time.\n"
            "# TYPE fsync_seconds summary\n"
            "fsync_seconds{quantile=\"0.5\"} 0.001\n"
            "fsync_seconds{quantile=\"0.99\"} 0.02\n"
            "fsync_seconds_sum 1.5\n"
            "fsync_seconds_count 1000\n"
            "# HELP rpc_duration_seconds RPC latency.\n"
            "# TYPE rpc_duration_seconds histogram\n"
            "rpc_duration_seconds_bucket{method=\"Get\",le=\"0.5\"} 1\n"
            "rpc_duration_seconds_bucket{method=\"Get\",le=\"+Inf\"} 1\n"
            "rpc_duration_seconds_sum{method=\"Get\"} 0.25\n"
            "rpc_duration_seconds_count{method=\"Get\"} 1\n");
}

TEST(MetricsRegistryTest, FamilyWithoutChildrenIsOmitted) {
  MetricsRegistry registry;
  registry.AddCounterFamily("unused_total", "Never used.", {"a"});
  EXPECT_EQ(registry.RenderText(), "");
}

TEST(MetricsRegistryTest, BucketBoundsAreInclusive) {
  Histogram h({1, 2});
  h.Observe(1);
  h.Observe(2);
  h.Observe(2.0000001);
  MetricPoint point;
  h.Snapshot(&point);
  ASSERT_EQ(point.buckets.size(), 2u);
  EXPECT_EQ(point.buckets[0].second, 1u);
  EXPECT_EQ(point.buckets[1].second, 2u);
  EXPECT_EQ(point.count, 3u);
}

TEST(MetricsRegistryTest, ConcurrentUpdatesAreNotLost) {
  MetricsRegistry registry;
  Counter* counter = registry.AddCounter("c_total", "c");
  HistogramFamily* hist = registry.AddHistogramFamily("h_seconds", "h", {"t"});
  constexpr int kThreads = 4, kIterations = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIterations; ++i) {
        counter->Inc();
        hist->WithLabelValues({std::to_string(t % 2)})->Observe(0.01);
        if (i % 1000 == 0) registry.RenderText();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter->value(), kThreads * kIterations);
  uint64_t total = 0;
  for (const MetricFamily& family : registry.Gather()) {
    if (family.name != "h_seconds") continue;
    for (const MetricPoint& point : family.points) total += point.count;
  }
  EXPECT_EQ(total, uint64_t{kThreads} * kIterations);
}

TEST(MetricsRegistryDeathTest, DuplicateAndInvalidNamesAbort) {
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddCounter("dup_total", "a");
        registry.AddGauge("dup_total", "b");
      },
      "");
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddGauge("bad-name", "a");
      },
      "");
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddHistogramFamily("h", "a", {"le"});
      },
      "");
}

TEST(ProcessMetricsTest, ReadsPlausibleFigures) {
  StatusOr<ProcessStats> stats = ReadProcessStats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_GT(stats->resident_memory_bytes, 1 << 20);
  EXPECT_GE(stats->virtual_memory_bytes, stats->resident_memory_bytes);
  EXPECT_GE(stats->open_fds, 3);
  EXPECT_GE(stats->max_fds, stats->open_fds);
  EXPECT_GE(stats->cpu_seconds, 0);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(stats->start_time_seconds, now + 1);
  EXPECT_GT(stats->start_time_seconds, now - 3600);
  // Burn some CPU: the counter must move.
  volatile double x = 0;
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(150);
  while (std::chrono::steady_clock::now() < until) x = x + 1;
  StatusOr<ProcessStats> later = ReadProcessStats();
  ASSERT_TRUE(later.ok());
  EXPECT_GT(later->cpu_seconds, stats->cpu_seconds);
}

TEST(PromtoolTest, ExpositionPassesCheckMetrics) {
  MetricsRegistry registry;
  AddProcessCollector(&registry);
  registry
      .AddCounterFamily("strata_http_requests_total", "Requests.",
                        {"handler", "code"})
      ->WithLabelValues({"/api/v1/query", "200"})
      ->Inc(12345678);
  HistogramFamily* h = registry.AddHistogramFamily(
      "strata_http_request_duration_seconds", "Latency.", {"handler", "code"});
  for (int i = 0; i < 100; ++i) {
    h->WithLabelValues({"/metrics", "200"})->Observe(i * 0.003);
  }
  registry.AddGauge("strata_weird_labels", "Escapes \\ and\nnewlines.");
  registry.AddGaugeFamily("strata_escaped", "Escaping.", {"v"})
      ->WithLabelValues({"quote\" backslash\\ newline\n"})
      ->Set(std::nan(""));
  const std::string text = registry.RenderText();
  ASSERT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
  ASSERT_NE(text.find("process_open_fds "), std::string::npos);
  std::string output;
  const int rc = testing::RunWithInput("promtool check metrics", text, &output);
  EXPECT_EQ(rc, 0) << output << "\n---\n" << text;
}

}  // namespace
}  // namespace strata::server
