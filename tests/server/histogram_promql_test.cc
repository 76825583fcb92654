// Differential test of PromQL over native histograms against a live
// Prometheus 2.42 (--enable-feature=native-histograms): the same samples
// are remote-written into Prometheus and loaded into the in-memory
// storage of tests/promql/memory_querier.h, then every query of a
// histogram-focused set (instant at several times and ranged) is answered
// by both, and Strata's query API JSON (server/api/query_json.h) must equal
// Prometheus's `data` exactly. The data: the histogram chunk tests' series
// (integer and float histograms, schemas -4..8, counter resets, gauges,
// zero and negative buckets, stale markers, huge counts), plus series
// that switch between floats and histograms, a float stale marker ending
// a histogram series, and classic buckets colliding with a native
// histogram in histogram_quantile.
//
// Instant vectors are compared as sets of elements when the bytes differ
// only in order (Prometheus hands a subquery's series, and
// histogram_quantile's classic groups, on in Go map order, which is
// random); everything else byte for byte.
#include <cmath>
#include <string>
#include <vector>

#include "chunk/histogram_remote_write.h"
#include "chunk/histogram_test_data.h"
#include "gtest/gtest.h"
#include "histogram_prometheus_fixture.h"
#include "http_client/http_client.h"
#include "nlohmann/json.hpp"
#include "promql/engine.h"
#include "promql/memory_querier.h"
#include "promql/parser.h"
#include "server/api/query_json.h"
#include "streamed_body.h"
#include "temp_dir.h"
#include "test_env.h"
#include "url_encode.h"

namespace strata::server {
namespace {

using chunk::testing::kHistogramStep;
using chunk::testing::kHistogramT0;
using promql::testing::MemoryStorage;

constexpr int64_t kMinute = 60 * 1000;
const double kStale = std::bit_cast<double>(kStaleNaNBits);

// One remote write request and the same samples in the memory storage.
class Writer {
 public:
  explicit Writer(MemoryStorage* store) : store_(store) {}

  prometheus::TimeSeries* Series(const Labels& l) {
    prometheus::TimeSeries* ts = req_.add_timeseries();
    for (const Label& x : l) {
      prometheus::Label* pl = ts->add_labels();
      pl->set_name(x.name);
      pl->set_value(x.value);
    }
    return ts;
  }
  // Floats first, then histograms: Prometheus appends a series' samples in
  // that order, so callers keep the histograms later in time.
  void Float(const Labels& l, int64_t t, double v) {
    prometheus::TimeSeries* ts = Series(l);
    prometheus::Sample* s = ts->add_samples();
    s->set_timestamp(t);
    s->set_value(v);
    store_->AddFloat(l, t, v);
  }
  void Int(const Labels& l, int64_t t, const Histogram& x) {
    chunk::testing::AddIntHistogram(Series(l), t, x);
    store_->AddHistogram(l, t, x);
  }
  void Float(const Labels& l, int64_t t, const FloatHistogram& x) {
    chunk::testing::AddFloatHistogram(Series(l), t, x);
    store_->AddFloatHistogram(l, t, x);
  }

  // Sends the request; the HTTP status.
  int Send(int port) {
    std::string body;
    const std::string raw = req_.SerializeAsString();
    snappy::Compress(raw.data(), raw.size(), &body);
    req_.Clear();
    StatusOr<http_client::Response> r =
        chunk::testing::RemoteWrite(port, std::move(body));
    if (!r.ok()) return -1;
    if (r->status != 204) ADD_FAILURE() << r->body;
    return r->status;
  }

