#include "server/remote/otlp_decoder.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "server/remote/protowire.h"
#include "util/coding.h"
#include "util/go_format.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// Field numbers of opentelemetry.proto (collector/metrics/v1,
// metrics/v1, resource/v1, common/v1).
constexpr uint32_t kRequestResourceMetrics = 1;
constexpr uint32_t kResourceMetricsResource = 1;
constexpr uint32_t kResourceMetricsScopeMetrics = 2;
constexpr uint32_t kResourceAttributes = 1;
constexpr uint32_t kScopeMetricsScope = 1;
constexpr uint32_t kScopeMetricsMetrics = 2;
constexpr uint32_t kScopeMetricsSchemaUrl = 3;
constexpr uint32_t kScopeName = 1;
constexpr uint32_t kScopeVersion = 2;
constexpr uint32_t kScopeAttributes = 3;
constexpr uint32_t kMetricName = 1;
constexpr uint32_t kMetricDescription = 2;
constexpr uint32_t kMetricUnit = 3;
constexpr uint32_t kMetricGauge = 5;
constexpr uint32_t kMetricSum = 7;
constexpr uint32_t kMetricHistogram = 9;
constexpr uint32_t kMetricExponentialHistogram = 10;
constexpr uint32_t kMetricSummary = 11;
// Gauge, Sum, Histogram, ExponentialHistogram and Summary.
constexpr uint32_t kDataPoints = 1;
constexpr uint32_t kDataTemporality = 2;
constexpr uint32_t kSumIsMonotonic = 3;
// Every data point type.
constexpr uint32_t kPointTime = 3;
// NumberDataPoint.
constexpr uint32_t kNumberAsDouble = 4;
constexpr uint32_t kNumberAsInt = 6;
constexpr uint32_t kNumberAttributes = 7;
constexpr uint32_t kNumberFlags = 8;
// HistogramDataPoint.
constexpr uint32_t kHistogramCount = 4;
constexpr uint32_t kHistogramSum = 5;
constexpr uint32_t kHistogramBucketCounts = 6;
constexpr uint32_t kHistogramExplicitBounds = 7;
constexpr uint32_t kHistogramAttributes = 9;
constexpr uint32_t kHistogramFlags = 10;
// ExponentialHistogramDataPoint and its Buckets.
constexpr uint32_t kExpHistogramAttributes = 1;
constexpr uint32_t kExpHistogramCount = 4;
constexpr uint32_t kExpHistogramSum = 5;
constexpr uint32_t kExpHistogramScale = 6;
constexpr uint32_t kExpHistogramZeroCount = 7;
constexpr uint32_t kExpHistogramPositive = 8;
constexpr uint32_t kExpHistogramNegative = 9;
constexpr uint32_t kExpHistogramFlags = 10;
constexpr uint32_t kBucketsOffset = 1;
constexpr uint32_t kBucketsCounts = 2;
// SummaryDataPoint and ValueAtQuantile.
constexpr uint32_t kSummaryCount = 4;
constexpr uint32_t kSummarySum = 5;
constexpr uint32_t kSummaryQuantiles = 6;
constexpr uint32_t kSummaryAttributes = 7;
constexpr uint32_t kSummaryFlags = 8;
constexpr uint32_t kQuantileQuantile = 1;
constexpr uint32_t kQuantileValue = 2;
// KeyValue, AnyValue, ArrayValue and KeyValueList.
constexpr uint32_t kKeyValueKey = 1;
constexpr uint32_t kKeyValueValue = 2;
constexpr uint32_t kAnyString = 1;
constexpr uint32_t kAnyBool = 2;
constexpr uint32_t kAnyInt = 3;
constexpr uint32_t kAnyDouble = 4;
constexpr uint32_t kAnyArray = 5;
constexpr uint32_t kAnyKeyValueList = 6;
constexpr uint32_t kAnyBytes = 7;
constexpr uint32_t kListValues = 1;

