// PromQL over native histograms, as Prometheus 2.42 evaluates them, on the
// in-memory storage of memory_querier.h (the engine's QuerierFactory
// seam): selectors, lookback and staleness, the histogram functions,
// rate/increase/delta with counter resets, sum/avg/topk, binary
// operators, and the memory budget. The same behaviour is compared with a
// live Prometheus in tests/server/histogram_promql_test.cc.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "promql/engine.h"
#include "promql/histogram_math.h"
#include "promql/memory_querier.h"
#include "promql/parser.h"

namespace strata::promql {
namespace {

using testing::MemoryStorage;

constexpr int64_t kS = 1000;

// Schema 0, no zero bucket: buckets (0.5,1] (1,2] (2,4] holding a, b, c.
FloatHistogram Hist(double a, double b, double c, double sum) {
  FloatHistogram h;
  h.schema = 0;
  h.count = a + b + c;
  h.sum = sum;
  h.positive_spans = {{0, 3}};
  h.positive_buckets = {a, b, c};
  return h;
}

Labels L(const std::string& name, const std::string& k = "",
         const std::string& v = "") {
  if (k.empty()) return Labels::Of({{"__name__", name}});
  return Labels::Of({{"__name__", name}, {k, v}});
}

class HistogramPromqlTest : public ::testing::Test {
 protected:
  Result Instant(const std::string& q, int64_t t) {
    StatusOr<ExprPtr> e = ParseExpr(q);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    StatusOr<Result> r = engine_.InstantExpr(store_.Queriers(), **e, t);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    return r.ok() ? *std::move(r) : Result();
  }
  Result Range(const std::string& q, int64_t s, int64_t e, int64_t step) {
    StatusOr<ExprPtr> x = ParseExpr(q);
    EXPECT_TRUE(x.ok()) << x.status().ToString();
    StatusOr<Result> r = engine_.RangeExpr(store_.Queriers(), **x, s, e, step);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    return r.ok() ? *std::move(r) : Result();
  }

