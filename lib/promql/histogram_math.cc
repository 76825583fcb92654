// Ports of Prometheus 2.42's model/histogram/float_histogram.go and
// generic.go (compactBuckets) and promql/quantile.go's native histogram
// functions. Names follow the Go code so the two can be read side by side.
#include "promql/histogram_math.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace strata::promql {
namespace {

// A bucket as the Go iterators yield it (Bucket[float64]).
struct Bucket {
  double lower = 0;
  double upper = 0;
  double count = 0;
  int32_t index = 0;
};

// floatBucketIterator: one side's buckets in ascending |index| order,
// merged down to `target_schema`, skipping buckets whose upper bound is
// <= `absolute_start`. Bounds are computed in the original schema, as
// baseBucketIterator.At does (callers only use them when the schemas
// agree).
class FloatBucketIterator {
 public:
  FloatBucketIterator(const FloatHistogram& h, bool positive,
                      double absolute_start, int32_t target_schema)
      : spans_(positive ? h.positive_spans : h.negative_spans),
        buckets_(positive ? h.positive_buckets : h.negative_buckets),
        schema_(h.schema),
        target_schema_(target_schema),
        positive_(positive),
        absolute_start_(absolute_start) {}

  bool Next() {
    while (true) {
      if (spans_idx_ >= spans_.size()) return false;
      int32_t orig_idx = orig_idx_;
      size_t spans_idx = spans_idx_;
      uint32_t idx_in_span = idx_in_span_;
      HistogramSpan span = spans_[spans_idx];
      bool first_pass = true;
      curr_count_ = 0;
      while (true) {
        if (buckets_idx_ == 0) {
          orig_idx = span.offset;
        } else {
          ++orig_idx;
        }
        bool exhausted = false;
        while (idx_in_span >= span.length) {
          idx_in_span = 0;
          ++spans_idx;
          if (spans_idx >= spans_.size()) {
            exhausted = true;
            break;
          }
          span = spans_[spans_idx];
          orig_idx += span.offset;
        }
        if (exhausted) {
          if (first_pass) return false;
          break;
        }
        // Spans promising more buckets than there are (never in a
        // validated histogram): stop rather than read past them.
        if (buckets_idx_ >= buckets_.size()) {
          if (first_pass) return false;
          break;
        }
        const int32_t curr_idx = TargetIdx(orig_idx);
        if (first_pass) {
          curr_idx_ = curr_idx;
          first_pass = false;
        } else if (curr_idx != curr_idx_) {
          break;
        }
        curr_count_ += buckets_[buckets_idx_];
        ++idx_in_span;
        ++buckets_idx_;
        orig_idx_ = orig_idx;
        spans_idx_ = spans_idx;
        idx_in_span_ = idx_in_span;
        if (schema_ == target_schema_) break;
      }
      if (HistogramBucketBound(curr_idx_, target_schema_) <= absolute_start_) {
        continue;  // Go recurses into Next.
      }
      return true;
    }
  }

  Bucket At() const {
    Bucket b;
    b.count = curr_count_;
    b.index = curr_idx_;
    if (positive_) {
      b.upper = HistogramBucketBound(curr_idx_, schema_);
      b.lower = HistogramBucketBound(curr_idx_ - 1, schema_);
    } else {
      b.lower = -HistogramBucketBound(curr_idx_, schema_);
      b.upper = -HistogramBucketBound(curr_idx_ - 1, schema_);
    }
    return b;
  }

 private:
  int32_t TargetIdx(int32_t idx) const {
    if (schema_ == target_schema_) return idx;
    // Go's shift of an int32 by 32 or more gives 0 or -1; C++'s is
    // undefined, hence the 64-bit shift, capped.
    const int64_t shift =
        std::min<int64_t>(int64_t{schema_} - target_schema_, 63);
    return static_cast<int32_t>(((int64_t{idx} - 1) >> shift) + 1);
  }