// Nesting of AnyValue (arrays, key-value lists) past this is refused, so
// that hostile input cannot exhaust the stack.
constexpr int kMaxValueDepth = 32;

Status Malformed(std::string_view message, const WireReader& r) {
  return Status::InvalidArgument(
      Cat("malformed OTLP ", message, ": ",
          r.error() != nullptr ? r.error() : "unexpected field", " at byte ",
          r.offset()));
}

// The range of `v` from `first` to its end.
template <typename T>
OtlpRange RangeFrom(const std::vector<T>& v, size_t first) {
  return {static_cast<uint32_t>(first),
          static_cast<uint32_t>(v.size() - first)};
}

// Appends a KeyValue to request->attributes.
Status DecodeAttribute(std::string_view data, OtlpRequest* request) {
  OtlpAttribute attribute;
  WireReader r(data);
  while (r.Next()) {
    if (r.field() == kKeyValueKey) {
      if (!r.Bytes(&attribute.key)) break;
    } else if (r.field() == kKeyValueValue) {
      if (!r.Bytes(&attribute.value)) break;
    }
  }
  if (r.error() != nullptr) return Malformed("KeyValue", r);
  request->attributes.push_back(attribute);
  return Status::OK();
}

Status DecodeQuantile(std::string_view data, OtlpRequest* request) {
  OtlpQuantile q;
  WireReader r(data);
  while (r.Next()) {
    if (r.field() == kQuantileQuantile) {
      if (!r.Double(&q.quantile)) break;
    } else if (r.field() == kQuantileValue) {
      if (!r.Double(&q.value)) break;
    }
  }
  if (r.error() != nullptr) return Malformed("ValueAtQuantile", r);
  request->quantiles.push_back(q);
  return Status::OK();
}

// Decodes an ExponentialHistogramDataPoint.Buckets into *buckets, its
// counts appended to request->bucket_counts. A repeated Buckets field
// replaces the earlier one.
Status DecodeBuckets(std::string_view data, OtlpBuckets* buckets,
                     OtlpRequest* request) {
  *buckets = OtlpBuckets{};
  const size_t first_count = request->bucket_counts.size();
  WireReader r(data);
  while (r.Next()) {
    if (r.field() == kBucketsOffset) {
      if (!r.Sint32(&buckets->offset)) break;
    } else if (r.field() == kBucketsCounts) {
      if (!r.RepeatedVarint(
              [&](uint64_t v) { request->bucket_counts.push_back(v); })) {
        break;
      }
    }
  }
  if (r.error() != nullptr) return Malformed("Buckets", r);
  buckets->counts = RangeFrom(request->bucket_counts, first_count);
  return Status::OK();
}

// The fields of each data point message that the translation uses.
struct PointFields {
  std::string_view message;
  uint32_t attributes;
  uint32_t flags;
};

PointFields FieldsOf(OtlpMetricType type) {
  switch (type) {
    case OtlpMetricType::kHistogram:
      return {"HistogramDataPoint", kHistogramAttributes, kHistogramFlags};
    case OtlpMetricType::kExponentialHistogram:
      return {"ExponentialHistogramDataPoint", kExpHistogramAttributes,
              kExpHistogramFlags};
    case OtlpMetricType::kSummary:
      return {"SummaryDataPoint", kSummaryAttributes, kSummaryFlags};
    default:
      return {"NumberDataPoint", kNumberAttributes, kNumberFlags};
  }
}

