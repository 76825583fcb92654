// Native histograms against the real Prometheus 2.42 with
// --enable-feature=native-histograms: the same remote write 1.0 requests
// (integer and float histograms, several schemas, zero and negative
// buckets, a layout change, a counter reset, a gauge histogram, a series
// switching from floats to histograms, stale markers, refused bad ones)
// go to both; the status codes and every query of a histogram-focused set
// (raw selectors, histogram_count/sum/fraction/quantile, rate, increase,
// sum, avg, arithmetic), instant and range, must answer the same JSON.
// Last, kill -9 of strata-server during histogram ingest keeps every
// acknowledged sample.
#include <signal.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chunk/histogram_remote_write.h"
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

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kStep = 15 * 1000;
constexpr char kFeature[] = "--enable-feature=native-histograms";
constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

std::string Seconds(int64_t ms) { return strata::testing::MillisAsSeconds(ms); }

// One side's buckets: (index, count) in ascending index order.
using Buckets = std::vector<std::pair<int32_t, double>>;

// Lays `buckets` out as spans (a gap of more than two empty buckets
// starts a span), calling add(count) for each bucket in them, empty ones
// included.
template <typename Add>
std::vector<HistogramSpan> LayOut(const Buckets& buckets, Add add) {
  std::vector<HistogramSpan> spans;
  int32_t next = 0;
  for (const auto& [index, count] : buckets) {
    if (spans.empty() || index - next > 2) {
      spans.push_back({spans.empty() ? index : index - next, 0});
    } else {
      for (int32_t i = next; i < index; ++i) {
        add(0.0);
        ++spans.back().length;
      }
    }
    add(count);
    ++spans.back().length;
    next = index + 1;
  }
  return spans;
}

struct HistogramSpec {
  int64_t t = 0;
  int32_t schema = 0;
  double zero_threshold = 0.001;
  double zero_count = 0;
  double count = 0;  // Derived from the buckets when 0.
  double sum = 0;
  Buckets positive;
  Buckets negative;
  bool is_float = false;
  CounterResetHint hint = CounterResetHint::kUnknown;
};

// The fields both kinds share, and each side's spans and buckets
// (`bucket` turns an absolute count into the kind's stored form).
template <typename H, typename Bucket>
H Build(const HistogramSpec& spec, Bucket bucket) {
  H h;
  h.counter_reset_hint = spec.hint;
  h.schema = spec.schema;
  h.zero_threshold = spec.zero_threshold;
  h.sum = spec.sum;
  double count = spec.zero_count;
  for (const auto& b : spec.positive) count += b.second;
  for (const auto& b : spec.negative) count += b.second;
  h.count =
      static_cast<decltype(h.count)>(spec.count != 0 ? spec.count : count);
  h.zero_count = static_cast<decltype(h.zero_count)>(spec.zero_count);
  h.positive_spans = LayOut(spec.positive, bucket(&h.positive_buckets));
  h.negative_spans = LayOut(spec.negative, bucket(&h.negative_buckets));
  return h;
}

// Adds `spec` to `ts` as remote write 1.0 sends it (histogram_remote_write.h).
void Fill(const HistogramSpec& spec, prometheus::TimeSeries* ts) {
  if (spec.is_float) {
    const FloatHistogram h = Build<FloatHistogram>(
        spec, [](auto* out) { return [out](double c) { out->push_back(c); }; });
    chunk::testing::AddFloatHistogram(ts, spec.t, h);
    return;
  }
  const Histogram h = Build<Histogram>(spec, [](auto* out) {
    return [out, previous = int64_t{0}](double c) mutable {
      out->push_back(static_cast<int64_t>(c) - previous);
      previous = static_cast<int64_t>(c);
    };
  });
  chunk::testing::AddIntHistogram(ts, spec.t, h);
}

prometheus::TimeSeries* AddSeries(prometheus::WriteRequest* req,
                                  const LabelPairs& labels) {
  prometheus::TimeSeries* ts = req->add_timeseries();
  for (const auto& [n, v] : labels) {
    prometheus::Label* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  return ts;
}

prometheus::WriteRequest HistogramRequest(
    const LabelPairs& labels, const std::vector<HistogramSpec>& specs) {
  prometheus::WriteRequest req;
  prometheus::TimeSeries* ts = AddSeries(&req, labels);
  for (const HistogramSpec& spec : specs) Fill(spec, ts);
  return req;
}

prometheus::WriteRequest FloatRequest(
    const LabelPairs& labels,
    const std::vector<std::pair<int64_t, double>>& samples) {
  prometheus::WriteRequest req;
  prometheus::TimeSeries* ts = AddSeries(&req, labels);
  for (const auto& [t, v] : samples) {
    prometheus::Sample* s = ts->add_samples();
    s->set_timestamp(t);
    s->set_value(v);
  }
  return req;
}

double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }

