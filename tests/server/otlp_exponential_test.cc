// OTLP exponential histograms to native histograms: the bucket layout
// against Prometheus's own expectations (its histograms_test.go table),
// the meaning of every converted bucket for random inputs, the point
// conversion, and decoding and translation of whole requests.
#include "server/remote/otlp_exponential.h"

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "otlp_test_proto.h"
#include "server/remote/otlp_decoder.h"
#include "server/remote/otlp_translator.h"
#include "strata/appender.h"
#include "util/coding.h"

namespace strata::server {
namespace {

using ::strata::testing::otlp::ExponentialBuckets;
using ::strata::testing::otlp::ExponentialHistogramMetric;
using ::strata::testing::otlp::ExportRequest;
using ::strata::testing::otlp::Msg;
using ::strata::testing::otlp::ResourceMetrics;

struct Layout {
  std::vector<HistogramSpan> spans;
  std::vector<int64_t> deltas;
};

Layout Convert(const std::vector<uint64_t>& counts, int32_t offset,
               int32_t scale_down) {
  Layout out;
  ConvertExponentialBuckets(counts, offset, scale_down, &out.spans,
                            &out.deltas);
  return out;
}

struct LayoutCase {
  const char* name;
  int32_t offset;
  std::vector<uint64_t> counts;
  // By scale-down 0, 1, 2.
  std::vector<Layout> want;
};

// Prometheus's TestConvertBucketsLayout
// (storage/remote/otlptranslator/prometheusremotewrite/histograms_test.go).
TEST(OtlpExponentialTest, BucketLayoutMatchesPrometheusTable) {
  const std::vector<LayoutCase> cases = {
      {"zero offset",
       0,
       {4, 3, 2, 1},
       {{{{1, 4}}, {4, -1, -1, -1}}, {{{1, 2}}, {7, -4}}, {{{1, 1}}, {10}}}},
      {"offset 1",
       1,
       {4, 3, 2, 1},
       {{{{2, 4}}, {4, -1, -1, -1}},
        {{{1, 3}}, {4, 1, -4}},
        {{{1, 2}}, {9, -8}}}},
      {"positive offset",
       4,
       {4, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
       {{{{5, 4}, {12, 1}}, {4, -2, -2, 2, -1}},
        {{{3, 2}, {6, 1}}, {6, -4, -1}},
        {{{2, 1}, {3, 1}}, {8, -7}}}},
      {"scaledown merges spans",
       4,
       {4, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1},
       {{{{5, 4}, {8, 1}}, {4, -2, -2, 2, -1}},
        {{{3, 2}, {4, 1}}, {6, -4, -1}},
        {{{2, 4}}, {8, -8, 0, 1}}}},
      {"negative offset",
       -2,
       {3, 1, 0, 0, 0, 1},
       {{{{-1, 2}, {3, 1}}, {3, -2, 0}},
        {{{0, 3}}, {4, -4, 1}},
        {{{0, 2}}, {4, -3}}}},
      {"buckets with gaps of size 1",
       -2,
       {3, 1, 0, 1, 0, 1},
       {{{{-1, 6}}, {3, -2, -1, 1, -1, 1}},
        {{{0, 3}}, {4, -3, 0}},
        {{{0, 2}}, {4, -2}}}},
      {"buckets with gaps of size 2",
       -2,
       {3, 0, 0, 1, 0, 0, 1},
       {{{{-1, 7}}, {3, -3, 0, 1, -1, 0, 1}},
        {{{0, 4}}, {3, -2, -1, 1}},
        {{{0, 3}}, {3, -2, 0}}}},
      {"zero buckets", 0, {}, {{}, {}, {}}},
  };
  for (const LayoutCase& c : cases) {
    for (int32_t down = 0; down < 3; ++down) {
      SCOPED_TRACE(::testing::Message() << c.name << " scale down " << down);
      const Layout got = Convert(c.counts, c.offset, down);
      EXPECT_EQ(got.spans, c.want[down].spans);
      EXPECT_EQ(got.deltas, c.want[down].deltas);
    }
  }
}

// Absolute count per Prometheus bucket index of a converted side.
std::map<int32_t, int64_t> CountsByIndex(const Layout& layout) {
  std::map<int32_t, int64_t> out;
  int32_t index = 0;
  size_t bucket = 0;
  int64_t count = 0;
  for (size_t s = 0; s < layout.spans.size(); ++s) {
    index += layout.spans[s].offset;
    for (uint32_t i = 0; i < layout.spans[s].length; ++i) {
      count += layout.deltas[bucket++];
      out[index++] = count;
    }
  }
  EXPECT_EQ(bucket, layout.deltas.size());
  return out;
}

// Every OTLP bucket (base^i, base^(i+1)] lands, merged 2^down at a time,
// in Prometheus's bucket (i >> down) + 1, and nothing else is counted.
TEST(OtlpExponentialTest, RandomBucketsKeepTheirBoundsAndCounts) {
  std::mt19937_64 rng(20261207);
  for (int round = 0; round < 2000; ++round) {
    const int32_t offset = static_cast<int32_t>(rng() % 41) - 20;
    const int32_t down = static_cast<int32_t>(rng() % 4);
    std::vector<uint64_t> counts(rng() % 24);
    for (uint64_t& c : counts) c = rng() % 3 == 0 ? 0 : rng() % 1000;
    std::map<int32_t, int64_t> want;
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] == 0) continue;
      want[((static_cast<int32_t>(i) + offset) >> down) + 1] +=
          static_cast<int64_t>(counts[i]);
    }
    const Layout layout = Convert(counts, offset, down);
    std::map<int32_t, int64_t> got = CountsByIndex(layout);
    for (auto it = got.begin(); it != got.end();) {
      it = it->second == 0 ? got.erase(it) : std::next(it);
    }
    ASSERT_EQ(got, want) << "round " << round;
    for (size_t s = 1; s < layout.spans.size(); ++s) {
      EXPECT_GT(layout.spans[s].offset, 2) << "gaps of <= 2 stay in a span";
    }
  }
}

