// ValidateHistogram and ValidateFloatHistogram (strata/histogram.h): the
// checks and error texts of Prometheus 2.42's tsdb/head_append.go
// (ValidateHistogram, checkHistogramSpans, checkHistogramBuckets) with
// storage's Err* sentinels, which errors.Wrap puts last.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chunk/histogram.h"
#include "util/go_format.h"
#include "util/strings.h"

namespace strata {
namespace {

constexpr std::string_view kCountNotBigEnough =
    "histogram's observation count should be at least the number of "
    "observations found in the buckets";
constexpr std::string_view kNegativeBucketCount =
    "histogram has a bucket whose observation count is negative";
constexpr std::string_view kSpanNegativeOffset =
    "histogram has a span whose offset is negative";
constexpr std::string_view kSpansBucketsMismatch =
    "histogram spans specify different number of buckets than provided";

// errors.Wrap(errors.Wrap(sentinel, detail), side).
Status Invalid(std::string_view side, const std::string& detail,
               std::string_view sentinel) {
  return Status::InvalidArgument(Cat(side, ": ", detail, ": ", sentinel));
}

// checkHistogramSpans: no negative offset after the first span, and the
// spans' lengths add up to the number of buckets.
Status CheckSpans(std::string_view side, std::span<const HistogramSpan> spans,
                  size_t num_buckets) {
  // Go sums into an int: 64 bits, no overflow from uint32 lengths.
  int64_t span_buckets = 0;
  for (size_t n = 0; n < spans.size(); ++n) {
    if (n > 0 && spans[n].offset < 0) {
      return Invalid(
          side, Cat("span number ", n + 1, " with offset ", spans[n].offset),
          kSpanNegativeOffset);
    }
    span_buckets += spans[n].length;
  }
  if (span_buckets != static_cast<int64_t>(num_buckets)) {
    return Invalid(side,
                   Cat("spans need ", span_buckets, " buckets, have ",
                       num_buckets, " buckets"),
                   kSpansBucketsMismatch);
  }
  return Status::OK();
}

// checkHistogramBuckets for deltas: each absolute count (wrapping int64
// arithmetic, as Go's) must be >= 0; adds them to *count (wrapping uint64).
Status CheckDeltaBuckets(std::string_view side, std::span<const int64_t> deltas,
                         uint64_t* count) {
  uint64_t last = 0;
  for (size_t i = 0; i < deltas.size(); ++i) {
    const uint64_t c = last + static_cast<uint64_t>(deltas[i]);
    if (static_cast<int64_t>(c) < 0) {
      return Invalid(side,
                     Cat("bucket number ", i + 1, " has observation count of ",
                         static_cast<int64_t>(c)),
                     kNegativeBucketCount);
    }
    last = c;
    *count += c;
  }
  return Status::OK();
}

// checkHistogramBuckets for absolute float counts; %v prints the count.
Status CheckFloatBuckets(std::string_view side, std::span<const double> counts,
                         double* count) {
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] < 0) {
      return Invalid(side,
                     Cat("bucket number ", i + 1, " has observation count of ",
                         FormatGoFloat(counts[i], GoFloatFormat::kShortest)),
                     kNegativeBucketCount);
    }
    *count += counts[i];
  }
  return Status::OK();
}

// ValidateHistogram's steps for either kind: spans of both sides, then
// their buckets (`check_buckets`), then the count (printed by
// `format_count`).
template <typename H, typename Count, typename CheckBuckets,
          typename FormatCount>
Status Validate(const H& h, CheckBuckets check_buckets,
                FormatCount format_count) {
  STRATA_RETURN_IF_ERROR(
      CheckSpans("negative side", h.negative_spans, h.negative_buckets.size()));
  STRATA_RETURN_IF_ERROR(
      CheckSpans("positive side", h.positive_spans, h.positive_buckets.size()));
  Count negative = 0, positive = 0;
  STRATA_RETURN_IF_ERROR(
      check_buckets("negative side", h.negative_buckets, &negative));
  STRATA_RETURN_IF_ERROR(
      check_buckets("positive side", h.positive_buckets, &positive));
  if (const Count c = negative + positive; c > h.count) {
    return Status::InvalidArgument(
        Cat(format_count(c),
            " observations found in buckets, but the Count field is ",
            format_count(h.count), ": ", kCountNotBigEnough));
  }
  return Status::OK();
}

}  // namespace

Status ValidateHistogram(const Histogram& h) {
  return Validate<Histogram, uint64_t>(h, CheckDeltaBuckets,
                                       [](uint64_t c) { return Cat(c); });
}

Status ValidateFloatHistogram(const FloatHistogram& h) {
  // fmt's %f.
  return Validate<FloatHistogram, double>(
      h, CheckFloatBuckets, [](double c) { return FormatGoFloatFixed(c, 6); });
}

}  // namespace strata
