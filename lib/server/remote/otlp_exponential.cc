#include "server/remote/otlp_exponential.h"

#include <limits>

#include "strata/appender.h"
#include "util/coding.h"
#include "util/strings.h"

namespace strata::server {
namespace {

constexpr int32_t kExponentialSchemaMin = -4;
constexpr int32_t kExponentialSchemaMax = 8;
// Gaps of more empty buckets than this start a new span (client_golang).
constexpr int32_t kMaxGapInSpan = 2;
// Bucket indices stay below this (the +1 shift must not overflow).
constexpr int64_t kMaxBucketIndex = std::numeric_limits<int32_t>::max() - 1;

// Builds one side's spans and deltas bucket by bucket.
class SideBuilder {
 public:
  SideBuilder(std::vector<HistogramSpan>* spans, std::vector<int64_t>* deltas)
      : spans_(spans), deltas_(deltas) {}

  void StartSpan(int32_t offset) { spans_->push_back({offset, 0}); }

  // Moves `gap` empty buckets on: inside the span when short, else a new
  // span `gap` indices on.
  void Skip(int32_t gap) {
    if (gap > kMaxGapInSpan) {
      StartSpan(gap);
      return;
    }
    for (int32_t i = 0; i < gap; ++i) Append(0);
  }

  void Append(int64_t count) {
    ++spans_->back().length;
    deltas_->push_back(count - previous_);
    previous_ = count;
  }

 private:
  std::vector<HistogramSpan>* spans_;
  std::vector<int64_t>* deltas_;
  int64_t previous_ = 0;
};

// The Prometheus index holding OTLP bucket `otlp_index` after scaling down.
int32_t PrometheusIndex(int32_t otlp_index, int32_t scale_down) {
  return (otlp_index >> scale_down) + 1;
}

// Prometheus's convertBucketsLayout at scale-down 0: `counts[i]` is the
// count of bucket first + i.
void LayOutDenseBuckets(std::span<const int64_t> counts, int32_t first,
                        std::vector<HistogramSpan>* spans,
                        std::vector<int64_t>* deltas) {
  SideBuilder side(spans, deltas);
  side.StartSpan(first);
  int32_t bucket = first;
  // The count of `bucket`, not yet emitted. An empty bucket is skipped
  // (its count replaced by the next one's) and later emitted as part of
  // the gap before the next non-empty one, or a new span starts.
  int64_t count = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    const int32_t next = first + static_cast<int32_t>(i);
    if (next == bucket) {
      count += counts[i];
      continue;
    }
    if (count == 0) {
      count = counts[i];
      continue;
    }
    side.Skip(next - bucket - 1);
    side.Append(count);
    count = counts[i];
    bucket = next;
  }
  side.Skip(first + static_cast<int32_t>(counts.size()) - 1 - bucket);
  side.Append(count);
}

}  // namespace

void ConvertExponentialBuckets(std::span<const uint64_t> counts, int32_t offset,
                               int32_t scale_down,
                               std::vector<HistogramSpan>* spans,
                               std::vector<int64_t>* deltas) {
  if (counts.empty()) return;
  const int32_t first = PrometheusIndex(offset, scale_down);
  const int32_t last = PrometheusIndex(
      offset + static_cast<int32_t>(counts.size() - 1), scale_down);
  std::vector<int64_t> merged(static_cast<size_t>(last - first) + 1);
  for (size_t i = 0; i < counts.size(); ++i) {
    const int32_t index =
        PrometheusIndex(offset + static_cast<int32_t>(i), scale_down);
    merged[static_cast<size_t>(index - first)] +=
        static_cast<int64_t>(counts[i]);
  }
  LayOutDenseBuckets(merged, first, spans, deltas);
}

StatusOr<::strata::Histogram> ExponentialToNativeHistogram(
    const OtlpPoint& p, const OtlpRequest& request) {
  if (p.scale < kExponentialSchemaMin) {
    return Status::InvalidArgument(
        Cat("cannot convert exponential to native histogram. Scale must be "
            ">= ",
            kExponentialSchemaMin, ", was ", p.scale));
  }
  for (const OtlpBuckets* side : {&p.positive, &p.negative}) {
    if (int64_t{side->offset} + side->counts.count > kMaxBucketIndex) {
      return Status::InvalidArgument(
          Cat("exponential histogram bucket index out of range: offset ",
              side->offset, " with ", side->counts.count, " buckets"));
    }
  }
  const int32_t scale_down =
      p.scale > kExponentialSchemaMax ? p.scale - kExponentialSchemaMax : 0;
  ::strata::Histogram h;
  h.counter_reset_hint = CounterResetHint::kUnknown;
  h.schema = p.scale - scale_down;
  h.zero_threshold = kOtlpExponentialZeroThreshold;
  h.zero_count = p.zero_count;
  ConvertExponentialBuckets(
      OtlpRequest::Slice(request.bucket_counts, p.positive.counts),
      p.positive.offset, scale_down, &h.positive_spans, &h.positive_buckets);
  ConvertExponentialBuckets(
      OtlpRequest::Slice(request.bucket_counts, p.negative.counts),
      p.negative.offset, scale_down, &h.negative_spans, &h.negative_buckets);
  if ((p.flags & kOtlpFlagNoRecordedValue) != 0) {
    h.sum = BitsToDouble(kStaleNaNBits);
    h.count = kStaleNaNBits;
  } else {
    if (p.has_sum) h.sum = p.sum;
    h.count = p.count;
  }
  return h;
}

}  // namespace strata::server