 private:
  MemoryStorage* store_;
  prometheus::WriteRequest req_;
};

// Schema 0 (or `schema`), counts growing with `k`; a reset when k drops.
Histogram Counter(uint64_t k, int32_t schema = 0) {
  return chunk::testing::MakeHistogram(
      schema, chunk::testing::kDefaultZeroThreshold, k, {{-1, 2}, {2, 2}},
      {k, 2 * k, k + 1, 3}, {{0, 1}}, {k / 2}, 1.5 * static_cast<double>(k));
}

// A float histogram with negative buckets, a wide zero bucket, schema 3.
FloatHistogram Wide(double k) {
  FloatHistogram h;
  h.schema = 3;
  h.zero_threshold = 0.01;
  h.zero_count = k * 0.5;
  h.positive_spans = {{-4, 3}, {5, 2}};
  h.positive_buckets = {k, 0.25 * k, 1, k * 1.5, 2};
  h.negative_spans = {{2, 2}};
  h.negative_buckets = {k * 0.75, 3};
  h.count = h.zero_count + 3 * k + 3 + 0.75 * k + 3;
  h.sum = -7.25 * k;
  return h;
}

Labels L(std::initializer_list<std::pair<std::string, std::string>> l) {
  std::vector<Label> v;
  for (const auto& [k, x] : l) v.push_back({k, x});
  return *Labels::FromPairs(std::move(v));
}

// Loads every series into Prometheus (on `port`) and `store`.
void LoadData(int port, MemoryStorage* store) {
  const auto t_of = [](int i) { return kHistogramT0 + i * kHistogramStep; };
  const Labels float_then_hist =
      L({{"__name__", "nh_mixed"}, {"case", "float_then_hist"}});
  const Labels hist_then_float =
      L({{"__name__", "nh_mixed"}, {"case", "hist_then_float"}});
  const Labels stale = L({{"__name__", "nh_stale"}});
  const Labels native = L({{"__name__", "nh_conflict"}, {"job", "a"}});
  const Labels native_b = L({{"__name__", "nh_conflict"}, {"job", "b"}});
  Writer w(store);
  for (int i = 0; i < 40; ++i) w.Float(float_then_hist, t_of(i), 10.0 * i);
  for (int i = 40; i < 80; ++i) {
    w.Int(float_then_hist, t_of(i), Counter(static_cast<uint64_t>(i)));
  }
  for (int i = 0; i < 40; ++i) {
    w.Int(hist_then_float, t_of(i), Counter(static_cast<uint64_t>(i % 25), 2));
  }
  for (int i = 0; i < 20; ++i) w.Int(stale, t_of(i), Counter(i + 1, -1));
  for (int i = 0; i < 80; ++i) {
    w.Float(L({{"__name__", "nh_wide"}}), t_of(i), Wide(1 + (i % 30)));
  }
  // Classic buckets with the labels of a native histogram (job="a"), and
  // a classic histogram alone (job="c").
  for (int i = 0; i < 80; ++i) {
    for (const char* job : {"a", "c"}) {
      w.Float(L({{"__name__", "nh_conflict"}, {"job", job}, {"le", "1"}}),
              t_of(i), i);
      w.Float(L({{"__name__", "nh_conflict"}, {"job", job}, {"le", "+Inf"}}),
              t_of(i), 3 * i);
    }
    w.Int(native, t_of(i), Counter(static_cast<uint64_t>(i)));
    w.Int(native_b, t_of(i), Counter(static_cast<uint64_t>(i), 1));
  }
  ASSERT_EQ(w.Send(port), 204);
  // Later: floats after histograms, and a float stale marker ending a
  // histogram series.
  for (int i = 40; i < 80; ++i) w.Float(hist_then_float, t_of(i), 5.0 * i);
  w.Float(stale, t_of(20), kStale);
  ASSERT_EQ(w.Send(port), 204);
  for (int i = 40; i < 60; ++i) w.Int(stale, t_of(i), Counter(i, -1));
  ASSERT_EQ(w.Send(port), 204);
  // The chunk tests' series, last: their closing samples 2h on move
  // Prometheus's head past the times of the others.
  {
    Writer w(store);
    for (const auto& s : chunk::testing::HistogramTestSeries()) {
      const Labels l =
          L({{"__name__", "golden_histogram"}, {"series", s.name}});
      for (const auto& x : s.samples) w.Int(l, x.t, x.h);
    }
    for (const auto& s : chunk::testing::FloatHistogramTestSeries()) {
      const Labels l =
          L({{"__name__", "golden_histogram"}, {"series", s.name}});
      for (const auto& x : s.samples) w.Float(l, x.t, x.h);
    }
    ASSERT_EQ(w.Send(port), 204);
  }
}

// Prometheus's answer's `data`, or the error.
std::string PrometheusData(int port, const std::string& target) {
  StatusOr<http_client::Response> r = http_client::Get(port, target);
  if (!r.ok()) return "fetch failed: " + r.status().ToString();
  const std::string prefix = R"({"status":"success","data":)";
  if (r->status != 200 || r->body.rfind(prefix, 0) != 0) {
    return "error " + std::to_string(r->status) + ": " + r->body;
  }
  return r->body.substr(prefix.size(), r->body.size() - prefix.size() - 1);
}

std::string StrataData(const promql::Engine& engine, const MemoryStorage& store,
                       const std::string& query, int64_t start, int64_t end,
                       int64_t step, bool range) {
  StatusOr<promql::ExprPtr> e = promql::ParseExpr(query);
  if (!e.ok()) return "error: " + e.status().ToString();
  StatusOr<promql::Result> r =
      range ? engine.RangeExpr(store.Queriers(), **e, start, end, step)
            : engine.InstantExpr(store.Queriers(), **e, start);
  if (!r.ok()) return "error: " + r.status().ToString();
  StringWriter w;
  StreamBuffer out(&w);
  if (!WriteQueryData(*r, &out).ok() || !out.Finish().ok()) return "io";
  return w.body;
}

// The same data with an instant vector's elements in a canonical order.
std::string Canonical(const std::string& data) {
  nlohmann::json j = nlohmann::json::parse(data, nullptr, false);
  if (j.is_discarded()) return data;
  if (j["resultType"] == "vector") {
    auto& r = j["result"];
    std::sort(r.begin(), r.end(),
              [](const auto& a, const auto& b) { return a.dump() < b.dump(); });
  }
  return j.dump();
}

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000);
  return buf;
}

