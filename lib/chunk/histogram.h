// Native histograms as values inside the codec: the public types of
// strata/histogram.h (Prometheus 2.42's model/histogram; see there for the
// bucket layout), under the chunk namespace, with the codec's helpers.
//
// Thread-safety: plain values.
#ifndef STRATA_CHUNK_HISTOGRAM_H_
#define STRATA_CHUNK_HISTOGRAM_H_

#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "strata/histogram.h"

namespace strata::chunk {

using ::strata::CounterResetHint;
using ::strata::FloatHistogram;
using ::strata::Histogram;
using ::strata::HistogramSpan;
using ::strata::ToFloatHistogram;

// The float form the histogram chunk iterator gives (Prometheus 2.42's
// histogramIterator.AtFloatHistogram): each absolute bucket count summed
// as an int64, then converted; ToFloatHistogram (Histogram.ToFloat, what
// PromQL's range selections use) sums the deltas as floats, which differs
// past 2^53.
FloatHistogram IteratorFloatHistogram(const Histogram& h);

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

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_HISTOGRAM_H_