const LabelPairs kLatencyA = {{"__name__", "nh_latency"}, {"job", "a"}};
const LabelPairs kLatencyB = {{"__name__", "nh_latency"}, {"job", "b"}};
const LabelPairs kGauge = {{"__name__", "nh_gauge"}, {"job", "a"}};
const LabelPairs kFloat = {{"__name__", "nh_float"}, {"job", "a"}};
const LabelPairs kMixed = {{"__name__", "nh_mixed"}, {"job", "a"}};

class NativeHistogramsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!strata::testing::HavePrometheus()) {
      STRATA_SKIP_OR_FAIL_IF_MISSING("prometheus");
    }
    base_ = (NowMillis() - 20 * kMinute) / 1000 * 1000;
  }

  void StartBoth() {
    const std::string config = "global:\n  scrape_interval: 15s\n";
    WriteFile(Path("config.yml"), config);
    prom_ = std::make_unique<strata::testing::PrometheusProcess>(
        Path("prometheus"), config, tmp_.path(),
        std::vector<std::string>{"--web.enable-remote-write-receiver",
                                 kFeature});
    prom_port_ = prom_->port();
    StartStrata();
    ASSERT_TRUE(prom_->WaitReady()) << ReadFileOrEmpty(Path("prometheus.log"));
  }

  void StartStrata() {
    strata_port_ = FreePort();
    strata_ =
        StartStrataServer(Path("strata"), strata_port_, Path("strata.log"),
                          {"--config.file=" + Path("config.yml"), kFeature});
    ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 60000)) << strata_->log();
  }

  std::string Path(const std::string& name) const {
    return (fs::path(tmp_.path()) / name).string();
  }

  void WriteBoth(const prometheus::WriteRequest& req, int want) {
    ExpectSameWriteStatus(prom_port_, strata_port_, req.SerializeAsString(),
                          want);
  }

  // An invalid histogram: Prometheus 2.42 answers 500, strata-server 400
  // (a retry cannot help); both with the same validation error.
  void WriteInvalid(const prometheus::WriteRequest& req) {
    const std::string raw = req.SerializeAsString();
    const http_client::Response p = RemoteWriteV1(prom_port_, raw);
    const http_client::Response s = RemoteWriteV1(strata_port_, raw);
    EXPECT_EQ(p.status, 500) << p.body;
    EXPECT_EQ(s.status, 400) << s.body;
    std::string error = p.body;
    while (!error.empty() && error.back() == '\n') error.pop_back();
    EXPECT_NE(s.body.find(error), std::string::npos)
        << "prometheus: " << p.body << "\nstrata: " << s.body;
  }

  Json ExpectSame(const std::string& path, const LabelPairs& params) {
    return ExpectSameAnswer(prom_port_, strata_port_, path, params);
  }

  // A counter histogram of schema 1 growing by a few observations per
  // step, new buckets appearing, a counter reset at step 12 and a schema
  // change to 0 at step 16.
  std::vector<HistogramSpec> LatencyA() const {
    std::vector<HistogramSpec> out;
    for (int i = 0; i <= 20; ++i) {
      HistogramSpec h;
      h.t = base_ + i * kStep;
      const int n = i < 12 ? i : i - 12;  // The reset.
      h.schema = i < 16 ? 1 : 0;
      h.zero_count = n;
      h.positive = {{-1, 1 + n}, {0, 2 * n}, {1, 3 * n}};
      if (n > 4) h.positive.push_back({6, n - 4});  // A new bucket, a gap.
      h.sum = 0.75 * n + 1.5 * n * n;
      out.push_back(h);
    }
    return out;
  }

  // Schema 0 with negative buckets, a wider zero bucket, then a float
  // stale marker.
  std::vector<HistogramSpec> LatencyB() const {
    std::vector<HistogramSpec> out;
    for (int i = 0; i <= 10; ++i) {
      HistogramSpec h;
      h.t = base_ + i * kStep + 3000;
      h.schema = 0;
      h.zero_threshold = 0.5;
      h.zero_count = 2 * i;
      h.positive = {{2, i}, {3, i + 1}};
      h.negative = {{0, i}, {4, 2 * i}};
      h.sum = -3.25 * i;
      out.push_back(h);
    }
    return out;
  }

  std::vector<HistogramSpec> Gauge() const {
    std::vector<HistogramSpec> out;
    for (int i = 0; i <= 12; ++i) {
      HistogramSpec h;
      h.t = base_ + i * kStep;
      h.schema = 2;
      h.hint = CounterResetHint::kGauge;
      const int n = i % 5;  // Goes up and down.
      h.positive = {{3, n}, {5, 4 - n}};
      h.sum = n * 1.5;
      out.push_back(h);
    }
    return out;
  }

  std::vector<HistogramSpec> Floats() const {
    std::vector<HistogramSpec> out;
    for (int i = 1; i <= 12; ++i) {
      HistogramSpec h;
      h.t = base_ + i * kStep;
      h.is_float = true;
      h.schema = 3;
      h.zero_count = 0.5 * i;
      h.positive = {{8, 1.25 * i}, {9, 0.5 * i}, {12, 2.0 * i}};
      h.sum = 7.5 * i;
      out.push_back(h);
    }
    return out;
  }

  void WriteStream() {
    const int64_t b = base_;
    WriteBoth(HistogramRequest(kLatencyA, LatencyA()), 204);
    WriteBoth(HistogramRequest(kLatencyB, LatencyB()), 204);
    WriteBoth(FloatRequest(kLatencyB, {{b + 11 * kStep + 3000, StaleNaN()}}),
              204);
    WriteBoth(HistogramRequest(kGauge, Gauge()), 204);
    WriteBoth(HistogramRequest(kFloat, Floats()), 204);
    std::vector<std::pair<int64_t, double>> floats;
    for (int i = 0; i < 6; ++i) floats.push_back({b + i * kStep, 10.0 * i});
    WriteBoth(FloatRequest(kMixed, floats), 204);
    std::vector<HistogramSpec> later;
    for (int i = 6; i <= 14; ++i) {
      HistogramSpec h;
      h.t = b + i * kStep;
      h.positive = {{1, i}};
      h.sum = i;
      later.push_back(h);
    }
    WriteBoth(HistogramRequest(kMixed, later), 204);
    // Refused by both: buckets holding more than the count, a negative
    // span offset after the first (Prometheus 2.42: 500, Strata 400, as
    // later Prometheus), an older histogram than the newest (400).
    HistogramSpec bad;
    bad.t = b + 30 * kStep;
    bad.positive = {{1, 5}};
    bad.count = 2;
    WriteInvalid(HistogramRequest(kGauge, {bad}));
    HistogramSpec two_spans;
    two_spans.t = b + 31 * kStep;
    two_spans.positive = {{1, 1}, {5, 1}};
    prometheus::WriteRequest negative_offset =
        HistogramRequest(kGauge, {two_spans});
    negative_offset.mutable_timeseries(0)
        ->mutable_histograms(0)
        ->mutable_positive_spans(1)
        ->set_offset(-2);
    WriteInvalid(negative_offset);
    HistogramSpec old;
    old.t = b;
    old.positive = {{1, 1}};
    WriteBoth(HistogramRequest(kLatencyA, {old}), 400);
  }

  void ExpectSameQueries() {
    const int64_t b = base_;
    for (const char* q : {
             "nh_latency",
             "nh_gauge",
             "nh_float",
             "nh_mixed",
             "histogram_count(nh_latency)",
             "histogram_sum(nh_latency)",
             "histogram_count(nh_float)",
             "histogram_fraction(0, 1.5, nh_latency)",
             "histogram_fraction(-4, 0, nh_latency)",
             "histogram_quantile(0.9, nh_latency)",
             "histogram_quantile(0.5, nh_float)",
             "histogram_quantile(0.99, rate(nh_latency[1m]))",
             "rate(nh_latency[1m])",
             "increase(nh_latency[2m])",
             "rate(nh_float[2m])",
             "rate(nh_mixed[2m])",
             "sum(nh_latency)",
             "sum by (job) (rate(nh_latency[1m]))",
             "avg(nh_latency)",
             "count(nh_latency)",
             "nh_latency * 2",
             "nh_latency / 4",
             "nh_float + nh_float",
             "histogram_count(nh_gauge)",
             "count_over_time(nh_latency[5m])",
             "nh_latency > 0",
         }) {
      for (int64_t at : {b + 5 * kStep, b + 11 * kStep + 5000, b + 13 * kStep,
                         b + 17 * kStep, b + 22 * kStep}) {
        ExpectSame("/api/v1/query", {{"query", q}, {"time", Seconds(at)}});
      }
      ExpectSame("/api/v1/query_range", {{"query", q},
                                         {"start", Seconds(b - kMinute)},
                                         {"end", Seconds(b + 8 * kMinute)},
                                         {"step", "15"}});
    }
    // Not a vacuous agreement: the raw samples are there.
    const Json raw =
        ExpectSame("/api/v1/query", {{"query", "nh_latency{job=\"a\"}[10m]"},
                                     {"time", Seconds(b + 6 * kMinute)}});
    ASSERT_EQ(raw["data"]["result"].size(), 1u) << raw.dump();
    EXPECT_EQ(raw["data"]["result"][0]["histograms"].size(), 21u) << raw.dump();
  }

  strata::testing::TempDir tmp_{"strata-nh-e2e"};
  int64_t base_ = 0;
  int prom_port_ = 0;
  int strata_port_ = 0;
  std::unique_ptr<strata::testing::PrometheusProcess> prom_;
  std::unique_ptr<Process> strata_;
};