const std::vector<std::string>& Queries() {
  static const std::vector<std::string> q = {
      // Selectors, @, offset, staleness, raw ranges.
      "golden_histogram",
      "golden_histogram offset 2m",
      "golden_histogram @ 1700006520",
      "nh_mixed",
      "nh_stale",
      "nh_wide",
      "golden_histogram[2m]",
      "nh_mixed[5m]",
      "nh_stale[3m]",
      "nh_wide[1m] offset 1m",
      // Histogram functions.
      "histogram_count(golden_histogram)",
      "histogram_sum(golden_histogram)",
      "histogram_sum(nh_mixed)",
      "histogram_fraction(0, 1, golden_histogram)",
      "histogram_fraction(-1, 10, nh_wide)",
      "histogram_fraction(-100, 0, golden_histogram)",
      "histogram_fraction(0.5, 0.25, nh_wide)",
      "histogram_quantile(0.5, golden_histogram)",
      "histogram_quantile(0.9, golden_histogram)",
      "histogram_quantile(0.99, nh_wide)",
      "histogram_quantile(0.1, nh_wide)",
      "histogram_quantile(1, golden_histogram)",
      "histogram_quantile(-1, nh_wide)",
      "histogram_quantile(2, nh_wide)",
      "histogram_quantile(0.5, nh_conflict)",
      "histogram_quantile(0.5, rate(nh_conflict[2m]))",
      "histogram_quantile(0.5, sum by (job, le) (rate(nh_conflict[2m])))",
      // rate, increase, delta.
      "rate(golden_histogram[1m])",
      "rate(golden_histogram[5m])",
      "increase(golden_histogram[3m])",
      "delta(golden_histogram[2m])",
      "rate(nh_mixed[3m])",
      "increase(nh_stale[2m])",
      "rate(nh_wide[2m])",
      "histogram_count(rate(golden_histogram[2m]))",
      "histogram_sum(increase(golden_histogram[5m]))",
      "histogram_quantile(0.9, rate(golden_histogram[5m]))",
      "histogram_fraction(0, 4, rate(golden_histogram[2m]))",
      "rate(golden_histogram[5m:1m])",
      "histogram_count(rate(nh_wide[3m:30s]))",
      "max_over_time(histogram_count(golden_histogram)[5m:1m])",
      "rate(golden_histogram[2m] offset 1m)",
      "rate(golden_histogram[2m] @ 1700006580)",
      // Aggregations.
      "sum(golden_histogram)",
      "sum by (series) (golden_histogram)",
      "sum(rate(golden_histogram[2m]))",
      "sum without (case) (nh_mixed)",
      "sum(nh_wide) + ignoring(__name__) sum(nh_wide)",
      "avg(golden_histogram)",
      "count(golden_histogram)",
      "min(golden_histogram)",
      "max(nh_mixed)",
      "topk(2, golden_histogram)",
      "bottomk(1, nh_mixed)",
      "quantile(0.5, golden_histogram)",
      "stddev(nh_mixed)",
      "count_values(\"v\", nh_mixed)",
      "group(golden_histogram)",
      // Operators.
      "golden_histogram + golden_histogram",
      "golden_histogram - golden_histogram",
      "golden_histogram * golden_histogram",
      "golden_histogram == golden_histogram",
      "golden_histogram != bool golden_histogram",
      "golden_histogram * 2",
      "2 * golden_histogram",
      "golden_histogram / 4",
      "golden_histogram > 0",
      "golden_histogram < 1",
      "golden_histogram >= bool 0",
      "-golden_histogram",
      "nh_mixed + ignoring(case) group_left nh_wide",
      "nh_wide + ignoring(__name__) nh_stale",
      "golden_histogram and golden_histogram",
      "nh_mixed or nh_wide",
      "golden_histogram unless nh_wide",
      // Functions of floats.
      "abs(golden_histogram)",
      "sort(nh_mixed)",
      "sort_desc(golden_histogram)",
      "timestamp(golden_histogram)",
      "label_replace(nh_wide, \"x\", \"y\", \"\", \"\")",
      "last_over_time(golden_histogram[2m])",
      "count_over_time(nh_mixed[5m])",
      "sum_over_time(nh_mixed[5m])",
      "changes(nh_mixed[5m])",
      "resets(golden_histogram[5m])",
      "irate(nh_mixed[2m])",
      "deriv(nh_wide[2m])",
      "clamp(nh_mixed, 0, 10)",
      "scalar(nh_wide)",
      "vector(1) + nh_wide",
      "absent(nh_wide)",
      "present_over_time(nh_stale[1m])",
      // More mixes and modifiers.
      "golden_histogram @ start()",
      "rate(golden_histogram[2m] @ end())",
      "histogram_count(nh_mixed)",
      "increase(nh_mixed[10m])",
      "sum(nh_conflict)",
      "sum by (job) (nh_conflict)",
      "avg(nh_wide)",
      "nh_wide / nh_wide",
      "sum_over_time(golden_histogram[1m])",
      "quantile_over_time(0.5, nh_mixed[5m])",
      "count_over_time(golden_histogram[5m:1m])",
      "histogram_quantile(0.5, {__name__=~\"nh_conflict|golden_histogram\"})",
      "nh_stale offset 5m",
      "histogram_sum(sum(rate(nh_conflict[5m])))",
  };
  return q;
}