// Decodes one field of a data point of `type` other than its attributes
// and flags. False if the reader failed.
bool DecodePointField(OtlpMetricType type, WireReader& r, OtlpPoint* point,
                      OtlpRequest* request) {
  uint64_t bits = 0;
  if (r.field() == kPointTime) return r.Fixed64(&point->time_unix_nano);
  switch (type) {
    case OtlpMetricType::kGauge:
    case OtlpMetricType::kSum:
      if (r.field() == kNumberAsDouble) return r.Double(&point->value);
      if (r.field() == kNumberAsInt) {
        if (!r.Fixed64(&bits)) return false;
        point->value = static_cast<double>(static_cast<int64_t>(bits));
      }
      return true;
    case OtlpMetricType::kHistogram:
      if (r.field() == kHistogramCount) return r.Fixed64(&point->count);
      if (r.field() == kHistogramSum) {
        point->has_sum = true;
        return r.Double(&point->sum);
      }
      if (r.field() == kHistogramBucketCounts) {
        return r.RepeatedFixed64(
            [&](uint64_t v) { request->bucket_counts.push_back(v); });
      }
      if (r.field() == kHistogramExplicitBounds) {
        return r.RepeatedFixed64([&](uint64_t v) {
          request->explicit_bounds.push_back(BitsToDouble(v));
        });
      }
      return true;
    case OtlpMetricType::kExponentialHistogram:
      if (r.field() == kExpHistogramCount) return r.Fixed64(&point->count);
      if (r.field() == kExpHistogramSum) {
        point->has_sum = true;
        return r.Double(&point->sum);
      }
      if (r.field() == kExpHistogramScale) return r.Sint32(&point->scale);
      if (r.field() == kExpHistogramZeroCount) {
        return r.Fixed64(&point->zero_count);
      }
      return true;
    case OtlpMetricType::kSummary:
      if (r.field() == kSummaryCount) return r.Fixed64(&point->count);
      if (r.field() == kSummarySum) return r.Double(&point->sum);
      return true;
    default:
      return true;
  }
}

// Appends a data point of a metric of `type` to request->points.
Status DecodePoint(OtlpMetricType type, std::string_view data,
                   OtlpRequest* request) {
  const PointFields fields = FieldsOf(type);
  OtlpPoint point;
  const size_t first_attribute = request->attributes.size();
  const size_t first_count = request->bucket_counts.size();
  const size_t first_bound = request->explicit_bounds.size();
  const size_t first_quantile = request->quantiles.size();
  WireReader r(data);
  while (r.Next()) {
    std::string_view sub;
    if (r.field() == fields.attributes) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeAttribute(sub, request));
    } else if (r.field() == fields.flags) {
      if (!r.Uint32(&point.flags)) break;
    } else if (type == OtlpMetricType::kSummary &&
               r.field() == kSummaryQuantiles) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeQuantile(sub, request));
    } else if (type == OtlpMetricType::kExponentialHistogram &&
               (r.field() == kExpHistogramPositive ||
                r.field() == kExpHistogramNegative)) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeBuckets(sub,
                                           r.field() == kExpHistogramPositive
                                               ? &point.positive
                                               : &point.negative,
                                           request));
    } else if (!DecodePointField(type, r, &point, request)) {
      break;
    }
  }
  if (r.error() != nullptr) return Malformed(fields.message, r);
  point.attributes = RangeFrom(request->attributes, first_attribute);
  point.bucket_counts = RangeFrom(request->bucket_counts, first_count);
  point.explicit_bounds = RangeFrom(request->explicit_bounds, first_bound);
  point.quantiles = RangeFrom(request->quantiles, first_quantile);
  request->points.push_back(point);
  return Status::OK();
}