  const std::vector<HistogramSpan>& spans_;
  const std::vector<double>& buckets_;
  const int32_t schema_;
  const int32_t target_schema_;
  const bool positive_;
  const double absolute_start_;
  size_t spans_idx_ = 0;
  uint32_t idx_in_span_ = 0;
  size_t buckets_idx_ = 0;
  double curr_count_ = 0;
  int32_t curr_idx_ = 0;
  int32_t orig_idx_ = 0;
};

// Where addBucket left off: span, bucket and position in the span.
struct BucketCursor {
  int i_span = -1;
  int i_bucket = -1;
  int32_t i_in_span = 0;
  int32_t index = 0;
};

// addBucket: adds `b` after the bucket `c` points at, inserting it (and
// a span, or extending one) if it does not exist.
void AddBucket(const Bucket& b, std::vector<HistogramSpan>& spans,
               std::vector<double>& buckets, BucketCursor& c) {
  if (c.i_span == -1) {
    if (spans.empty() || spans[0].offset > b.index) {
      buckets.insert(buckets.begin(), b.count);
      if (!spans.empty() && spans[0].offset == b.index + 1) {
        spans[0].length++;
        spans[0].offset--;
        c.i_span = 0, c.i_bucket = 0, c.i_in_span = 0;
        return;
      }
      spans.insert(spans.begin(), HistogramSpan{b.index, 1});
      if (spans.size() > 1) spans[1].offset -= b.index + 1;
      c.i_span = 0, c.i_bucket = 0, c.i_in_span = 0;
      return;
    }
    if (spans[0].offset == b.index) {
      buckets[0] += b.count;
      c.i_span = 0, c.i_bucket = 0, c.i_in_span = 0;
      return;
    }
    c.i_span = 0, c.i_bucket = 0, c.i_in_span = 0;
    c.index = spans[0].offset;
  }
  int32_t delta_index = b.index - c.index;
  while (true) {
    const int32_t remaining_in_span =
        static_cast<int32_t>(spans[c.i_span].length) - c.i_in_span;
    if (delta_index < remaining_in_span) {
      c.i_bucket += delta_index;
      c.i_in_span += delta_index;
      buckets[c.i_bucket] += b.count;
      return;
    }
    delta_index -= remaining_in_span;
    c.i_bucket += remaining_in_span;
    c.i_span++;
    if (c.i_span == static_cast<int>(spans.size()) ||
        delta_index < spans[c.i_span].offset) {
      buckets.insert(buckets.begin() + c.i_bucket, b.count);
      if (delta_index == 0) {
        if (c.i_span < static_cast<int>(spans.size())) spans[c.i_span].offset--;
        c.i_span--;
        c.i_in_span = static_cast<int32_t>(spans[c.i_span].length);
        spans[c.i_span].length++;
        return;
      }
      if (c.i_span < static_cast<int>(spans.size()) &&
          delta_index == spans[c.i_span].offset - 1) {
        c.i_in_span = 0;
        spans[c.i_span].offset--;
        spans[c.i_span].length++;
        return;
      }
      c.i_in_span = 0;
      if (c.i_span < static_cast<int>(spans.size())) {
        spans[c.i_span].offset -= delta_index + 1;
      }
      spans.insert(spans.begin() + c.i_span, HistogramSpan{delta_index, 1});
      return;
    }
    delta_index -= spans[c.i_span].offset;
    c.i_in_span = 0;
  }
}

// compactBuckets with maxEmptyBuckets 0 and absolute counts.
void CompactBuckets(std::vector<double>& buckets,
                    std::vector<HistogramSpan>& spans) {
  bool nothing_to_do = true;
  for (double b : buckets) {
    if (b == 0) {
      nothing_to_do = false;
      break;
    }
  }
  if (nothing_to_do) {
    for (const HistogramSpan& s : spans) {
      if (s.offset <= 0 || s.length == 0) {
        nothing_to_do = false;
        break;
      }
    }
    if (nothing_to_do) return;
  }
  size_t i_bucket = 0, i_span = 0;
  uint32_t pos_in_span = 0;
  double current = 0;
  auto empty_buckets_here = [&]() {
    size_t i = 0;
    double abs = current;
    while (static_cast<uint32_t>(i) + pos_in_span < spans[i_span].length &&
           abs == 0) {
      ++i;
      if (i + i_bucket >= buckets.size()) break;
      abs = buckets[i + i_bucket];
    }
    return i;
  };
  if (spans.size() > 1) {
    for (size_t i = 1; i < spans.size(); ++i) {
      const HistogramSpan span = spans[i];
      if (span.offset == 0) {
        spans[i_span].length += span.length;
        continue;
      }
      ++i_span;
      if (i != i_span) spans[i_span] = span;
    }
    spans.resize(i_span + 1);
    i_span = 0;
  }
  for (size_t i = 0; i < spans.size(); ++i) {
    const HistogramSpan span = spans[i];
    if (span.length == 0) {
      if (i + 1 < spans.size()) spans[i + 1].offset += span.offset;
      continue;
    }
    if (i != i_span) spans[i_span] = span;
    ++i_span;
  }
  spans.resize(i_span);
  i_span = 0;
  while (i_bucket < buckets.size()) {
    current = buckets[i_bucket];
    if (const size_t n_empty = empty_buckets_here(); n_empty > 0) {
      buckets.erase(buckets.begin() + i_bucket,
                    buckets.begin() + i_bucket + n_empty);
      if (pos_in_span == 0) {
        if (n_empty == spans[i_span].length) {
          const int32_t offset = spans[i_span].offset;
          spans.erase(spans.begin() + i_span);
          if (spans.size() > i_span) {
            spans[i_span].offset += offset + static_cast<int32_t>(n_empty);
          }
          continue;
        }
        spans[i_span].length -= static_cast<uint32_t>(n_empty);
        spans[i_span].offset += static_cast<int32_t>(n_empty);
        continue;
      }
      const HistogramSpan new_span{
          static_cast<int32_t>(n_empty),
          spans[i_span].length - pos_in_span - static_cast<uint32_t>(n_empty)};
      spans[i_span].length = pos_in_span;
      ++i_span;
      pos_in_span = 0;
      if (new_span.length == 0) {
        if (i_span < spans.size()) {
          spans[i_span].offset += static_cast<int32_t>(n_empty);
        }
        continue;
      }
      spans.insert(spans.begin() + i_span, new_span);
      continue;
    }
    ++i_bucket;
    ++pos_in_span;
    if (pos_in_span >= spans[i_span].length) {
      pos_in_span = 0;
      ++i_span;
    }
  }
}

// zeroCountForLargerThreshold: the zero count with a threshold of at least
// `larger` (moved up to a populated bucket's edge if it falls inside one).
void ZeroCountForLargerThreshold(const FloatHistogram& h, double larger,
                                 double* count, double* threshold) {
  if (larger == h.zero_threshold) {
    *count = h.zero_count;
    *threshold = larger;
    return;
  }
  while (true) {
    double c = h.zero_count;
    FloatBucketIterator pos(h, true, 0, h.schema);
    while (pos.Next()) {
      const Bucket b = pos.At();
      if (b.lower >= larger) break;
      c += b.count;
      if (b.upper > larger) {
        if (b.count != 0) larger = b.upper;
        break;
      }
    }
    FloatBucketIterator neg(h, false, 0, h.schema);
    bool redo = false;
    while (neg.Next()) {
      const Bucket b = neg.At();
      if (b.upper <= -larger) break;
      c += b.count;
      if (b.lower < -larger) {
        if (b.count != 0) {
          larger = -b.lower;
          redo = true;
        }
        break;
      }
    }
    if (redo) continue;
    *count = c;
    *threshold = larger;
    return;
  }
}

void TrimBucketsInZeroBucket(FloatHistogram* h) {
  {
    FloatBucketIterator it(*h, true, 0, h->schema);
    size_t idx = 0;
    while (it.Next()) {
      if (it.At().lower >= h->zero_threshold) break;
      h->positive_buckets[idx++] = 0;
    }
  }
  {
    FloatBucketIterator it(*h, false, 0, h->schema);
    size_t idx = 0;
    while (it.Next()) {
      if (it.At().upper <= -h->zero_threshold) break;
      h->negative_buckets[idx++] = 0;
    }
  }
  HistogramCompact(h);
}

double ReconcileZeroBuckets(FloatHistogram* h, const FloatHistogram& other) {
  double other_count = other.zero_count;
  double other_threshold = other.zero_threshold;
  while (other_threshold != h->zero_threshold) {
    if (h->zero_threshold > other_threshold) {
      ZeroCountForLargerThreshold(other, h->zero_threshold, &other_count,
                                  &other_threshold);
    }
    if (other_threshold > h->zero_threshold) {
      ZeroCountForLargerThreshold(*h, other_threshold, &h->zero_count,
                                  &h->zero_threshold);
      TrimBucketsInZeroBucket(h);
    }
  }
  return other_count;
}

// Folds spans of length 0 into the next span's offset (the buckets stay
// where they are). addBucket indexes a receiving histogram's buckets by
// its spans and would run past them on such a span (Go panics there, and
// the query fails); valid histograms rarely have them, and the result is
// otherwise the same.
void DropEmptySpans(std::vector<HistogramSpan>& spans) {
  if (std::none_of(spans.begin(), spans.end(),
                   [](const HistogramSpan& s) { return s.length == 0; })) {
    return;
  }
  std::vector<HistogramSpan> out;
  int32_t carry = 0;
  for (const HistogramSpan& s : spans) {
    if (s.length == 0) {
      carry += s.offset;
      continue;
    }
    out.push_back({s.offset + carry, s.length});
    carry = 0;
  }
  spans = std::move(out);
}

// Adds (sign 1) or subtracts (sign -1) `other`'s buckets into `h`.
void AddBuckets(FloatHistogram* h, const FloatHistogram& other, double sign) {
  DropEmptySpans(h->positive_spans);
  DropEmptySpans(h->negative_spans);
  // addBucket indexes the buckets by the spans: make them agree (they do
  // in any validated histogram).
  for (auto [spans, buckets] :
       {std::pair{&h->positive_spans, &h->positive_buckets},
        std::pair{&h->negative_spans, &h->negative_buckets}}) {
    size_t n = 0;
    for (const HistogramSpan& s : *spans) n += s.length;
    buckets->resize(n);
  }
  for (int side = 0; side < 2; ++side) {
    const bool positive = side == 0;
    auto& spans = positive ? h->positive_spans : h->negative_spans;
    auto& buckets = positive ? h->positive_buckets : h->negative_buckets;
    BucketCursor cursor;
    FloatBucketIterator it(other, positive, h->zero_threshold, h->schema);
    while (it.Next()) {
      Bucket b = it.At();
      b.count *= sign;
      AddBucket(b, spans, buckets, cursor);
      cursor.index = b.index;
    }
  }
}

bool DetectResetSide(FloatBucketIterator& curr_it,
                     FloatBucketIterator& prev_it) {
  if (!prev_it.Next()) return false;
  Bucket prev = prev_it.At();
  // Go's loop here never reloads prevBucket: only the current previous
  // bucket decides (reproduced).
  auto rest_populated = [&]() { return prev.count != 0; };
  if (!curr_it.Next()) return rest_populated();
  Bucket curr = curr_it.At();
  while (true) {
    while (curr.index < prev.index) {
      if (!curr_it.Next()) return rest_populated();
      curr = curr_it.At();
    }
    if (curr.index > prev.index) {
      if (prev.count != 0) return true;
    } else if (curr.count < prev.count) {
      return true;
    }
    if (!prev_it.Next()) return false;
    prev = prev_it.At();
  }
}

}  // namespace