// A range query's parameters.
struct Window {
  int64_t start, end, step;
};

using HistogramPromqlDifferentialTest = testing::HistogramPrometheusFixture;

TEST_F(HistogramPromqlDifferentialTest, SameJsonAsPrometheus) {
  MemoryStorage store;
  ASSERT_NO_FATAL_FAILURE(LoadData(prom_->port(), &store));
  store.StoreAsPrometheus();

  promql::Engine engine;
  const std::vector<int64_t> instants = {kHistogramT0 + kMinute,
                                         kHistogramT0 + 150 * 1000,
                                         kHistogramT0 + 3 * kMinute + 7,
                                         kHistogramT0 + 5 * kMinute,
                                         kHistogramT0 + 6 * kMinute + 30 * 1000,
                                         kHistogramT0 + 10 * kMinute,
                                         kHistogramT0 + 16 * kMinute,
                                         kHistogramT0 + 25 * kMinute};
  const std::vector<Window> ranges = {
      {kHistogramT0, kHistogramT0 + 21 * kMinute, 30 * 1000},
      {kHistogramT0 + 7, kHistogramT0 + 52 * kMinute, 2 * kMinute}};
  int same = 0, same_unordered = 0, compared = 0;
  std::vector<std::string> differing;
  const auto compare = [&](const std::string& what, const std::string& want,
                           const std::string& got) {
    ++compared;
    if (want == got) {
      ++same;
      return;
    }
    if (want.rfind("error", 0) != 0 && Canonical(want) == Canonical(got)) {
      ++same_unordered;
      std::printf("same up to vector order: %s\n", what.c_str());
      return;
    }
    differing.push_back(what);
    size_t i = 0;
    while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
    const size_t from = i < 400 ? 0 : i - 400;
    ADD_FAILURE() << what << "\nfirst difference at byte " << i
                  << "\nprometheus: ..." << want.substr(from, 700)
                  << "\nstrata:     ..." << got.substr(from, 700);
  };
  for (const std::string& q : Queries()) {
    for (int64_t t : instants) {
      compare(q + " @ " + Seconds(t),
              PrometheusData(prom_->port(), "/api/v1/query?query=" +
                                                strata::testing::UrlEncode(q) +
                                                "&time=" + Seconds(t)),
              StrataData(engine, store, q, t, t, 0, false));
    }
    const bool is_range_vector = q.find("[") != std::string::npos &&
                                 q.back() != ')' &&
                                 q.find('(') == std::string::npos;
    if (is_range_vector) continue;  // A range query needs an instant type.
    for (const Window& w : ranges) {
      compare(q + " range " + Seconds(w.start) + ".." + Seconds(w.end),
              PrometheusData(
                  prom_->port(),
                  "/api/v1/query_range?query=" + strata::testing::UrlEncode(q) +
                      "&start=" + Seconds(w.start) + "&end=" + Seconds(w.end) +
                      "&step=" + Seconds(w.step)),
              StrataData(engine, store, q, w.start, w.end, w.step, true));
    }
  }
  std::printf(
      "compared %d answers: %d byte-identical, %d identical up to "
      "vector order, %zu differing\n",
      compared, same, same_unordered, differing.size());
  EXPECT_GT(compared, 500);
  prom_->Stop();
}

}  // namespace
}  // namespace strata::server
