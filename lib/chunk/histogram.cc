#include "chunk/histogram.h"

namespace strata {

namespace {

std::vector<double> Absolute(const std::vector<int64_t>& deltas) {
  std::vector<double> out(deltas.size());
  uint64_t current = 0;  // Wraps like Go's int64 for corrupt input.
  for (size_t i = 0; i < deltas.size(); ++i) {
    current += static_cast<uint64_t>(deltas[i]);
    out[i] = static_cast<double>(static_cast<int64_t>(current));
  }
  return out;
}

}  // namespace

FloatHistogram ToFloatHistogram(const Histogram& h) {
  FloatHistogram f;
  f.counter_reset_hint = h.counter_reset_hint;
  f.schema = h.schema;
  f.zero_threshold = h.zero_threshold;
  f.zero_count = static_cast<double>(h.zero_count);
  f.count = static_cast<double>(h.count);
  f.sum = h.sum;
  f.positive_spans = h.positive_spans;
  f.negative_spans = h.negative_spans;
  f.positive_buckets = Absolute(h.positive_buckets);
  f.negative_buckets = Absolute(h.negative_buckets);
  return f;
}

}  // namespace strata
