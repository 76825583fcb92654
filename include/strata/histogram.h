// Native histograms as values: Prometheus 2.42's model/histogram.Histogram
// (integer counts, buckets as deltas) and FloatHistogram (float counts,
// buckets as absolute counts), the sparse high-resolution histograms of
// remote write's `Histogram` message, the WAL's histogram records and the
// histogram chunk encodings. These are the only definitions: the chunk
// codec, the WAL and the remote write decoder all use them.
//
// Buckets: schema s gives each power of two 2^s logarithmic buckets; bucket
// index i of the positive side holds observations in
// (2^((i-1)/2^s), 2^(i/2^s)], the negative side mirrors it, and the zero
// bucket holds |x| <= zero_threshold. Spans say which bucket indices are
// present: the first span's offset is the first index, each later offset
// the gap (>= 0) after the previous span's last bucket.
//
// Bucket counts follow Prometheus's model exactly: an integer Histogram
// stores each bucket as its count minus the previous bucket's count (the
// first bucket as its count; the previous bucket is the one before it in
// `*_buckets`, whatever the gap between their indices), as remote write's
// `*_deltas` and the WAL do; a FloatHistogram stores absolute counts, as
// remote write's `*_counts`.
//
// Thread-safety: plain values and pure functions.
#ifndef STRATA_HISTOGRAM_H_
#define STRATA_HISTOGRAM_H_

#include <cstdint>
#include <vector>

#include "strata/status.h"

namespace strata {

// What a sample says about a counter reset (model/histogram
// CounterResetHint; the numbers are remote write's ResetHint and the WAL's
// byte). Decoders keep any other byte value as it came.
enum class CounterResetHint : uint8_t {
  kUnknown = 0,          // Cannot say; detected at query time.
  kCounterReset = 1,     // A reset happened right before this sample.
  kNotCounterReset = 2,  // Definitely no reset.
  kGauge = 3,            // A gauge histogram: resets do not apply.
};

// A run of `length` consecutive buckets, `offset` indices after the
// previous run (the first span: the index of its first bucket).
struct HistogramSpan {
  int32_t offset = 0;
  uint32_t length = 0;
  bool operator==(const HistogramSpan&) const = default;
};

struct Histogram {
  CounterResetHint counter_reset_hint = CounterResetHint::kUnknown;
  int32_t schema = 0;
  double zero_threshold = 0;
  uint64_t zero_count = 0;
  uint64_t count = 0;
  double sum = 0;
  std::vector<HistogramSpan> positive_spans;
  std::vector<HistogramSpan> negative_spans;
  // Each bucket's count minus the previous bucket's (the first: its count).
  std::vector<int64_t> positive_buckets;
  std::vector<int64_t> negative_buckets;
};

struct FloatHistogram {
  CounterResetHint counter_reset_hint = CounterResetHint::kUnknown;
  int32_t schema = 0;
  double zero_threshold = 0;
  double zero_count = 0;
  double count = 0;
  double sum = 0;
  std::vector<HistogramSpan> positive_spans;
  std::vector<HistogramSpan> negative_spans;
  // Absolute bucket counts.
  std::vector<double> positive_buckets;
  std::vector<double> negative_buckets;
};

// The float form of `h` as Go's Histogram.ToFloat makes it: absolute
// bucket counts as running float64 sums of the deltas (so counts past 2^53
// round as Prometheus's do).
FloatHistogram ToFloatHistogram(const Histogram& h);

// One bucket with its boundaries (model/histogram.Bucket[float64]).
struct HistogramBucket {
  double lower = 0;
  double upper = 0;
  bool lower_inclusive = false;
  bool upper_inclusive = false;
  double count = 0;
  int32_t index = 0;  // Meaningless for the zero bucket.
};

// The upper boundary of bucket `index` in `schema` (model/histogram's
// getBound): 2^(index / 2^schema), with Prometheus's table for schemas
// 0..8 and math.MaxFloat64 for the last finite bucket. Prometheus knows
// only schemas -4..8; others get the formula, not an answer of its.
double HistogramBucketBound(int32_t index, int32_t schema);

// Every bucket of `h` in ascending order, as
// FloatHistogram.AllBucketIterator yields them: the negative buckets (the
// highest one's upper bound clamped to -zero_threshold), the zero bucket
// [-zero_threshold, zero_threshold] if zero_count > 0, then the positive
// buckets (the lowest one's lower bound clamped to zero_threshold; those
// whose upper bound is 0 are skipped). Empty buckets are included.
std::vector<HistogramBucket> AllHistogramBuckets(const FloatHistogram& h);

// Prometheus 2.42's tsdb.ValidateHistogram / ValidateFloatHistogram: the
// spans of each side describe as many buckets as it has, no span after the
// first has a negative offset, no bucket count is negative, and the
// buckets hold at most `count` observations. InvalidArgument with
// Prometheus's error text otherwise, e.g. "negative side: span number 2
// with offset -1: histogram has a span whose offset is negative".
Status ValidateHistogram(const Histogram& h);
Status ValidateFloatHistogram(const FloatHistogram& h);

}  // namespace strata

#endif  // STRATA_HISTOGRAM_H_
