// PromQL functions over native histograms (Prometheus 2.42's
// histogram_count, histogram_sum, histogram_fraction, and the histogram
// branch of extrapolatedRate). Internal to lib/promql; histogram_quantile
// lives with the classic one in functions.cc.
//
// Thread-safety: as the evaluator (one query, one thread).
#ifndef STRATA_PROMQL_HISTOGRAM_FUNCTIONS_H_
#define STRATA_PROMQL_HISTOGRAM_FUNCTIONS_H_

#include <optional>
#include <span>

#include "promql/evaluator.h"

namespace strata::promql::internal {

// Float samples are skipped; each histogram gives a float, name dropped.
Status FnHistogramCount(InstantCall& c);
Status FnHistogramSum(InstantCall& c);
Status FnHistogramFraction(InstantCall& c);

// histogramRate: the last histogram minus the first, at the lowest schema
// of the first and last (of all, for counters), plus, for counters, each
// histogram before a reset (DetectReset), compacted. Nothing if any point
// is a float. `histograms` are a window's, one per point (null for a
// float). Precondition: histograms.front() is set, histograms.size() >= 2.
std::optional<FloatHistogram> HistogramRate(
    std::span<const FloatHistogram* const> histograms, bool is_counter);

}  // namespace strata::promql::internal

#endif  // STRATA_PROMQL_HISTOGRAM_FUNCTIONS_H_