// Where Prometheus's layout moves a count out of its bucket (an empty
// bucket ending a merge group), the count stays in its bucket.
TEST(OtlpExponentialTest, EmptyBucketBeforeAMergeGroupKeepsCountsInPlace) {
  // OTLP 1, 2, 3 at scale down 1: Prometheus buckets 1, 2, 2.
  const Layout got = Convert({0, 2, 2}, 1, 1);
  EXPECT_EQ(CountsByIndex(got), (std::map<int32_t, int64_t>{{1, 0}, {2, 4}}));
}

TEST(OtlpExponentialTest, BucketIndexPastInt32IsRefused) {
  OtlpRequest request;
  request.bucket_counts = {1, 1};
  OtlpPoint p;
  p.positive = {std::numeric_limits<int32_t>::max() - 1, {0, 2}};
  StatusOr<::strata::Histogram> h = ExponentialToNativeHistogram(p, request);
  EXPECT_EQ(h.status().code(), StatusCode::kInvalidArgument);
}

OtlpRequest Decode(const std::string& body) {
  OtlpRequest request;
  EXPECT_TRUE(DecodeOtlpMetricsRequest(body, &request).ok());
  return request;
}

constexpr uint64_t kT = 1700000000123456789ULL;

std::string RequestWith(const Msg& point) {
  return ExportRequest({ResourceMetrics(
      {}, {ExponentialHistogramMetric("payload.size", "By", {point})})});
}

TEST(OtlpExponentialTest, DecodesEveryFieldTheConversionUses) {
  const OtlpRequest request =
      Decode(RequestWith(Msg()
                             .Fixed64(3, kT)
                             .Fixed64(4, 12)
                             .Double(5, 3.5)
                             .Sint32(6, -3)
                             .Fixed64(7, 2)
                             .Sub(8, ExponentialBuckets(-2, {1, 0, 300}))
                             .Sub(9, ExponentialBuckets(5, {7}))
                             .Varint(10, 0)));
  ASSERT_EQ(request.points.size(), 1u);
  const OtlpPoint& p = request.points[0];
  EXPECT_EQ(p.count, 12u);
  EXPECT_TRUE(p.has_sum);
  EXPECT_EQ(p.sum, 3.5);
  EXPECT_EQ(p.scale, -3);
  EXPECT_EQ(p.zero_count, 2u);
  EXPECT_EQ(p.positive.offset, -2);
  EXPECT_EQ(p.negative.offset, 5);
  const auto positive =
      OtlpRequest::Slice(request.bucket_counts, p.positive.counts);
  EXPECT_EQ(std::vector<uint64_t>(positive.begin(), positive.end()),
            (std::vector<uint64_t>{1, 0, 300}));
  const auto negative =
      OtlpRequest::Slice(request.bucket_counts, p.negative.counts);
  EXPECT_EQ(std::vector<uint64_t>(negative.begin(), negative.end()),
            std::vector<uint64_t>{7});
}

TEST(OtlpExponentialTest, MalformedBucketsAreAnError) {
  OtlpRequest request;
  const Status s = DecodeOtlpMetricsRequest(
      RequestWith(Msg().Fixed64(3, kT).Sub(8, Msg().Fixed64(1, 1))), &request);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("malformed OTLP Buckets"), std::string::npos)
      << s.ToString();
}