FloatHistogram HistogramCopyToSchema(const FloatHistogram& h,
                                     int32_t target_schema) {
  if (target_schema == h.schema) return h;
  FloatHistogram c;
  c.counter_reset_hint = h.counter_reset_hint;
  c.schema = target_schema;
  c.zero_threshold = h.zero_threshold;
  c.zero_count = h.zero_count;
  c.count = h.count;
  c.sum = h.sum;
  int32_t index = 0;
  for (int side = 0; side < 2; ++side) {
    const bool positive = side == 0;
    auto& spans = positive ? c.positive_spans : c.negative_spans;
    auto& buckets = positive ? c.positive_buckets : c.negative_buckets;
    BucketCursor cursor;
    cursor.index = index;
    FloatBucketIterator it(h, positive, 0, target_schema);
    while (it.Next()) {
      const Bucket b = it.At();
      AddBucket(b, spans, buckets, cursor);
      cursor.index = b.index;
      index = b.index;
    }
  }
  return c;
}

void HistogramAdd(FloatHistogram* h, const FloatHistogram& other) {
  const double other_zero = ReconcileZeroBuckets(h, other);
  h->zero_count += other_zero;
  h->count += other.count;
  h->sum += other.sum;
  AddBuckets(h, other, 1);
}

void HistogramSub(FloatHistogram* h, const FloatHistogram& other) {
  const double other_zero = ReconcileZeroBuckets(h, other);
  h->zero_count -= other_zero;
  h->count -= other.count;
  h->sum -= other.sum;
  AddBuckets(h, other, -1);
}

