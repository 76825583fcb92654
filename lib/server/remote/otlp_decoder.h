// Decodes an OTLP metrics export request
// (opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest,
// protobuf encoding; field numbers in proto/FORMAT.md) into OtlpRequest:
// flat vectors of resources, scopes, metrics and data points, each
// referring to its parts by index ranges, with strings as views into the
// request body (which must outlive the OtlpRequest).
//
// Only what the OpenTelemetry-to-Prometheus translation uses is kept:
// attributes stay encoded (OtlpAttribute::value, an AnyValue, turned into
// Prometheus's text by AnyValueText when needed); exemplars, min/max,
// and start times are skipped, like unknown fields.
//
// Thread-safety: functions over their arguments.
#ifndef STRATA_SERVER_REMOTE_OTLP_DECODER_H_
#define STRATA_SERVER_REMOTE_OTLP_DECODER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::server {

// A half-open range [first, first + count) of one of OtlpRequest's vectors.
struct OtlpRange {
  uint32_t first = 0;
  uint32_t count = 0;
};

struct OtlpAttribute {
  std::string_view key;
  std::string_view value;  // An encoded AnyValue; empty: no value.
};

// Metric.data's oneof; kNone when absent.
enum class OtlpMetricType : uint8_t {
  kNone,
  kGauge,
  kSum,
  kHistogram,
  kExponentialHistogram,
  kSummary,
};

// AggregationTemporality.
enum class OtlpTemporality : uint8_t {
  kUnspecified = 0,
  kDelta = 1,
  kCumulative = 2,
};

// DataPointFlags.FLAG_NO_RECORDED_VALUE_MASK: the point marks the end of
// a series (Prometheus writes a stale marker).
inline constexpr uint32_t kOtlpFlagNoRecordedValue = 1;

// One side of an exponential histogram: the index of its first bucket and
// the bucket counts, a range of OtlpRequest::bucket_counts.
struct OtlpBuckets {
  int32_t offset = 0;
  OtlpRange counts;
};

// One data point of any type; the fields a type does not have stay zero.
struct OtlpPoint {
  OtlpRange attributes;
  uint64_t time_unix_nano = 0;
  uint32_t flags = 0;
  // NumberDataPoint: as_double, or as_int converted.
  double value = 0;
  // Histogram and summary points.
  uint64_t count = 0;
  bool has_sum = false;  // Histogram: `optional double sum` was present.
  double sum = 0;
  // Histogram: OtlpRequest::bucket_counts and explicit_bounds.
  OtlpRange bucket_counts;
  OtlpRange explicit_bounds;
  // Summary: OtlpRequest::quantiles.
  OtlpRange quantiles;
  // ExponentialHistogram (count, has_sum and sum above as well; its
  // zero_threshold is skipped, as Prometheus does).
  int32_t scale = 0;
  uint64_t zero_count = 0;
  OtlpBuckets positive;
  OtlpBuckets negative;
};

struct OtlpQuantile {
  double quantile = 0;
  double value = 0;
};

struct OtlpMetric {
  std::string_view name;
  std::string_view description;
  std::string_view unit;
  OtlpMetricType type = OtlpMetricType::kNone;
  OtlpTemporality temporality = OtlpTemporality::kUnspecified;
  bool monotonic = false;
  OtlpRange points;
};

struct OtlpScope {
  std::string_view name;
  std::string_view version;
  std::string_view schema_url;  // ScopeMetrics.schema_url.
  OtlpRange attributes;
  OtlpRange metrics;
};

struct OtlpResource {
  OtlpRange attributes;
  OtlpRange scopes;
};

struct OtlpRequest {
  std::vector<OtlpResource> resources;
  std::vector<OtlpScope> scopes;
  std::vector<OtlpMetric> metrics;
  std::vector<OtlpPoint> points;
  std::vector<OtlpAttribute> attributes;
  std::vector<uint64_t> bucket_counts;
  std::vector<double> explicit_bounds;
  std::vector<OtlpQuantile> quantiles;

  template <typename T>
  static std::span<const T> Slice(const std::vector<T>& v, OtlpRange r) {
    return {v.data() + r.first, r.count};
  }
};

// Decodes `data` into *request. InvalidArgument naming the message and
// byte offset if it is malformed.
Status DecodeOtlpMetricsRequest(std::string_view data, OtlpRequest* request);

// An attribute value as Prometheus writes it into a label value
// (pcommon.Value.AsString): strings as they are, booleans "true"/"false",
// integers in decimal, doubles as JavaScript prints numbers, bytes in
// base64, arrays and key-value lists as JSON; "" for no value.
// InvalidArgument if `encoded` (an AnyValue) is malformed.
Status AnyValueText(std::string_view encoded, std::string* out);

}  // namespace strata::server

#endif  // STRATA_SERVER_REMOTE_OTLP_DECODER_H_