// Decodes Gauge, Sum, Histogram, ExponentialHistogram or Summary into
// *metric (a later data field replaces an earlier one, as for a oneof).
Status DecodeMetricData(OtlpMetricType type, std::string_view data,
                        OtlpMetric* metric, OtlpRequest* request) {
  metric->type = type;
  metric->temporality = OtlpTemporality::kUnspecified;
  metric->monotonic = false;
  const size_t first_point = request->points.size();
  WireReader r(data);
  while (r.Next()) {
    uint64_t v = 0;
    std::string_view sub;
    if (r.field() == kDataPoints) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodePoint(type, sub, request));
    } else if (r.field() == kDataTemporality &&
               type != OtlpMetricType::kGauge &&
               type != OtlpMetricType::kSummary) {
      if (!r.Varint(&v)) break;
      metric->temporality = static_cast<OtlpTemporality>(std::min<uint64_t>(
          v, static_cast<uint64_t>(OtlpTemporality::kCumulative) + 1));
    } else if (r.field() == kSumIsMonotonic && type == OtlpMetricType::kSum) {
      if (!r.Varint(&v)) break;
      metric->monotonic = v != 0;
    }
  }
  if (r.error() != nullptr) return Malformed("metric data", r);
  metric->points = RangeFrom(request->points, first_point);
  return Status::OK();
}

OtlpMetricType MetricTypeOfField(uint32_t field) {
  switch (field) {
    case kMetricGauge:
      return OtlpMetricType::kGauge;
    case kMetricSum:
      return OtlpMetricType::kSum;
    case kMetricHistogram:
      return OtlpMetricType::kHistogram;
    case kMetricExponentialHistogram:
      return OtlpMetricType::kExponentialHistogram;
    case kMetricSummary:
      return OtlpMetricType::kSummary;
    default:
      return OtlpMetricType::kNone;
  }
}

Status DecodeMetric(std::string_view data, OtlpRequest* request) {
  OtlpMetric metric;
  WireReader r(data);
  while (r.Next()) {
    std::string_view sub;
    const OtlpMetricType type = MetricTypeOfField(r.field());
    if (type != OtlpMetricType::kNone) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeMetricData(type, sub, &metric, request));
    } else if (r.field() == kMetricName) {
      if (!r.Bytes(&metric.name)) break;
    } else if (r.field() == kMetricDescription) {
      if (!r.Bytes(&metric.description)) break;
    } else if (r.field() == kMetricUnit) {
      if (!r.Bytes(&metric.unit)) break;
    }
  }
  if (r.error() != nullptr) return Malformed("Metric", r);
  request->metrics.push_back(metric);
  return Status::OK();
}

// Decodes an InstrumentationScope into *scope.
Status DecodeScope(std::string_view data, OtlpScope* scope,
                   OtlpRequest* request) {
  const size_t first_attribute = request->attributes.size();
  WireReader r(data);
  while (r.Next()) {
    std::string_view sub;
    if (r.field() == kScopeName) {
      if (!r.Bytes(&scope->name)) break;
    } else if (r.field() == kScopeVersion) {
      if (!r.Bytes(&scope->version)) break;
    } else if (r.field() == kScopeAttributes) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeAttribute(sub, request));
    }
  }
  if (r.error() != nullptr) return Malformed("InstrumentationScope", r);
  scope->attributes = RangeFrom(request->attributes, first_attribute);
  return Status::OK();
}

Status DecodeScopeMetrics(std::string_view data, OtlpRequest* request) {
  OtlpScope scope;
  const size_t first_metric = request->metrics.size();
  WireReader r(data);
  while (r.Next()) {
    std::string_view sub;
    if (r.field() == kScopeMetricsScope) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeScope(sub, &scope, request));
    } else if (r.field() == kScopeMetricsMetrics) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeMetric(sub, request));
    } else if (r.field() == kScopeMetricsSchemaUrl) {
      if (!r.Bytes(&scope.schema_url)) break;
    }
  }
  if (r.error() != nullptr) return Malformed("ScopeMetrics", r);
  scope.metrics = RangeFrom(request->metrics, first_metric);
  request->scopes.push_back(scope);
  return Status::OK();
}

Status DecodeResource(std::string_view data, OtlpResource* resource,
                      OtlpRequest* request) {
  const size_t first_attribute = request->attributes.size();
  WireReader r(data);
  while (r.Next()) {
    std::string_view sub;
    if (r.field() == kResourceAttributes) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeAttribute(sub, request));
    }
  }
  if (r.error() != nullptr) return Malformed("Resource", r);
  resource->attributes = RangeFrom(request->attributes, first_attribute);
  return Status::OK();
}