FloatHistogram HistogramSum(const FloatHistogram& a, const FloatHistogram& b) {
  if (b.schema >= a.schema) {
    FloatHistogram out = a;
    HistogramAdd(&out, b);
    return out;
  }
  FloatHistogram out = b;
  HistogramAdd(&out, a);
  return out;
}

void HistogramScale(FloatHistogram* h, double factor) {
  h->zero_count *= factor;
  h->count *= factor;
  h->sum *= factor;
  for (double& b : h->positive_buckets) b *= factor;
  for (double& b : h->negative_buckets) b *= factor;
}

void HistogramCompact(FloatHistogram* h) {
  CompactBuckets(h->positive_buckets, h->positive_spans);
  CompactBuckets(h->negative_buckets, h->negative_spans);
}

bool HistogramDetectReset(const FloatHistogram& h,
                          const FloatHistogram& previous) {
  if (h.count < previous.count) return true;
  if (h.schema > previous.schema) return true;
  if (h.zero_threshold < previous.zero_threshold) return true;
  double previous_zero_count, new_threshold;
  ZeroCountForLargerThreshold(previous, h.zero_threshold, &previous_zero_count,
                              &new_threshold);
  if (new_threshold != h.zero_threshold) return true;
  if (h.zero_count < previous_zero_count) return true;
  {
    FloatBucketIterator curr(h, true, h.zero_threshold, h.schema);
    FloatBucketIterator prev(previous, true, h.zero_threshold, h.schema);
    if (DetectResetSide(curr, prev)) return true;
  }
  FloatBucketIterator curr(h, false, h.zero_threshold, h.schema);
  FloatBucketIterator prev(previous, false, h.zero_threshold, h.schema);
  return DetectResetSide(curr, prev);
}