  MemoryStorage store_;
  Engine engine_;
};

TEST_F(HistogramPromqlTest, SelectorLookbackAndStaleness) {
  store_.AddFloatHistogram(L("h"), 10 * kS, Hist(1, 2, 3, 10));
  store_.AddFloatHistogram(L("h"), 20 * kS, Hist(2, 2, 3, 12));
  store_.AddFloat(L("h"), 30 * kS, StaleNaN());
  Result r = Instant("h", 25 * kS);
  ASSERT_EQ(r.vector.size(), 1u);
  ASSERT_NE(r.vector[0].h, nullptr);
  EXPECT_EQ(r.vector[0].h->count, 7);
  EXPECT_EQ(r.vector[0].v, 0);
  // A float stale marker ends the histogram series.
  EXPECT_TRUE(Instant("h", 31 * kS).vector.empty());
  // Past the lookback: nothing.
  store_.AddFloatHistogram(L("g"), 10 * kS, Hist(1, 1, 1, 1));
  EXPECT_TRUE(Instant("g", 10 * kS + 5 * 60 * kS + 1).vector.empty());
  // offset and @ move the histogram selection too.
  Result o = Instant("h offset 10s", 25 * kS);
  ASSERT_EQ(o.vector.size(), 1u);
  EXPECT_EQ(o.vector[0].h->count, 6);
  Result a = Instant("h @ 15", 100 * kS);
  ASSERT_EQ(a.vector.size(), 1u);
  EXPECT_EQ(a.vector[0].h->count, 6);
  // A range selector returns the raw histograms, the stale marker skipped.
  Result m = Instant("h[1m]", 40 * kS);
  ASSERT_EQ(m.matrix.size(), 1u);
  ASSERT_EQ(m.matrix[0].points.size(), 2u);
  EXPECT_EQ(m.matrix[0].H(1)->sum, 12);
}

TEST_F(HistogramPromqlTest, HistogramFunctions) {
  store_.AddFloatHistogram(L("h", "job", "a"), 10 * kS, Hist(1, 2, 1, 7));
  store_.AddFloat(L("f"), 10 * kS, 5);
  Result c = Instant("histogram_count(h)", 10 * kS);
  ASSERT_EQ(c.vector.size(), 1u);
  EXPECT_EQ(c.vector[0].v, 4);
  EXPECT_EQ(c.vector[0].h, nullptr);
  EXPECT_EQ(c.vector[0].metric, Labels::Of({{"job", "a"}}));
  EXPECT_EQ(Instant("histogram_sum(h)", 10 * kS).vector[0].v, 7);
  // Floats are skipped.
  EXPECT_TRUE(Instant("histogram_count(f)", 10 * kS).vector.empty());
  // (1,2] holds 2 of 4 observations.
  EXPECT_EQ(Instant("histogram_fraction(1, 2, h)", 10 * kS).vector[0].v, 0.5);
  // Rank 2 of 4 is half way into (1,2], interpolated linearly.
  EXPECT_EQ(Instant("histogram_quantile(0.5, h)", 10 * kS).vector[0].v, 1.5);
  EXPECT_EQ(Instant("histogram_quantile(0.75, h)", 10 * kS).vector[0].v, 2);
  EXPECT_EQ(Instant("histogram_quantile(1, h)", 10 * kS).vector[0].v, 4);
}

TEST_F(HistogramPromqlTest, RateWithCounterReset) {
  // 0s..60s every 15s, a reset at 45s.
  store_.AddFloatHistogram(L("h"), 0, Hist(1, 1, 1, 3));
  store_.AddFloatHistogram(L("h"), 15 * kS, Hist(2, 2, 2, 6));
  store_.AddFloatHistogram(L("h"), 30 * kS, Hist(3, 3, 3, 9));
  store_.AddFloatHistogram(L("h"), 45 * kS, Hist(1, 0, 0, 1));
  store_.AddFloatHistogram(L("h"), 60 * kS, Hist(2, 1, 0, 3));
  Result r = Instant("increase(h[1m])", 60 * kS);
  ASSERT_EQ(r.vector.size(), 1u);
  const FloatHistogram* h = r.vector[0].h;
  ASSERT_NE(h, nullptr);
  // Increase 2-1 + 3 = 4, 1-1 + 3 = 3, 0-1 + 3 = 2 over 45s of samples in
  // a 60s window starting at the first sample: extrapolated by 60/60.
  EXPECT_EQ(h->positive_buckets, (std::vector<double>{4, 3, 2}));
  EXPECT_EQ(h->count, 9);
  EXPECT_EQ(h->sum, 9);  // 3 - 3 + 9 before the reset.
  Result rate = Instant("rate(h[1m])", 60 * kS);
  EXPECT_DOUBLE_EQ(rate.vector[0].h->count, 9.0 / 60);
  // delta ignores resets: last - first.
  Result d = Instant("delta(h[1m])", 60 * kS);
  EXPECT_EQ(d.vector[0].h->count, 0);
  // A window mixing floats and histograms gives nothing.
  store_.AddFloatHistogram(L("m"), 0, Hist(1, 1, 1, 3));
  store_.AddFloat(L("m"), 15 * kS, 4);
  EXPECT_TRUE(Instant("rate(m[1m])", 30 * kS).vector.empty());
  // Functions of floats see a histogram's value 0.
  Result n = Instant("count_over_time(h[1m])", 60 * kS);
  EXPECT_EQ(n.vector[0].v, 5);
  EXPECT_EQ(n.vector[0].h, nullptr);
  EXPECT_EQ(Instant("max_over_time(h[1m])", 60 * kS).vector[0].v, 0);
}

TEST_F(HistogramPromqlTest, Aggregations) {
  store_.AddFloatHistogram(L("h", "i", "1"), 10 * kS, Hist(1, 2, 3, 10));
  store_.AddFloatHistogram(L("h", "i", "2"), 10 * kS, Hist(1, 0, 0, 1));
  store_.AddFloat(L("h", "i", "3"), 10 * kS, 7);
  Result s = Instant("sum(h{i!=\"3\"})", 10 * kS);
  ASSERT_EQ(s.vector.size(), 1u);
  ASSERT_NE(s.vector[0].h, nullptr);
  EXPECT_EQ(s.vector[0].h->positive_buckets, (std::vector<double>{2, 2, 3}));
  // Floats and histograms in one group: no result.
  EXPECT_TRUE(Instant("sum(h)", 10 * kS).vector.empty());
  // Everything else sees a histogram as 0 (2.42), with no histogram out.
  Result avg = Instant("avg(h)", 10 * kS);
  ASSERT_EQ(avg.vector.size(), 1u);
  EXPECT_EQ(avg.vector[0].v, 7.0 / 3);
  EXPECT_EQ(avg.vector[0].h, nullptr);
  EXPECT_EQ(Instant("count(h)", 10 * kS).vector[0].v, 3);
  EXPECT_EQ(Instant("min(h)", 10 * kS).vector[0].v, 0);
  Result top = Instant("topk(1, h{i!=\"3\"})", 10 * kS);
  ASSERT_EQ(top.vector.size(), 1u);
  EXPECT_EQ(top.vector[0].h, nullptr);
}

TEST_F(HistogramPromqlTest, BinaryOperators) {
  store_.AddFloatHistogram(L("a"), 10 * kS, Hist(1, 2, 3, 10));
  store_.AddFloatHistogram(L("b"), 10 * kS, Hist(1, 0, 0, 1));
  store_.AddFloat(L("f"), 10 * kS, 7);
  Result sum = Instant("a + ignoring(__name__) b", 10 * kS);
  ASSERT_EQ(sum.vector.size(), 1u);
  ASSERT_NE(sum.vector[0].h, nullptr);
  EXPECT_EQ(sum.vector[0].h->count, 7);
  // Any other operator between histograms sees 0 and 0: a float.
  Result diff = Instant("a - ignoring(__name__) b", 10 * kS);
  ASSERT_EQ(diff.vector.size(), 1u);
  EXPECT_EQ(diff.vector[0].h, nullptr);
  EXPECT_EQ(diff.vector[0].v, 0);
  // A histogram with a float: nothing.
  EXPECT_TRUE(Instant("a + ignoring(__name__) f", 10 * kS).vector.empty());
  // With a scalar, 2.42 keeps the histogram as it is.
  Result times = Instant("a * 2", 10 * kS);
  ASSERT_EQ(times.vector.size(), 1u);
  ASSERT_NE(times.vector[0].h, nullptr);
  EXPECT_EQ(times.vector[0].h->count, 6);
  EXPECT_TRUE(Instant("a > 1", 10 * kS).vector.empty());
  // Set operators pass histograms through.
  Result o = Instant("a and f", 10 * kS);
  ASSERT_EQ(o.vector.size(), 1u);
  EXPECT_NE(o.vector[0].h, nullptr);
}

TEST_F(HistogramPromqlTest, RangeQueryAndSubquery) {
  for (int i = 0; i <= 8; ++i) {
    store_.AddFloatHistogram(L("h"), i * 15 * kS, Hist(i, i, i, 3 * i));
  }
  Result r = Range("histogram_count(rate(h[1m]))", 60 * kS, 120 * kS, 30 * kS);
  ASSERT_EQ(r.matrix.size(), 1u);
  ASSERT_EQ(r.matrix[0].points.size(), 3u);
  EXPECT_DOUBLE_EQ(r.matrix[0].points[0].v, 0.2);
  Result m = Range("h", 0, 60 * kS, 30 * kS);
  ASSERT_EQ(m.matrix[0].points.size(), 3u);
  EXPECT_EQ(m.matrix[0].H(2)->count, 12);
  Result sq = Instant("histogram_count(rate(h[1m:15s]))", 120 * kS);
  ASSERT_EQ(sq.vector.size(), 1u);
  EXPECT_DOUBLE_EQ(sq.vector[0].v, 0.2);
}

TEST(HistogramPromqlBudgetTest, HistogramBytesCount) {
  MemoryStorage store;
  FloatHistogram big;
  big.count = 1000;
  big.positive_spans = {{0, 1000}};
  big.positive_buckets.assign(1000, 1);
  for (int i = 0; i < 100; ++i) {
    store.AddFloatHistogram(L("h", "i", std::to_string(i)), 0, big);
  }
  EngineOptions o;
  o.max_memory_bytes = 200000;  // Far below 100 x 8 kB of buckets.
  Engine engine(o);
  StatusOr<ExprPtr> e = ParseExpr("h");
  ASSERT_TRUE(e.ok());
  StatusOr<Result> r = engine.InstantExpr(store.Queriers(), **e, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  o.max_memory_bytes = 0;
  StatusOr<Result> ok = Engine(o).InstantExpr(store.Queriers(), **e, 0);
  ASSERT_TRUE(ok.ok());
  EXPECT_GT(ok->stats.peak_bytes, 100 * 8000);
}

TEST(HistogramMathTest, AddAcrossSchemasAndZeroThresholds) {
  // Schema 1 buckets 1 and 2 ((1,1.41], (1.41,2]) merge into schema 0's
  // bucket 1, (1,2].
  FloatHistogram fine;
  fine.schema = 1;
  fine.count = 5;
  fine.positive_spans = {{1, 2}};
  fine.positive_buckets = {2, 3};
  FloatHistogram coarse = Hist(1, 0, 0, 0);
  FloatHistogram s = HistogramSum(coarse, fine);
  EXPECT_EQ(s.schema, 0);
  EXPECT_EQ(s.positive_spans, (std::vector<HistogramSpan>{{0, 3}}));
  EXPECT_EQ(s.positive_buckets, (std::vector<double>{1, 5, 0}));
  HistogramCompact(&s);
  EXPECT_EQ(s.positive_spans, (std::vector<HistogramSpan>{{0, 2}}));
  EXPECT_EQ(s.positive_buckets, (std::vector<double>{1, 5}));
  // A larger zero threshold swallows the buckets below it.
  FloatHistogram z = Hist(1, 1, 1, 0);
  FloatHistogram wide;
  wide.zero_threshold = 1;
  wide.zero_count = 4;
  wide.count = 4;
  HistogramAdd(&z, wide);
  EXPECT_EQ(z.zero_threshold, 1);
  EXPECT_EQ(z.zero_count, 5);
  EXPECT_EQ(z.positive_buckets, (std::vector<double>{1, 1}));
  EXPECT_TRUE(HistogramDetectReset(Hist(1, 1, 0, 0), Hist(1, 1, 1, 0)));
  EXPECT_FALSE(HistogramDetectReset(Hist(1, 1, 1, 0), Hist(1, 1, 1, 0)));
}

// Bucket index -> count of one side.
std::map<int32_t, double> BucketMap(const std::vector<HistogramSpan>& spans,
                                    const std::vector<double>& buckets) {
  std::map<int32_t, double> out;
  int32_t index = 0;
  size_t b = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    index += spans[i].offset;
    for (uint32_t j = 0; j < spans[i].length; ++j) out[index++] += buckets[b++];
  }
  return out;
}

// Random layouts of one schema and zero threshold: Add and Sub must give
// every bucket the sum (difference) of the two, with consistent spans, and
// Compact must keep exactly the non-empty buckets.
TEST(HistogramMathTest, RandomLayoutsAddAndSubBucketByBucket) {
  std::mt19937 rng(42);
  auto random_side = [&](std::vector<HistogramSpan>* spans,
                         std::vector<double>* buckets) {
    const int n = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      const int32_t offset = static_cast<int32_t>(rng() % 4) - (i == 0 ? 2 : 0);
      const uint32_t length = rng() % 4;
      spans->push_back({offset, length});
      for (uint32_t j = 0; j < length; ++j) {
        buckets->push_back(static_cast<double>(rng() % 3));
      }
    }
  };
  for (int round = 0; round < 2000; ++round) {
    FloatHistogram a, b;
    random_side(&a.positive_spans, &a.positive_buckets);
    random_side(&a.negative_spans, &a.negative_buckets);
    random_side(&b.positive_spans, &b.positive_buckets);
    random_side(&b.negative_spans, &b.negative_buckets);
    for (const bool sub : {false, true}) {
      FloatHistogram r = a;
      if (sub) {
        HistogramSub(&r, b);
      } else {
        HistogramAdd(&r, b);
      }
      for (const bool positive : {true, false}) {
        auto want =
            BucketMap(positive ? a.positive_spans : a.negative_spans,
                      positive ? a.positive_buckets : a.negative_buckets);
        for (auto [i, c] :
             BucketMap(positive ? b.positive_spans : b.negative_spans,
                       positive ? b.positive_buckets : b.negative_buckets)) {
          want[i] += sub ? -c : c;
        }
        const auto& spans = positive ? r.positive_spans : r.negative_spans;
        const auto& buckets =
            positive ? r.positive_buckets : r.negative_buckets;
        uint32_t total = 0;
        for (const HistogramSpan& sp : spans) total += sp.length;
        ASSERT_EQ(total, buckets.size()) << round;
        auto got = BucketMap(spans, buckets);
        std::erase_if(got, [](const auto& kv) { return kv.second == 0; });
        std::erase_if(want, [](const auto& kv) { return kv.second == 0; });
        EXPECT_EQ(got, want) << round << (sub ? " sub" : " add");
        FloatHistogram compacted = r;
        HistogramCompact(&compacted);
        const auto& cb =
            positive ? compacted.positive_buckets : compacted.negative_buckets;
        EXPECT_EQ(BucketMap(positive ? compacted.positive_spans
                                     : compacted.negative_spans,
                            cb),
                  want)
            << round;
        EXPECT_TRUE(std::none_of(cb.begin(), cb.end(),
                                 [](double c) { return c == 0; }));
      }
    }
  }
}

double Population(const FloatHistogram& h) {
  double n = h.zero_count;
  for (double c : h.positive_buckets) n += c;
  for (double c : h.negative_buckets) n += c;
  return n;
}

// Random schemas and zero thresholds: Add keeps every observation (the
// zero bucket takes what falls under a wider threshold), CopyToSchema
// keeps them too, Sub undoes Add's count, and nothing crashes on odd
// layouts (spans of length 0, adjacent spans).
TEST(HistogramMathTest, RandomSchemasKeepTheirObservations) {
  std::mt19937 rng(7);
  auto random = [&](int32_t schema) {
    FloatHistogram h;
    h.schema = schema;
    h.zero_threshold = std::vector<double>{0, 0.5, 1}[rng() % 3];
    h.zero_count = rng() % 3;
    for (auto* side : {&h.positive_spans, &h.negative_spans}) {
      auto* buckets =
          side == &h.positive_spans ? &h.positive_buckets : &h.negative_buckets;
      const int n = static_cast<int>(rng() % 4);
      for (int i = 0; i < n; ++i) {
        const uint32_t length = rng() % 4;
        // Buckets from index 1 on: none inside a zero bucket of at most 1
        // (2.42's Add skips those of the added histogram).
        side->push_back(
            {static_cast<int32_t>(rng() % 4) + (i == 0 ? 1 : 0), length});
        for (uint32_t j = 0; j < length; ++j) buckets->push_back(rng() % 3);
      }
    }
    h.count = Population(h);
    return h;
  };
  for (int round = 0; round < 3000; ++round) {
    const int32_t sa = static_cast<int32_t>(rng() % 4) - 1;
    const int32_t sb = sa + static_cast<int32_t>(rng() % 3);
    const FloatHistogram a = random(sa), b = random(sb);
    FloatHistogram sum = a;
    HistogramAdd(&sum, b);
    EXPECT_EQ(Population(sum), Population(a) + Population(b)) << round;
    EXPECT_EQ(sum.count, a.count + b.count);
    EXPECT_EQ(sum.schema, sa);
    EXPECT_EQ(Population(HistogramCopyToSchema(b, sa)), Population(b));
    FloatHistogram diff = sum;
    HistogramSub(&diff, b);
    HistogramCompact(&diff);
    EXPECT_EQ(diff.count, a.count);
    (void)HistogramDetectReset(b, a);
    (void)HistogramDetectReset(a, b);
    (void)HistogramQuantile(0.5, sum);
    (void)HistogramFraction(-1, 1, sum);
  }
}

}  // namespace
}  // namespace strata::promql