Status DecodeResourceMetrics(std::string_view data, OtlpRequest* request) {
  OtlpResource resource;
  const size_t first_scope = request->scopes.size();
  WireReader r(data);
  while (r.Next()) {
    std::string_view sub;
    if (r.field() == kResourceMetricsResource) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeResource(sub, &resource, request));
    } else if (r.field() == kResourceMetricsScopeMetrics) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeScopeMetrics(sub, request));
    }
  }
  if (r.error() != nullptr) return Malformed("ResourceMetrics", r);
  resource.scopes = RangeFrom(request->scopes, first_scope);
  request->resources.push_back(resource);
  return Status::OK();
}

// ---- AnyValue as text ----

void AppendBase64(std::string* out, std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) |
                       static_cast<uint8_t>(in[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) {
      out->push_back(kAlphabet[(v >> shift) & 63]);
    }
  }
  const size_t rest = in.size() - i;
  if (rest == 0) return;
  uint32_t v = static_cast<uint8_t>(in[i]) << 16;
  if (rest == 2) v |= static_cast<uint8_t>(in[i + 1]) << 8;
  out->push_back(kAlphabet[(v >> 18) & 63]);
  out->push_back(kAlphabet[(v >> 12) & 63]);
  out->push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
  out->push_back('=');
}

// A float64 as encoding/json (and pcommon's AsString) writes it: like
// JavaScript, 'f' form unless the magnitude is below 1e-6 or at least
// 1e21, then 'e' form without a leading zero in a negative exponent.
void AppendJsonNumber(std::string* out, double v) {
  const double abs = std::fabs(v);
  const bool exponent = abs != 0 && (abs < 1e-6 || abs >= 1e21);
  const size_t begin = out->size();
  AppendGoFloat(out, v,
                exponent ? GoFloatFormat::kExponent : GoFloatFormat::kFixed);
  const size_t n = out->size() - begin;
  if (exponent && n >= 4 && (*out)[out->size() - 4] == 'e' &&
      (*out)[out->size() - 3] == '-' && (*out)[out->size() - 2] == '0') {
    out->erase(out->size() - 2, 1);
  }
}

// One decoded AnyValue: which member was set (the last one, as for a
// oneof) and its payload.
struct AnyValue {
  uint32_t field = 0;  // 0: none.
  uint64_t scalar = 0;
  std::string_view bytes;
};

Status ParseAnyValue(std::string_view encoded, AnyValue* value) {
  WireReader r(encoded);
  while (r.Next()) {
    switch (r.field()) {
      case kAnyBool:
      case kAnyInt:
        if (!r.Varint(&value->scalar)) break;
        value->field = r.field();
        break;
      case kAnyDouble:
        if (!r.Fixed64(&value->scalar)) break;
        value->field = r.field();
        break;
      case kAnyString:
      case kAnyArray:
      case kAnyKeyValueList:
      case kAnyBytes:
        if (!r.Bytes(&value->bytes)) break;
        value->field = r.field();
        break;
      default:
        break;
    }
  }
  return r.error() == nullptr ? Status::OK() : Malformed("AnyValue", r);
}

Status AppendJsonValue(std::string_view encoded, int depth, std::string* out,
                       bool* unsupported);

