// Values that PromQL expressions evaluate to: instant vectors, range vectors
// (matrices), scalars and strings.
//
// Thread-safety: plain values, no internal synchronization.
#ifndef STRATA_PROMQL_VALUE_H_
#define STRATA_PROMQL_VALUE_H_

#include <bit>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/appender.h"
#include "strata/histogram.h"
#include "strata/labels.h"

namespace strata::promql {

// Prometheus's parser.ValueType.
enum class ValueType { kNone, kVector, kScalar, kMatrix, kString };

// The name Prometheus's HTTP API uses as resultType: "vector", "scalar",
// "matrix", "string" ("none" for kNone).
std::string_view ValueTypeName(ValueType type);
// The name used in error messages: "instant vector", "range vector", ...
std::string_view DocumentedType(ValueType type);

// Prometheus 2.42's Point{T, V} (its H is Series::histograms): a float,
// or 0 where the series holds a native histogram (Go's zero value: every
// float-only function and operator sees that 0, as in 2.42). 16 bytes, so
// float-only series cost what they cost before native histograms.
struct Point {
  int64_t t = 0;
  double v = 0;
};

// One series of a range vector; points are sorted by time.
//
// Invariant: `histograms` is empty (no point is a histogram: the common
// case, at no cost per point) or has one entry per point, null for a
// float. A histogram points into the query's HistogramStore and is never
// modified once stored.
struct Series {
  Labels metric;
  std::vector<Point> points;
  std::vector<const FloatHistogram*> histograms;

  // Point i's histogram, or null for a float.
  const FloatHistogram* H(size_t i) const {
    return histograms.empty() ? nullptr : histograms[i];
  }
  // Appends a point, a histogram when `h` is set (then `v` should be 0).
  void Add(int64_t t, double v, const FloatHistogram* h) {
    if (h != nullptr || !histograms.empty()) {
      // Nulls for the floats before the series' first histogram.
      histograms.resize(points.size(), nullptr);
      histograms.push_back(h);
    }
    points.push_back({t, v});
  }
};
using Matrix = std::vector<Series>;

// One element of an instant vector.
struct Sample {
  Labels metric;
  int64_t t = 0;
  double v = 0;
  const FloatHistogram* h = nullptr;  // As Series::H.
};

// Owns the histograms one query's points refer to: append-only, so a
// pointer stays valid as long as the store. A query's Result keeps it.
//
// Thread-safety: none; one query on one thread.
class HistogramStore {
 public:
  const FloatHistogram* Add(FloatHistogram h) {
    return &store_.emplace_back(std::move(h));
  }

 private:
  std::deque<FloatHistogram> store_;
};
using Vector = std::vector<Sample>;

inline bool IsStaleNaN(double v) {
  return std::bit_cast<uint64_t>(v) == kStaleNaNBits;
}
inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }

// Go's int64(f) on amd64: truncates; NaN and out-of-range values give the
// minimum int64 (C++ leaves them undefined).
inline int64_t GoInt64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) {
    return INT64_MIN;
  }
  return static_cast<int64_t>(v);
}

}  // namespace strata::promql

#endif  // STRATA_PROMQL_VALUE_H_
