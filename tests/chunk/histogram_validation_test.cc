// ValidateHistogram / ValidateFloatHistogram (strata/histogram.h): the
// checks and the exact error texts of Prometheus 2.42's
// tsdb.ValidateHistogram and ValidateFloatHistogram.
#include <limits>
#include <string>

#include "chunk/histogram.h"
#include "gtest/gtest.h"
#include "strata/histogram.h"

namespace strata {
namespace {

std::string Error(const Histogram& h) {
  const Status s = ValidateHistogram(h);
  if (s.ok()) return "ok";
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  return std::string(s.message());
}

std::string Error(const FloatHistogram& h) {
  const Status s = ValidateFloatHistogram(h);
  if (s.ok()) return "ok";
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  return std::string(s.message());
}

Histogram Valid() {
  Histogram h;
  h.schema = 1;
  h.count = 9;
  h.zero_count = 1;
  h.positive_spans = {{-4, 2}, {0, 1}};  // A first offset may be negative.
  h.positive_buckets = {1, 1, -1};       // 1, 2, 1.
  h.negative_spans = {{3, 1}};
  h.negative_buckets = {4};
  return h;
}

TEST(HistogramValidationTest, AcceptsConsistentHistograms) {
  EXPECT_EQ(Error(Valid()), "ok");
  EXPECT_EQ(Error(Histogram{}), "ok");
  EXPECT_EQ(Error(ToFloatHistogram(Valid())), "ok");
  EXPECT_EQ(Error(FloatHistogram{}), "ok");
  // More observations than the buckets hold is fine (the zero bucket is
  // not counted in 2.42).
  Histogram h = Valid();
  h.count = 1000;
  EXPECT_EQ(Error(h), "ok");
}

TEST(HistogramValidationTest, SpanOffsetAfterTheFirstMustNotBeNegative) {
  Histogram h = Valid();
  h.negative_spans = {{3, 0}, {-1, 1}};
  EXPECT_EQ(Error(h),
            "negative side: span number 2 with offset -1: histogram has a "
            "span whose offset is negative");
  FloatHistogram f = ToFloatHistogram(Valid());
  f.positive_spans = {{0, 1}, {0, 1}, {-7, 1}};
  EXPECT_EQ(Error(f),
            "positive side: span number 3 with offset -7: histogram has a "
            "span whose offset is negative");
}

TEST(HistogramValidationTest, SpansMustDescribeEveryBucket) {
  Histogram h = Valid();
  h.positive_buckets.push_back(0);
  EXPECT_EQ(Error(h),
            "positive side: spans need 3 buckets, have 4 buckets: histogram "
            "spans specify different number of buckets than provided");
  // Both sides wrong: the negative side is checked first.
  h.negative_spans = {{0, 2}};
  EXPECT_EQ(Error(h),
            "negative side: spans need 2 buckets, have 1 buckets: histogram "
            "spans specify different number of buckets than provided");
  FloatHistogram f;
  f.negative_buckets = {1};
  EXPECT_EQ(Error(f),
            "negative side: spans need 0 buckets, have 1 buckets: histogram "
            "spans specify different number of buckets than provided");
}

TEST(HistogramValidationTest, BucketCountsMustNotBeNegative) {
  Histogram h = Valid();
  h.positive_buckets = {1, -2, 5};
  EXPECT_EQ(Error(h),
            "positive side: bucket number 2 has observation count of -1: "
            "histogram has a bucket whose observation count is negative");
  // Deltas wrap as Go's int64.
  h.positive_buckets = {std::numeric_limits<int64_t>::max(), 1, 0};
  EXPECT_EQ(Error(h),
            "positive side: bucket number 2 has observation count of "
            "-9223372036854775808: histogram has a bucket whose observation "
            "count is negative");
  FloatHistogram f = ToFloatHistogram(Valid());
  f.negative_buckets = {-1e-07};
  EXPECT_EQ(Error(f),
            "negative side: bucket number 1 has observation count of -1e-07: "
            "histogram has a bucket whose observation count is negative");
}

TEST(HistogramValidationTest, CountMustCoverTheBuckets) {
  Histogram h = Valid();
  h.count = 7;  // The buckets hold 4 + 4.
  EXPECT_EQ(Error(h),
            "8 observations found in buckets, but the Count field is 7: "
            "histogram's observation count should be at least the number of "
            "observations found in the buckets");
  FloatHistogram f = ToFloatHistogram(Valid());
  f.positive_buckets = {1.5, 2, 0.25};
  f.count = 7.5;
  EXPECT_EQ(Error(f),
            "7.750000 observations found in buckets, but the Count field is "
            "7.500000: histogram's observation count should be at least the "
            "number of observations found in the buckets");
  f.count = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(Error(f),
            "7.750000 observations found in buckets, but the Count field is "
            "-Inf: histogram's observation count should be at least the "
            "number of observations found in the buckets");
  // NaN compares false: accepted, as in Go.
  f.count = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Error(f), "ok");
}

// Go's Histogram.ToFloat sums the deltas as floats; the chunk iterator
// sums them as integers. Past 2^53 the two round differently (the live
// JSON test meets this in Prometheus's answers).
TEST(HistogramConversionTest, ToFloatSumsDeltasAsFloatsLikeGo) {
  Histogram h;
  h.positive_spans = {{0, 2}};
  h.positive_buckets = {(int64_t{1} << 53) + 1, 1};
  h.count = (uint64_t{1} << 54);
  const FloatHistogram go = ToFloatHistogram(h);
  const FloatHistogram iterator = chunk::IteratorFloatHistogram(h);
  // 2^53 + 1 rounds to 2^53 either way; then 2^53 + 1 (float) stays 2^53
  // while 2^53 + 2 (integer) is exact.
  EXPECT_EQ(go.positive_buckets[1], 0x1p53);
  EXPECT_EQ(iterator.positive_buckets[1], 0x1p53 + 2);
  EXPECT_EQ(go.count, 0x1p54);
}

}  // namespace
}  // namespace strata
