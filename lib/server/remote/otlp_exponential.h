// Converts an OTLP exponential histogram data point into a native
// histogram, as Prometheus's OTLP receiver does
// (storage/remote/otlptranslator/prometheusremotewrite/histograms.go,
// exponentialToNativeHistogram):
//
// - the OTLP scale is the schema; scales above 8 are scaled down to 8 by
//   merging 2^(scale-8) neighbouring buckets; scales below -4 are refused;
// - OTLP bucket index i covers (base^i, base^(i+1)], Prometheus's index i
//   covers (base^(i-1), base^i]: every index moves up by one;
// - the dense bucket arrays become spans and deltas as client_golang's
//   makeBuckets lays them out (gaps of up to two empty buckets are kept
//   inside a span, longer gaps start a new one). Buckets are merged for
//   the scale-down first and laid out after; Prometheus merges while
//   laying out, which gives the same spans and deltas except where an
//   empty bucket ends a merge group: it then moves the next group's count
//   into the empty one's bucket (e.g. OTLP scale 9, offset 1, counts
//   [0, 2, 2] becomes {1: 2, 2: 2} instead of {2: 4}). Strata keeps the
//   counts in their buckets;
// - zero threshold 1e-128 (Prometheus ignores the point's zero_threshold),
//   reset hint unknown (delta temporality, for which Prometheus would say
//   gauge, is refused before conversion, as in Prometheus without its
//   delta features);
// - a point flagged "no recorded value" becomes a stale marker: sum the
//   StaleNaN value, count its bits.
//
// Thread-safety: pure functions.
#ifndef STRATA_SERVER_REMOTE_OTLP_EXPONENTIAL_H_
#define STRATA_SERVER_REMOTE_OTLP_EXPONENTIAL_H_

#include <cstdint>
#include <span>
#include <vector>

#include "server/remote/otlp_decoder.h"
#include "strata/histogram.h"
#include "strata/status.h"

namespace strata::server {

// Prometheus's zero threshold for converted exponential histograms.
inline constexpr double kOtlpExponentialZeroThreshold = 1e-128;

// Appends the spans and deltas of one side: `counts` are the OTLP buckets
// starting at OTLP index `offset`, merged 2^scale_down at a time.
// Prometheus's convertBucketsLayout (adjustOffset true), without its
// misplaced counts (above). Precondition: offset + counts.size() fits in
// int32 with room for the +1 shift (ExponentialToNativeHistogram checks).
void ConvertExponentialBuckets(std::span<const uint64_t> counts, int32_t offset,
                               int32_t scale_down,
                               std::vector<HistogramSpan>* spans,
                               std::vector<int64_t>* deltas);

// The native histogram of exponential histogram point `p` of `request`.
// InvalidArgument, with Prometheus's text, for a scale below -4, and for
// bucket indices past int32.
StatusOr<::strata::Histogram> ExponentialToNativeHistogram(
    const OtlpPoint& p, const OtlpRequest& request);

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_OTLP_EXPONENTIAL_H_