TEST_F(NativeHistogramsTest, MatchesPrometheus) {
  ASSERT_NO_FATAL_FAILURE(StartBoth());
  WriteStream();
  ExpectSameQueries();
}

// A Prometheus 2.42 reading each by remote read: its client asks for
// SAMPLES, which stop at a series' first histogram (Prometheus's server
// does so, and Strata's must too), so what it sees of every series is the
// floats before its first histogram: the same through both.
TEST_F(NativeHistogramsTest, RemoteReadByPrometheusSeesTheSame) {
  ASSERT_NO_FATAL_FAILURE(StartBoth());
  WriteStream();
  RemoteReadReaders readers(prom_port_, strata_port_, tmp_.path(), {kFeature});
  ASSERT_TRUE(readers.WaitReady()) << readers.logs();
  const int64_t b = base_;
  for (const char* q : {"{__name__=~\"nh_.+\"}", "nh_mixed", "nh_latency",
                        "count_over_time({__name__=~\"nh_.+\"}[10m])",
                        "rate(nh_mixed[2m])", "histogram_count(nh_latency)"}) {
    for (int64_t at : {b + 3 * kStep, b + 5 * kStep, b + 9 * kStep}) {
      readers.ExpectSame("/api/v1/query",
                         {{"query", q}, {"time", Seconds(at)}});
    }
    readers.ExpectSame("/api/v1/query_range",
                       {{"query", q},
                        {"start", Seconds(b - kMinute)},
                        {"end", Seconds(b + 8 * kMinute)},
                        {"step", "15"}});
  }
  // Not vacuous: nh_mixed's six floats come through; nothing after them.
  const Json raw = readers.ExpectSame(
      "/api/v1/query",
      {{"query", "nh_mixed[10m]"}, {"time", Seconds(b + 14 * kStep)}});
  ASSERT_EQ(raw["data"]["result"].size(), 1u) << raw.dump();
  EXPECT_EQ(raw["data"]["result"][0]["values"].size(), 6u) << raw.dump();
  EXPECT_FALSE(raw["data"]["result"][0].contains("histograms")) << raw.dump();
}

