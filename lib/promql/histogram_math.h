// Arithmetic on native histograms as PromQL needs it: Prometheus 2.42's
// model/histogram FloatHistogram methods (Add, Sub, Scale, CopyToSchema,
// Compact, DetectReset) and promql/quantile.go's histogramQuantile and
// histogramFraction, ported statement by statement so that bucket layouts
// and rounding come out as Prometheus's do.
//
// Thread-safety: pure functions on values.
#ifndef STRATA_PROMQL_HISTOGRAM_MATH_H_
#define STRATA_PROMQL_HISTOGRAM_MATH_H_

#include <cstdint>

#include "strata/histogram.h"

namespace strata::promql {

// `h` with its buckets merged down to `target_schema` (<= h.schema).
FloatHistogram HistogramCopyToSchema(const FloatHistogram& h,
                                     int32_t target_schema);

// h += other (Add) or h -= other (Sub). Precondition: other.schema >=
// h->schema. Reconciles zero thresholds as Prometheus does; the result may
// hold empty buckets (see HistogramCompact).
void HistogramAdd(FloatHistogram* h, const FloatHistogram& other);
void HistogramSub(FloatHistogram* h, const FloatHistogram& other);

// a + b, added into a copy of the one with the lower schema (the other
// must have the higher resolution), as 2.42's `+` between histograms.
FloatHistogram HistogramSum(const FloatHistogram& a, const FloatHistogram& b);

// Multiplies every count and the sum by `factor`.
void HistogramScale(FloatHistogram* h, double factor);

// Compact(0): drops empty buckets and merges adjacent spans.
void HistogramCompact(FloatHistogram* h);

// Whether `h` cannot follow `previous` without a counter reset.
bool HistogramDetectReset(const FloatHistogram& h,
                          const FloatHistogram& previous);

// histogram_quantile and histogram_fraction over one native histogram.
double HistogramQuantile(double q, const FloatHistogram& h);
double HistogramFraction(double lower, double upper, const FloatHistogram& h);

// Estimated heap bytes of `h` (for the query memory budget).
int64_t HistogramBytes(const FloatHistogram& h);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_HISTOGRAM_MATH_H_
