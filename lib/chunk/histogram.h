// Native histograms as values: Prometheus 2.42's model/histogram.Histogram
// (integer counts, buckets as deltas) and FloatHistogram (float counts,
// buckets as absolute counts), the sparse high-resolution histograms that
// the histogram chunk encodings (histogram_chunk.h, FORMAT.md) store.
//
// Buckets: schema s gives each power of two 2^s logarithmic buckets; bucket
// index i of the positive side holds observations in
// (2^((i-1)/2^s), 2^(i/2^s)], the negative side mirrors it, and the zero
// bucket holds |x| <= zero_threshold. Spans say which bucket indices are
// present: the first span's offset is the first index, each later offset
// the gap (>= 0) after the previous span's last bucket.
//
// Thread-safety: plain values.
#ifndef STRATA_CHUNK_HISTOGRAM_H_
#define STRATA_CHUNK_HISTOGRAM_H_

#include <bit>
#include <cstdint>
#include <span>
#include <vector>

namespace strata::chunk {

// What a sample says about a counter reset (model/histogram
// CounterResetHint; the numbers are remote write's ResetHint too).
enum class CounterResetHint : uint8_t {
  kUnknown = 0,          // Cannot say; detected at query time.
  kCounterReset = 1,     // A reset happened right before this sample.
  kNotCounterReset = 2,  // Definitely no reset.
  kGauge = 3,            // A gauge histogram: resets do not apply.
};

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

// Prometheus's staleness marker (model/value.StaleNaN). A histogram whose
// sum is this NaN is a stale marker; its other fields do not matter.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ull;
inline bool IsStaleNaN(double v) {
  return std::bit_cast<uint64_t>(v) == kStaleNaNBits;
}

// Number of buckets the spans describe (Prometheus's countSpans).
inline uint64_t CountBuckets(std::span<const HistogramSpan> spans) {
  uint64_t n = 0;
  for (const HistogramSpan& s : spans) n += s.length;
  return n;
}

// The float form of `h` (Histogram.ToFloat): absolute bucket counts.
FloatHistogram ToFloatHistogram(const Histogram& h);

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_HISTOGRAM_H_