TEST(OtlpExponentialTest, ConvertsAPointAsPrometheusDoes) {
  const OtlpRequest request = Decode(RequestWith(
      Msg()
          .Fixed64(3, kT)
          .Fixed64(4, 14)
          .Double(5, 42.25)
          .Sint32(6, 10)  // Scaled down to schema 8: 4 buckets merge.
          .Fixed64(7, 3)
          .Sub(8, ExponentialBuckets(3, {1, 2, 3, 4}))
          .Sub(9, ExponentialBuckets(-1, {1}))));
  StatusOr<::strata::Histogram> h =
      ExponentialToNativeHistogram(request.points[0], request);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->schema, 8);
  EXPECT_EQ(h->counter_reset_hint, CounterResetHint::kUnknown);
  EXPECT_EQ(h->zero_threshold, 1e-128);
  EXPECT_EQ(h->zero_count, 3u);
  EXPECT_EQ(h->count, 14u);
  EXPECT_EQ(h->sum, 42.25);
  // OTLP 3..6 at scale 10: (3>>2)+1 = 1 holds 1, (4..6>>2)+1 = 2 holds 9.
  EXPECT_EQ(h->positive_spans, (std::vector<HistogramSpan>{{1, 2}}));
  EXPECT_EQ(h->positive_buckets, (std::vector<int64_t>{1, 8}));
  // OTLP -1 at scale 10: (-1>>2)+1 = 0.
  EXPECT_EQ(h->negative_spans, (std::vector<HistogramSpan>{{0, 1}}));
  EXPECT_EQ(h->negative_buckets, (std::vector<int64_t>{1}));
  EXPECT_TRUE(ValidateHistogram(*h).ok());
}

TEST(OtlpExponentialTest, NoRecordedValueIsAStaleMarker) {
  const OtlpRequest request = Decode(RequestWith(
      Msg().Fixed64(3, kT).Fixed64(4, 5).Double(5, 1).Varint(10, 1)));
  StatusOr<::strata::Histogram> h =
      ExponentialToNativeHistogram(request.points[0], request);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(DoubleBits(h->sum), kStaleNaNBits);
  EXPECT_EQ(h->count, kStaleNaNBits);
}

TEST(OtlpExponentialTest, ScaleBelowMinus4IsRefusedWithPrometheusText) {
  const OtlpRequest request =
      Decode(RequestWith(Msg().Fixed64(3, kT).Sint32(6, -5)));
  StatusOr<::strata::Histogram> h =
      ExponentialToNativeHistogram(request.points[0], request);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().message(),
            "cannot convert exponential to native histogram. Scale must be >= "
            "-4, was -5");
}

TEST(OtlpExponentialTest, TranslatedToOneNativeHistogramSeriesWhenEnabled) {
  const OtlpRequest request = Decode(RequestWith(
      Msg().Fixed64(3, kT).Fixed64(4, 3).Double(5, 7).Sint32(6, 2).Sub(
          8, ExponentialBuckets(0, {1, 2}))));
  OtlpTranslateOptions options;
  options.native_histograms = true;
  OtlpTranslation out;
  TranslateOtlp(request, options, 10, &out);
  EXPECT_EQ(out.total_rejected(), 0);
  ASSERT_EQ(out.batch.series.size(), 1u);
  const WireSeries& series = out.batch.series[0];
  EXPECT_EQ(series.num_samples, 0u);
  ASSERT_EQ(series.num_histograms, 1u);
  const auto labels = out.batch.LabelsOf(series);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0].name, "__name__");
  EXPECT_EQ(labels[0].value, "payload_size_bytes");
  const WireHistogram& wire = out.batch.HistogramsOf(series)[0];
  EXPECT_EQ(wire.timestamp, 1700000000123);
  EXPECT_FALSE(wire.is_float);
  EXPECT_EQ(wire.integer.schema, 2);
  EXPECT_EQ(wire.integer.positive_spans, (std::vector<HistogramSpan>{{1, 2}}));
  EXPECT_EQ(wire.integer.positive_buckets, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(out.batch.histograms, 1);
  ASSERT_EQ(out.batch.metadata.size(), 1u);
  EXPECT_EQ(out.batch.metadata[0].type, WireMetricType::kHistogram);

  OtlpTranslation refused;
  TranslateOtlp(request, OtlpTranslateOptions{}, 10, &refused);
  EXPECT_TRUE(refused.batch.series.empty());
  EXPECT_EQ(refused.rejected[static_cast<size_t>(
                OtlpRejectReason::kExponentialHistogram)],
            1);
}

}  // namespace
}  // namespace strata::server