double HistogramQuantile(double q, const FloatHistogram& h) {
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  if (h.count == 0 || std::isnan(q)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  HistogramBucket bucket;
  double count = 0;
  double rank = q * h.count;
  for (const HistogramBucket& b : AllHistogramBuckets(h)) {
    bucket = b;
    count += bucket.count;
    if (count >= rank) break;
  }
  if (bucket.lower < 0 && bucket.upper > 0) {
    if (h.negative_buckets.empty() && !h.positive_buckets.empty()) {
      bucket.lower = 0;
    } else if (h.positive_buckets.empty() && !h.negative_buckets.empty()) {
      bucket.upper = 0;
    }
  }
  if (count > h.count) count = h.count;
  if (count < rank) return bucket.upper;
  rank -= count - bucket.count;
  return bucket.lower + (bucket.upper - bucket.lower) * (rank / bucket.count);
}

double HistogramFraction(double lower, double upper, const FloatHistogram& h) {
  if (h.count == 0 || std::isnan(lower) || std::isnan(upper)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (lower >= upper) return 0;
  double rank = 0, lower_rank = 0, upper_rank = 0;
  bool lower_set = false, upper_set = false;
  for (HistogramBucket b : AllHistogramBuckets(h)) {
    if (b.lower < 0 && b.upper > 0) {
      if (h.negative_buckets.empty() && !h.positive_buckets.empty()) {
        b.lower = 0;
      } else if (h.positive_buckets.empty() && !h.negative_buckets.empty()) {
        b.upper = 0;
      }
    }
    if (!lower_set && b.lower >= lower) {
      lower_rank = rank;
      lower_set = true;
    }
    if (!upper_set && b.lower >= upper) {
      upper_rank = rank;
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    if (!lower_set && b.lower < lower && b.upper > lower) {
      lower_rank = rank + b.count * (lower - b.lower) / (b.upper - b.lower);
      lower_set = true;
    }
    if (!upper_set && b.lower < upper && b.upper > upper) {
      upper_rank = rank + b.count * (upper - b.lower) / (b.upper - b.lower);
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    rank += b.count;
  }
  if (!lower_set || lower_rank > h.count) lower_rank = h.count;
  if (!upper_set || upper_rank > h.count) upper_rank = h.count;
  return (upper_rank - lower_rank) / h.count;
}

int64_t HistogramBytes(const FloatHistogram& h) {
  return static_cast<int64_t>(
      sizeof(FloatHistogram) +
      (h.positive_spans.capacity() + h.negative_spans.capacity()) *
          sizeof(HistogramSpan) +
      (h.positive_buckets.capacity() + h.negative_buckets.capacity()) *
          sizeof(double));
}

}  // namespace strata::promql
