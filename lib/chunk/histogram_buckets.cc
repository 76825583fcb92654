// HistogramBucketBound and AllHistogramBuckets (strata/histogram.h):
// Prometheus 2.42's model/histogram getBound, the float bucket iterators
// (forward for the positive side, reverse for the negative side) and
// allFloatBucketIterator, without the schema conversion PromQL never asks
// of them here.
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <vector>

#include "chunk/histogram.h"
#include "chunk/histogram_bounds_table.h"

namespace strata {
namespace {

constexpr int32_t kMaxTableSchema = 8;
// Exponents past these give 0 or +Inf from ldexp anyway; clamping keeps
// the int conversion defined.
constexpr int64_t kExponentLimit = 4096;

double Ldexp(double frac, int64_t exp) {
  if (exp > kExponentLimit) exp = kExponentLimit;
  if (exp < -kExponentLimit) exp = -kExponentLimit;
  return std::ldexp(frac, static_cast<int>(exp));
}

// Absolute bucket indices of one side, in the order of `spans` (the
// forward iterator's walk, zero-length spans included).
std::vector<int32_t> BucketIndices(const std::vector<HistogramSpan>& spans,
                                   size_t num_buckets) {
  std::vector<int32_t> indices;
  indices.reserve(num_buckets);
  int32_t next = 0;  // One past the previous bucket; wraps as Go's int32.
  for (size_t j = 0; j < spans.size() && indices.size() < num_buckets; ++j) {
    next = j == 0
               ? spans[j].offset
               : static_cast<int32_t>(static_cast<uint32_t>(next) +
                                      static_cast<uint32_t>(spans[j].offset));
    for (uint32_t k = 0; k < spans[j].length && indices.size() < num_buckets;
         ++k) {
      indices.push_back(next);
      next = static_cast<int32_t>(static_cast<uint32_t>(next) + 1);
    }
  }
  return indices;
}

// baseBucketIterator.At for `index` on one side.
HistogramBucket BucketAt(int32_t index, int32_t schema, bool positive,
                         double count) {
  HistogramBucket b;
  b.count = count;
  b.index = index;
  const int32_t below = static_cast<int32_t>(static_cast<uint32_t>(index) - 1);
  if (positive) {
    b.upper = HistogramBucketBound(index, schema);
    b.lower = HistogramBucketBound(below, schema);
  } else {
    b.lower = -HistogramBucketBound(index, schema);
    b.upper = -HistogramBucketBound(below, schema);
  }
  b.lower_inclusive = b.lower < 0;
  b.upper_inclusive = b.upper > 0;
  return b;
}

}  // namespace

double HistogramBucketBound(int32_t index, int32_t schema) {
  if (schema < 0) {
    // Go's int(idx) << -schema: 64-bit, 0 once the shift reaches 64.
    const int64_t shift = -static_cast<int64_t>(schema);
    const int64_t exp =
        shift >= 64
            ? 0
            : static_cast<int64_t>(
                  static_cast<uint64_t>(static_cast<int64_t>(index)) << shift);
    if (exp == 1024) return DBL_MAX;  // The last bucket before ±Inf's.
    return Ldexp(1, exp);
  }
  if (schema > kMaxTableSchema) {
    return std::exp2(static_cast<double>(index) / std::exp2(schema));
  }
  const int32_t per_power = int32_t{1} << schema;
  const double frac =
      chunk::kExponentialBounds[per_power - 1 + (index & (per_power - 1))];
  const int64_t exp = (static_cast<int64_t>(index) >> schema) + 1;
  if (frac == 0.5 && exp == 1025) return DBL_MAX;
  return Ldexp(frac, exp);
}

std::vector<HistogramBucket> AllHistogramBuckets(const FloatHistogram& h) {
  std::vector<HistogramBucket> out;
  const std::vector<int32_t> negative =
      BucketIndices(h.negative_spans, h.negative_buckets.size());
  for (size_t i = negative.size(); i-- > 0;) {
    HistogramBucket b =
        BucketAt(negative[i], h.schema, false, h.negative_buckets[i]);
    if (b.upper > -h.zero_threshold) b.upper = -h.zero_threshold;
    out.push_back(b);
  }
  if (h.zero_count > 0) {
    out.push_back(HistogramBucket{-h.zero_threshold, h.zero_threshold, true,
                                  true, h.zero_count, 0});
  }
  const std::vector<int32_t> positive =
      BucketIndices(h.positive_spans, h.positive_buckets.size());
  for (size_t i = 0; i < positive.size(); ++i) {
    // floatBucketIterator skips buckets whose upper bound is <= 0.
    if (HistogramBucketBound(positive[i], h.schema) <= 0) continue;
    HistogramBucket b =
        BucketAt(positive[i], h.schema, true, h.positive_buckets[i]);
    if (b.lower < h.zero_threshold) b.lower = h.zero_threshold;
    out.push_back(b);
  }
  return out;
}

}  // namespace strata
