// Interoperability with the real Prometheus 2.42 (the `prometheus` binary on
// PATH; the tests skip without it):
//   * Prometheus replays a WAL written by Strata (uncompressed and snappy,
//     with page-spanning records and several segments) and serves its
//     samples over its HTTP API.
//   * Prometheus, with --enable-feature=native-histograms, replays Strata's
//     histogram and float histogram records (types 7 and 8).
//   * Strata replays and decodes a WAL written by Prometheus while it
//     scrapes itself.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "free_port.h"
#include "gtest/gtest.h"
#include "http_client/http_client.h"
#include "prometheus_process.h"
#include "test_env.h"
#include "wait_for.h"
#include "wal/histogram_record.h"
#include "wal/record.h"
#include "wal/replay.h"
#include "wal/wal.h"
#include "wal_test_util.h"

namespace strata::wal {
namespace {

// Letters that do not compress, so records stay large with snappy too.
std::string RandomText(uint64_t seed, size_t n) {
  std::string raw = MakeRecord(seed, n);
  for (char& c : raw) c = static_cast<char>('a' + static_cast<uint8_t>(c) % 26);
  return raw;
}

using strata::testing::HavePrometheus;
using strata::testing::PrometheusProcess;

// GET http://127.0.0.1:port/path; returns the body, or "" on failure.
std::string HttpGet(int port, const std::string& path, int* status = nullptr) {
  StatusOr<http_client::Response> r = http_client::Get(port, path);
  if (status != nullptr) *status = r.ok() ? r->status : 0;
  return r.ok() ? std::move(r->body) : "";
}

class PrometheusInteropTest
    : public TempDirTest,
      public ::testing::WithParamInterface<Compression> {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    if (!HavePrometheus()) STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
  }
};

TEST_P(PrometheusInteropTest, PrometheusReplaysAStrataWal) {
  const std::string data = JoinPath(root_, "data");
  const std::string wal_dir = JoinPath(data, "wal");
  constexpr int kSeries = 40, kSamplesPerSeries = 30;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  const int64_t t0 = now_ms - 20 * 60 * 1000;  // 20 minutes ago.
  {
    WalOptions o;
    o.sync = WalSyncPolicy::kInterval;
    o.compression = GetParam();
    o.segment_bytes = 2 * kPageSize;  // Several segments.
    auto wal = Wal::Open(wal_dir, posix(), o);
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    std::vector<RefSeries> series;
    for (int i = 0; i < kSeries; ++i) {
      // Long label values make the series record span pages.
      series.push_back({static_cast<uint64_t>(i + 1),
                        Labels::Of({{"__name__", "strata_interop"},
                                    {"i", std::to_string(i)},
                                    {"pad", RandomText(i, 1500)}})});
    }
    std::string rec;
    EncodeSeries(series, &rec);
    ASSERT_GT(rec.size(), static_cast<size_t>(kPageSize));
    ASSERT_TRUE((*wal)->Log(rec).ok());
    for (int k = 0; k < kSamplesPerSeries; ++k) {
      std::vector<RefSample> samples;
      for (int i = 0; i < kSeries; ++i) {
        samples.push_back(
            {static_cast<uint64_t>(i + 1), t0 + k * 15000, i * 1000.0 + k});
      }
      rec.clear();
      EncodeSamples(samples, &rec);
      ASSERT_TRUE((*wal)->Log(rec).ok());
    }
    ASSERT_GT((*wal)->stats().segments_created, 1);
    ASSERT_TRUE((*wal)->Close().ok());
  }

  PrometheusProcess prom(data, "global:\n  scrape_interval: 1m\n", root_);
  ASSERT_TRUE(prom.WaitReady()) << prom.log();
  // The newest sample of each series, as of just after the last one.
  const int64_t last_t = t0 + (kSamplesPerSeries - 1) * 15000;
  const std::string body =
      HttpGet(prom.port(), "/api/v1/query?query=strata_interop&time=" +
                               std::to_string(last_t / 1000) + "." +
                               std::to_string(last_t % 1000 + 1000).substr(1));
  ASSERT_NE(body.find("\"status\":\"success\""), std::string::npos) << body;
  for (int i = 0; i < kSeries; ++i) {
    const std::string want = "\"i\":\"" + std::to_string(i) + "\"";
    const size_t at = body.find(want);
    ASSERT_NE(at, std::string::npos)
        << "series " << i << " missing: " << body.substr(0, 500);
    const std::string value =
        "\"" + std::to_string(i * 1000 + kSamplesPerSeries - 1) + "\"]";
    EXPECT_NE(body.find(value, at), std::string::npos) << "series " << i;
  }
  // All samples of one series over the whole range.
  const std::string range = HttpGet(prom.port(),
                                    "/api/v1/"
                                    "query?query=count_over_time(strata_"
                                    "interop%7Bi%3D%227%22%7D%5B1h%5D)&time=" +
                                        std::to_string(last_t / 1000 + 1));
  EXPECT_NE(range.find("\"" + std::to_string(kSamplesPerSeries) + "\"]"),
            std::string::npos)
      << range;
  prom.Stop();
  const std::string log = prom.log();
  EXPECT_EQ(log.find("level=error"), std::string::npos) << log;
}

// Exemplar records (type 4) written by Strata replay into Prometheus's
// exemplar storage.
TEST_P(PrometheusInteropTest, PrometheusReplaysStrataExemplars) {
  const std::string data = JoinPath(root_, "data");
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  const int64_t t0 = now_ms - 20 * 60 * 1000;
  {
    WalOptions o;
    o.sync = WalSyncPolicy::kInterval;
    o.compression = GetParam();
    auto wal = Wal::Open(JoinPath(data, "wal"), posix(), o);
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    std::string series, samples, exemplars;
    const std::vector<RefSeries> refs = {
        {3, Labels::Of({{"__name__", "ex_interop"}})},
        {9, Labels::Of({{"__name__", "ex_other"}})}};
    EncodeSeries(refs, &series);
    const std::vector<RefSample> points = {{3, t0, 1}, {9, t0, 2}};
    EncodeSamples(points, &samples);
    const std::vector<RefExemplar> stored = {
        {3, t0, 1.5, Labels::Of({{"trace_id", "abc"}})},
        {9, t0 + 7, 2.5, Labels::Of({{"trace_id", "def"}})},
        {3, t0 + 1000, 3.5, Labels::Of({{"trace_id", "ghi"}})}};
    EncodeExemplars(stored, &exemplars);
    const std::vector<std::string> commit = {series, samples, exemplars};
    ASSERT_TRUE((*wal)->Log(commit).ok());
    ASSERT_TRUE((*wal)->Close().ok());
  }
  PrometheusProcess prom(data, "global:\n  scrape_interval: 1m\n", root_,
                         {"--enable-feature=exemplar-storage"});
  ASSERT_TRUE(prom.WaitReady()) << prom.log();
  const std::string body = HttpGet(
      prom.port(), "/api/v1/query_exemplars?query=ex_interop%20or%20ex_other");
  const auto ts = [](int64_t ms) {
    return std::to_string(ms / 1000) + "." +
           std::to_string(ms % 1000 + 1000).substr(1);
  };
  EXPECT_EQ(
      body,
      "{\"status\":\"success\",\"data\":[{\"seriesLabels\":{\"__name__\":"
      "\"ex_interop\"},\"exemplars\":[{\"labels\":{\"trace_id\":\"abc\"},"
      "\"value\":\"1.5\",\"timestamp\":" +
          ts(t0) +
          "},{\"labels\":{\"trace_id\":\"ghi\"},\"value\":\"3.5\","
          "\"timestamp\":" +
          ts(t0 + 1000) +
          "}]},{\"seriesLabels\":{\"__name__\":\"ex_other\"},\"exemplars\":"
          "[{\"labels\":{\"trace_id\":\"def\"},\"value\":\"2.5\","
          "\"timestamp\":" +
          ts(t0 + 7) + "}]}]}")
      << prom.log();
  prom.Stop();
  EXPECT_EQ(prom.log().find("level=error"), std::string::npos) << prom.log();
}

// The `k`th integer histogram of the native histogram test: a counter
// growing by one observation in the zero bucket and one in the sum per
// step.
Histogram InteropHistogram(int k) {
  Histogram h;
  h.schema = 1;
  h.zero_threshold = 0.001;
  h.zero_count = 2 + k;
  h.count = 10 + k;
  h.sum = 23.5 + k;
  h.positive_spans = {{0, 2}, {1, 1}};
  h.negative_spans = {{-2, 1}};
  h.positive_buckets = {1, 2, -1};
  h.negative_buckets = {2};
  return h;
}

FloatHistogram InteropFloatHistogram(int k) {
  FloatHistogram h;
  h.counter_reset_hint = CounterResetHint::kGauge;
  h.schema = 0;
  h.zero_threshold = 0.5;
  h.zero_count = 0.25 * k;
  h.count = 7.75 + 0.25 * k;
  h.sum = -1.5 * k;
  h.positive_spans = {{-3, 1}, {2, 2}};
  h.negative_spans = {{1, 1}};
  h.positive_buckets = {1.25, 0, 5.5};
  h.negative_buckets = {1};
  return h;
}

// Histogram records (types 7 and 8) written by Strata replay into
// Prometheus's head with native histograms on: the functions over them
// and the raw series answer with the values written.
TEST_P(PrometheusInteropTest, PrometheusReplaysStrataHistograms) {
  const std::string data = JoinPath(root_, "data");
  constexpr int kSteps = 5;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  const int64_t t0 = now_ms - 20 * 60 * 1000;
  {
    WalOptions o;
    o.sync = WalSyncPolicy::kInterval;
    o.compression = GetParam();
    auto wal = Wal::Open(JoinPath(data, "wal"), posix(), o);
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    std::string series;
    const std::vector<RefSeries> refs = {
        {11, Labels::Of({{"__name__", "nh_int"}})},
        {12, Labels::Of({{"__name__", "nh_float"}})}};
    EncodeSeries(refs, &series);
    ASSERT_TRUE((*wal)->Log(series).ok());
    for (int k = 0; k < kSteps; ++k) {
      std::string ints, floats;
      const std::vector<RefHistogramSample> h = {
          {11, t0 + k * 15000, InteropHistogram(k)}};
      EncodeHistogramSamples(h, &ints);
      const std::vector<RefFloatHistogramSample> fh = {
          {12, t0 + k * 15000, InteropFloatHistogram(k)}};
      EncodeFloatHistogramSamples(fh, &floats);
      const std::vector<std::string> commit = {ints, floats};
      ASSERT_TRUE((*wal)->Log(commit).ok());
    }
    ASSERT_TRUE((*wal)->Close().ok());
  }
  PrometheusProcess prom(data, "global:\n  scrape_interval: 1m\n", root_,
                         {"--enable-feature=native-histograms"});
  ASSERT_TRUE(prom.WaitReady()) << prom.log();
  const int64_t last_t = t0 + (kSteps - 1) * 15000;
  const std::string at = "&time=" + std::to_string(last_t / 1000) + "." +
                         std::to_string(last_t % 1000 + 1000).substr(1);
  const auto query = [&](const std::string& q) {
    return HttpGet(prom.port(), "/api/v1/query?query=" + q + at);
  };
  const std::string last = std::to_string(kSteps - 1);
  EXPECT_NE(query("histogram_count(nh_int)")
                .find("\"" + std::to_string(10 + kSteps - 1) + "\"]"),
            std::string::npos)
      << query("histogram_count(nh_int)");
  EXPECT_NE(query("histogram_sum(nh_int)").find("\"27.5\"]"), std::string::npos)
      << query("histogram_sum(nh_int)");
  EXPECT_NE(query("histogram_count(nh_float)").find("\"8.75\"]"),
            std::string::npos)
      << query("histogram_count(nh_float)");
  EXPECT_NE(query("histogram_sum(nh_float)").find("\"-6\"]"), std::string::npos)
      << query("histogram_sum(nh_float)");
  // Every step replayed.
  EXPECT_NE(query("count_over_time(nh_int%5B1h%5D)").find("\"5\"]"),
            std::string::npos);
  EXPECT_NE(query("count_over_time(nh_float%5B1h%5D)").find("\"5\"]"),
            std::string::npos);
  // The raw series: Prometheus's "histogram" value of the last sample.
  const std::string raw = query("nh_int");
  EXPECT_NE(raw.find("\"histogram\":"), std::string::npos) << raw;
  EXPECT_NE(raw.find("\"count\":\"14\",\"sum\":\"27.5\""), std::string::npos)
      << raw;
  const std::string raw_float = query("nh_float");
  EXPECT_NE(raw_float.find("\"count\":\"8.75\",\"sum\":\"-6\""),
            std::string::npos)
      << raw_float;
  prom.Stop();
  EXPECT_EQ(prom.log().find("level=error"), std::string::npos) << prom.log();
}

INSTANTIATE_TEST_SUITE_P(Compressions, PrometheusInteropTest,
                         ::testing::Values(Compression::kNone,
                                           Compression::kSnappy));

class PrometheusWalTest : public TempDirTest {};

TEST_F(PrometheusWalTest, StrataReplaysAPrometheusWal) {
  if (!HavePrometheus()) STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
  const std::string data = JoinPath(root_, "data");
  {
    PrometheusProcess prom(data,
                           "global:\n  scrape_interval: 1s\nscrape_configs:\n"
                           "  - job_name: self\n    static_configs:\n"
                           "      - targets: ['127.0.0.1:PORT']\n",
                           root_);
    ASSERT_TRUE(prom.WaitReady()) << prom.log();
    // Wait for a few scrapes to reach the WAL (replay checks the rest).
    strata::testing::WaitFor(
        [&] {
          return HttpGet(prom.port(),
                         "/api/v1/query?query=count_over_time(up%5B1m%5D)")
                     .find("\"3\"]") != std::string::npos;
        },
        std::chrono::seconds(20), std::chrono::milliseconds(200));
  }
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  ReplayOptions read_only;
  read_only.repair = false;
  ReplayResult result;
  Status s = ReplayWal(
      posix(), JoinPath(data, "wal"),
      [&](std::string_view rec) {
        switch (GetRecordType(rec)) {
          case RecordType::kSeries:
            return DecodeSeries(rec, &series);
          case RecordType::kSamples:
            return DecodeSamples(rec, &samples);
          default:
            return Status::OK();
        }
      },
      &result, read_only);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(result.torn_tails.empty());
  uint64_t up_ref = 0;
  for (const RefSeries& rs : series) {
    if (rs.labels.MetricName() == "up") {
      EXPECT_EQ(rs.labels.Get("job"), "self");
      up_ref = rs.ref;
    }
  }
  ASSERT_NE(up_ref, 0u) << series.size() << " series decoded";
  EXPECT_GT(series.size(), 100u);
  int up_samples = 0;
  for (const RefSample& rs : samples) {
    if (rs.ref == up_ref) {
      ++up_samples;
      EXPECT_EQ(rs.v, 1.0);
    }
  }
  EXPECT_GE(up_samples, 3);
}

}  // namespace
}  // namespace strata::wal
