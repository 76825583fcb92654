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

// Prometheus 2.42's spansMatch: whether two span lists describe the same
// bucket layout once each zero-length span is merged into the span after
// it (its offset added), and trailing zero-length spans dropped. So
// {0,4},{1,0},{9,3} matches {0,4},{10,3}; adjacent spans ({0,2},{0,2} vs
// {0,4}) and a layout with an extra empty bucket do not match, as in 2.42
// (its head does not Compact() before comparing).
bool HistogramSpansMatch(std::span<const HistogramSpan> a,
                         std::span<const HistogramSpan> b);

// Prometheus 2.42's Histogram.Equals / FloatHistogram.Equals, the head's
// duplicate check (appendableHistogram): schema, zero threshold, zero
// count, count and sum equal (floats by ==, so a NaN sum never is), spans
// matching (HistogramSpansMatch) and bucket lists equal. The counter-reset
// hint is not compared.
bool HistogramsEqual(const Histogram& a, const Histogram& b);
bool HistogramsEqual(const FloatHistogram& a, const FloatHistogram& b);

// Number of buckets the spans describe (Prometheus's countSpans).
inline uint64_t CountBuckets(std::span<const HistogramSpan> spans) {
  uint64_t n = 0;
  for (const HistogramSpan& s : spans) n += s.length;
  return n;
}

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_HISTOGRAM_H_
