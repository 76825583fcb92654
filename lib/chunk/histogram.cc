#include "chunk/histogram.h"

namespace strata {

namespace {

// Absolute bucket counts from deltas. Go's Histogram.ToFloat sums the
// deltas as float64s; the chunk iterator sums them as int64s (wrapping for
// corrupt input) and converts each sum, which differs past 2^53.
std::vector<double> AbsoluteByFloatSums(const std::vector<int64_t>& deltas) {
  std::vector<double> out(deltas.size());
  double current = 0;
  for (size_t i = 0; i < deltas.size(); ++i) {
    current += static_cast<double>(deltas[i]);
    out[i] = current;
  }
  return out;
}

std::vector<double> AbsoluteByIntSums(const std::vector<int64_t>& deltas) {
  std::vector<double> out(deltas.size());
  uint64_t current = 0;
  for (size_t i = 0; i < deltas.size(); ++i) {
    current += static_cast<uint64_t>(deltas[i]);
    out[i] = static_cast<double>(static_cast<int64_t>(current));
  }
  return out;
}

// Every field but the buckets.
FloatHistogram WithoutBuckets(const Histogram& h) {
  FloatHistogram f;
  f.counter_reset_hint = h.counter_reset_hint;
  f.schema = h.schema;
  f.zero_threshold = h.zero_threshold;
  f.zero_count = static_cast<double>(h.zero_count);
  f.count = static_cast<double>(h.count);
  f.sum = h.sum;
  f.positive_spans = h.positive_spans;
  f.negative_spans = h.negative_spans;
  return f;
}

}  // namespace

FloatHistogram ToFloatHistogram(const Histogram& h) {
  FloatHistogram f = WithoutBuckets(h);
  f.positive_buckets = AbsoluteByFloatSums(h.positive_buckets);
  f.negative_buckets = AbsoluteByFloatSums(h.negative_buckets);
  return f;
}

namespace chunk {

FloatHistogram IteratorFloatHistogram(const Histogram& h) {
  FloatHistogram f = WithoutBuckets(h);
  f.positive_buckets = AbsoluteByIntSums(h.positive_buckets);
  f.negative_buckets = AbsoluteByIntSums(h.negative_buckets);
  return f;
}

}  // namespace chunk

}  // namespace strata
