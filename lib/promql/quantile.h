// Quantile estimation as Prometheus computes it: over plain samples
// (quantile, quantile_over_time) and over classic histogram buckets
// (histogram_quantile).
//
// Thread-safety: pure functions.
#ifndef STRATA_PROMQL_QUANTILE_H_
#define STRATA_PROMQL_QUANTILE_H_

#include <utility>
#include <vector>

namespace strata::promql {

// The q-quantile of the values, interpolating linearly between the two
// nearest ranks. -Inf for q < 0, +Inf for q > 1, NaN for NaN q or no values.
// Reorders `values`.
double Quantile(double q, std::vector<double>& values);

// A classic histogram bucket: cumulative count of observations <= upper.
struct Bucket {
  double upper_bound = 0;
  double count = 0;
};

// histogram_quantile over cumulative buckets in any order: NaN unless the
// highest bucket is +Inf; duplicate bounds are merged and counts forced to
// be monotonic. Reorders and may shrink `buckets`.
double BucketQuantile(double q, std::vector<Bucket>& buckets);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_QUANTILE_H_
