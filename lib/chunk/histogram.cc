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

namespace {

bool AllEmptySpans(std::span<const HistogramSpan> spans) {
  for (const HistogramSpan& s : spans) {
    if (s.length > 0) return false;
  }
  return true;
}

// If *current (spans[*next - 1]) is zero-length: merges it and the
// zero-length spans after it into the first span with buckets after them,
// advancing *next past it (Go's int32 offsets wrap).
void MergeZeroLengthSpans(std::span<const HistogramSpan> spans, size_t* next,
                          HistogramSpan* current) {
  if (current->length != 0) return;
  const auto add = [](int32_t a, int32_t b) {
    return static_cast<int32_t>(static_cast<uint32_t>(a) +
                                static_cast<uint32_t>(b));
  };
  for (; *next < spans.size() && spans[*next].length == 0; ++*next) {
    current->offset = add(current->offset, spans[*next].offset);
  }
  if (*next < spans.size()) {
    current->offset = add(current->offset, spans[*next].offset);
    current->length = spans[*next].length;
    ++*next;
  }
}

template <typename H>
bool Equal(const H& a, const H& b) {
  return a.schema == b.schema && a.zero_threshold == b.zero_threshold &&
         a.zero_count == b.zero_count && a.count == b.count && a.sum == b.sum &&
         HistogramSpansMatch(a.positive_spans, b.positive_spans) &&
         HistogramSpansMatch(a.negative_spans, b.negative_spans) &&
         a.positive_buckets == b.positive_buckets &&
         a.negative_buckets == b.negative_buckets;
}

}  // namespace

bool HistogramSpansMatch(std::span<const HistogramSpan> a,
                         std::span<const HistogramSpan> b) {
  size_t i = 0;
  size_t j = 0;
  for (;;) {
    if (i >= a.size()) return AllEmptySpans(b.subspan(j));
    if (j >= b.size()) return AllEmptySpans(a.subspan(i));
    HistogramSpan x = a[i++];
    HistogramSpan y = b[j++];
    MergeZeroLengthSpans(a, &i, &x);
    MergeZeroLengthSpans(b, &j, &y);
    // Both ended in zero-length spans: what came before matched.
    if (x.length == 0 && y.length == 0) return true;
    if (x != y) return false;
  }
}

bool HistogramsEqual(const Histogram& a, const Histogram& b) {
  return Equal(a, b);
}

bool HistogramsEqual(const FloatHistogram& a, const FloatHistogram& b) {
  return Equal(a, b);
}

FloatHistogram IteratorFloatHistogram(const Histogram& h) {
  FloatHistogram f = WithoutBuckets(h);
  f.positive_buckets = AbsoluteByIntSums(h.positive_buckets);
  f.negative_buckets = AbsoluteByIntSums(h.negative_buckets);
  return f;
}

}  // namespace chunk

}  // namespace strata