// The same answers after strata-server restarts (WAL or snapshot replay of
// histogram records and chunks).
TEST_F(NativeHistogramsTest, MatchesPrometheusAfterRestart) {
  ASSERT_NO_FATAL_FAILURE(StartBoth());
  WriteStream();
  strata_->Signal(SIGKILL);
  ASSERT_EQ(strata_->Wait(10000), 128 + SIGKILL);
  ASSERT_NO_FATAL_FAILURE(StartStrata());
  ExpectSameQueries();
  strata_->Signal(SIGTERM);
  ASSERT_EQ(strata_->Wait(30000), 0);
  ASSERT_NO_FATAL_FAILURE(StartStrata());
  ExpectSameQueries();
}

// kill -9 while histograms stream in: every acknowledged sample is there
// after the restart.
TEST_F(NativeHistogramsTest, KillNineKeepsAcknowledgedHistograms) {
  WriteFile(Path("config.yml"), "global:\n  scrape_interval: 15s\n");
  ASSERT_NO_FATAL_FAILURE(StartStrata());
  const int64_t b = base_;
  const int acked = WriteUntilKilled(
      strata_.get(), strata_port_,
      [&](int r) {
        std::vector<HistogramSpec> specs;
        for (int i = 0; i < 5; ++i) {
          HistogramSpec h;
          h.t = b + r * 5 + i;
          h.positive = {{1, r * 5 + i}, {3, 1}};
          specs.push_back(h);
        }
        return HistogramRequest(kLatencyA, specs).SerializeAsString();
      },
      200);
  ASSERT_GT(acked, 0);
  ASSERT_NO_FATAL_FAILURE(StartStrata());
  const http_client::Response r =
      Http(strata_port_, "GET",
           strata::testing::ApiTarget(
               "/api/v1/query", {{"query", "count_over_time(nh_latency[1h])"},
                                 {"time", Seconds(b + 30 * kMinute)}}));
  ASSERT_EQ(r.status, 200) << r.body;
  const Json j = Json::parse(r.body, nullptr, false);
  ASSERT_EQ(j["data"]["result"].size(), 1u) << r.body;
  EXPECT_GE(std::stoi(j["data"]["result"][0]["value"][1].get<std::string>()),
            5 * acked)
      << "acknowledged requests: " << acked;
}

}  // namespace
}  // namespace strata::e2e