// An ArrayValue or KeyValueList as JSON (a list's keys sorted, as
// encoding/json writes a map; a repeated key keeps its last value).
Status AppendJsonContainer(const AnyValue& v, int depth, std::string* out,
                           bool* unsupported) {
  if (depth > kMaxValueDepth) {
    return Status::InvalidArgument("malformed OTLP AnyValue: nested too deep");
  }
  std::map<std::string_view, std::string_view> members;
  bool first = true;
  out->push_back(v.field == kAnyArray ? '[' : '{');
  WireReader r(v.bytes);
  while (r.Next()) {
    std::string_view sub;
    if (r.field() != kListValues) continue;
    if (!r.Bytes(&sub)) break;
    if (v.field == kAnyArray) {
      if (!first) out->push_back(',');
      first = false;
      STRATA_RETURN_IF_ERROR(AppendJsonValue(sub, depth + 1, out, unsupported));
      continue;
    }
    OtlpRequest scratch;
    STRATA_RETURN_IF_ERROR(DecodeAttribute(sub, &scratch));
    members[scratch.attributes.back().key] = scratch.attributes.back().value;
  }
  if (r.error() != nullptr) return Malformed("AnyValue list", r);
  for (const auto& [key, value] : members) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, key);
    out->push_back(':');
    STRATA_RETURN_IF_ERROR(AppendJsonValue(value, depth + 1, out, unsupported));
  }
  out->push_back(v.field == kAnyArray ? ']' : '}');
  return Status::OK();
}

// An AnyValue as encoding/json writes its AsRaw() form; *unsupported set
// for a NaN or infinite double (which make json.Marshal fail).
Status AppendJsonValue(std::string_view encoded, int depth, std::string* out,
                       bool* unsupported) {
  AnyValue v;
  STRATA_RETURN_IF_ERROR(ParseAnyValue(encoded, &v));
  switch (v.field) {
    case kAnyString:
      AppendJsonString(out, v.bytes);
      return Status::OK();
    case kAnyBool:
      out->append(v.scalar != 0 ? "true" : "false");
      return Status::OK();
    case kAnyInt:
      out->append(std::to_string(static_cast<int64_t>(v.scalar)));
      return Status::OK();
    case kAnyDouble: {
      const double d = BitsToDouble(v.scalar);
      if (!std::isfinite(d)) *unsupported = true;
      AppendJsonNumber(out, d);
      return Status::OK();
    }
    case kAnyBytes:
      out->push_back('"');
      AppendBase64(out, v.bytes);
      out->push_back('"');
      return Status::OK();
    case kAnyArray:
    case kAnyKeyValueList:
      return AppendJsonContainer(v, depth, out, unsupported);
    default:
      out->append("null");
      return Status::OK();
  }
}

}  // namespace

Status DecodeOtlpMetricsRequest(std::string_view data, OtlpRequest* request) {
  *request = OtlpRequest{};
  WireReader r(data);
  while (r.Next()) {
    std::string_view sub;
    if (r.field() == kRequestResourceMetrics) {
      if (!r.Bytes(&sub)) break;
      STRATA_RETURN_IF_ERROR(DecodeResourceMetrics(sub, request));
    }
  }
  if (r.error() != nullptr) {
    return Malformed("ExportMetricsServiceRequest", r);
  }
  return Status::OK();
}

Status AnyValueText(std::string_view encoded, std::string* out) {
  out->clear();
  AnyValue v;
  STRATA_RETURN_IF_ERROR(ParseAnyValue(encoded, &v));
  switch (v.field) {
    case kAnyString:
      out->assign(v.bytes);
      return Status::OK();
    case kAnyBytes:
      AppendBase64(out, v.bytes);
      return Status::OK();
    case kAnyDouble: {
      const double d = BitsToDouble(v.scalar);
      if (!std::isfinite(d)) {
        out->append("json: unsupported value: ");
        AppendGoFloat(out, d, GoFloatFormat::kShortest);
        return Status::OK();
      }
      AppendJsonNumber(out, d);
      return Status::OK();
    }
    case 0:
      return Status::OK();
    default: {
      bool unsupported = false;
      STRATA_RETURN_IF_ERROR(AppendJsonValue(encoded, 0, out, &unsupported));
      if (unsupported) out->clear();  // json.Marshal failed.
      return Status::OK();
    }
  }
}

}  // namespace strata::server
