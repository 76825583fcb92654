// chunk::HistogramsEqual and HistogramSpansMatch: Prometheus 2.42's
// Histogram.Equals / FloatHistogram.Equals (model/histogram), ported from
// its TestHistogramEquals, plus the span layouts its spansMatch merges.
#include <cstdint>
#include <vector>

#include "chunk/histogram.h"
#include "gtest/gtest.h"

namespace strata::chunk {
namespace {

using S = std::vector<HistogramSpan>;

Histogram Base() {
  Histogram h;
  h.schema = 3;
  h.count = 61;
  h.sum = 2.7;
  h.zero_threshold = 0.1;
  h.zero_count = 42;
  h.positive_spans = {{0, 4}, {10, 3}};
  h.positive_buckets = {1, 2, -2, 1, -1, 0, 0};
  h.negative_spans = {{0, 4}, {10, 3}};
  h.negative_buckets = {1, 2, -2, 1, -1, 0, 0};
  return h;
}

void ExpectEqual(const Histogram& a, const Histogram& b, bool want) {
  EXPECT_EQ(HistogramsEqual(a, b), want);
  EXPECT_EQ(HistogramsEqual(b, a), want);
  EXPECT_EQ(HistogramsEqual(ToFloatHistogram(a), ToFloatHistogram(b)), want);
  EXPECT_EQ(HistogramsEqual(ToFloatHistogram(b), ToFloatHistogram(a)), want);
}

TEST(HistogramEqualsTest, AsPrometheus242) {
  const Histogram h1 = Base();
  Histogram h2 = h1;
  ExpectEqual(h1, h2, true);

  // Changed spans but the same layout: trailing zero-length spans.
  h2.positive_spans.push_back({5, 0});
  h2.negative_spans.push_back({2, 0});
  ExpectEqual(h1, h2, true);
  // Zero-length spans in between.
  h2.positive_spans = {{0, 4}, {1, 0}, {3, 0}, {6, 3}, {5, 0}};
  h2.negative_spans = {{0, 4}, {2, 0}, {3, 0}, {5, 3}, {2, 0}};
  ExpectEqual(h1, h2, true);

  ExpectEqual(h1, Histogram(), false);
  h2.schema = 1;
  ExpectEqual(h1, h2, false);
  h2 = h1;
  h2.count++;
  ExpectEqual(h1, h2, false);
  h2 = h1;
  h2.sum++;
  ExpectEqual(h1, h2, false);
  h2 = h1;
  h2.zero_threshold++;
  ExpectEqual(h1, h2, false);
  h2 = h1;
  h2.zero_count++;
  ExpectEqual(h1, h2, false);
  // Bucket values.
  h2 = h1;
  h2.positive_buckets.back()++;
  ExpectEqual(h1, h2, false);
  h2 = h1;
  h2.negative_buckets.back()++;
  ExpectEqual(h1, h2, false);
  // Bucket layout.
  h2 = h1;
  h2.positive_spans[1].offset++;
  ExpectEqual(h1, h2, false);
  h2 = h1;
  h2.negative_spans[1].offset++;
  ExpectEqual(h1, h2, false);
  // An added empty bucket is another layout (2.42 does not compact).
  h2 = h1;
  h2.positive_spans[0] = {-1, 5};
  h2.positive_buckets.insert(h2.positive_buckets.begin(), 0);
  ExpectEqual(h1, h2, false);
  // A new bucket.
  h2 = h1;
  h2.negative_spans.push_back({1, 1});
  h2.negative_buckets.push_back(1);
  ExpectEqual(h1, h2, false);
  // The counter-reset hint is not compared.
  h2 = h1;
  h2.counter_reset_hint = CounterResetHint::kCounterReset;
  ExpectEqual(h1, h2, true);
}

TEST(HistogramEqualsTest, SpansMatchMergesOnlyZeroLengthSpans) {
  EXPECT_TRUE(HistogramSpansMatch(S{}, S{}));
  EXPECT_TRUE(HistogramSpansMatch(S{}, S{{3, 0}, {1, 0}}));
  EXPECT_FALSE(HistogramSpansMatch(S{}, S{{0, 1}}));
  // A zero-length span's offset moves the next span.
  EXPECT_TRUE(HistogramSpansMatch(S{{2, 0}, {3, 2}}, S{{5, 2}}));
  EXPECT_TRUE(HistogramSpansMatch(S{{0, 2}, {1, 0}, {0, 0}, {2, 1}},
                                  S{{0, 2}, {3, 1}}));
  EXPECT_FALSE(
      HistogramSpansMatch(S{{0, 2}, {1, 0}, {2, 1}}, S{{0, 2}, {2, 1}}));
  // Adjacent spans are not merged by 2.42's spansMatch.
  EXPECT_FALSE(HistogramSpansMatch(S{{0, 2}, {0, 2}}, S{{0, 4}}));
  // Wrapping int32 offsets as Go does, without undefined behaviour.
  EXPECT_FALSE(HistogramSpansMatch(S{{INT32_MAX, 0}, {1, 1}}, S{{0, 1}}));
}

}  // namespace
}  // namespace strata::chunk
