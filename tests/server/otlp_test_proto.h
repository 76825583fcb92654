// Builds OTLP metrics requests (ExportMetricsServiceRequest) in the
// protobuf wire format for the OTLP tests, field by field, independent of
// the decoder under test (field numbers from opentelemetry-proto's
// metrics/v1/metrics.proto, common/v1 and resource/v1).
#ifndef STRATA_TESTS_SERVER_OTLP_TEST_PROTO_H_
#define STRATA_TESTS_SERVER_OTLP_TEST_PROTO_H_

#include <bit>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace strata::testing::otlp {

// One protobuf message being written.
class Msg {
 public:
  Msg& Bytes(uint32_t field, std::string_view v) {
    Key(field, 2);
    Uvarint(v.size());
    buf_.append(v);
    return *this;
  }
  Msg& Sub(uint32_t field, const Msg& m) { return Bytes(field, m.buf_); }
  Msg& Varint(uint32_t field, uint64_t v) {
    Key(field, 0);
    Uvarint(v);
    return *this;
  }
  Msg& Fixed64(uint32_t field, uint64_t v) {
    Key(field, 1);
    Le64(v);
    return *this;
  }
  Msg& Double(uint32_t field, double v) {
    return Fixed64(field, std::bit_cast<uint64_t>(v));
  }
  Msg& PackedFixed64(uint32_t field, const std::vector<uint64_t>& v) {
    Msg packed;
    for (uint64_t x : v) packed.Le64(x);
    return Bytes(field, packed.buf_);
  }
  Msg& PackedVarint(uint32_t field, const std::vector<uint64_t>& v) {
    Msg packed;
    for (uint64_t x : v) packed.Uvarint(x);
    return Bytes(field, packed.buf_);
  }
  // sint32: zig-zag encoded.
  Msg& Sint32(uint32_t field, int32_t v) {
    return Varint(field, (static_cast<uint32_t>(v) << 1) ^
                             static_cast<uint32_t>(v >> 31));
  }
  Msg& PackedDouble(uint32_t field, const std::vector<double>& v) {
    std::vector<uint64_t> bits;
    for (double d : v) bits.push_back(std::bit_cast<uint64_t>(d));
    return PackedFixed64(field, bits);
  }
  const std::string& str() const { return buf_; }

 private:
  void Key(uint32_t field, int wire_type) {
    Uvarint((uint64_t{field} << 3) | static_cast<uint64_t>(wire_type));
  }
  void Uvarint(uint64_t v) {
    while (v >= 0x80) {
      buf_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    buf_.push_back(static_cast<char>(v));
  }
  void Le64(uint64_t v) {
    for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>(v >> (8 * i)));
  }

  std::string buf_;
};

inline constexpr int kDelta = 1;
inline constexpr int kCumulative = 2;

// AnyValue members.
inline Msg StringValue(std::string_view s) { return Msg().Bytes(1, s); }
inline Msg BoolValue(bool b) { return Msg().Varint(2, b ? 1 : 0); }
inline Msg IntValue(int64_t i) {
  return Msg().Varint(3, static_cast<uint64_t>(i));
}
inline Msg DoubleValue(double d) { return Msg().Double(4, d); }
inline Msg BytesValue(std::string_view b) { return Msg().Bytes(7, b); }
inline Msg ArrayValue(std::initializer_list<Msg> values) {
  Msg array;
  for (const Msg& v : values) array.Sub(1, v);
  return Msg().Sub(5, array);
}

inline Msg Attr(std::string_view key, const Msg& value) {
  return Msg().Bytes(1, key).Sub(2, value);
}
inline Msg Attr(std::string_view key, std::string_view value) {
  return Attr(key, StringValue(value));
}
inline Msg KvListValue(std::initializer_list<Msg> key_values) {
  Msg list;
  for (const Msg& kv : key_values) list.Sub(1, kv);
  return Msg().Sub(6, list);
}

// Data points; `attributes` are Attr messages.
inline Msg NumberPoint(uint64_t time_ns, double value,
                       std::initializer_list<Msg> attributes = {},
                       uint32_t flags = 0) {
  Msg p;
  p.Fixed64(2, time_ns > 1000 ? time_ns - 1000 : 0).Fixed64(3, time_ns);
  p.Double(4, value);
  for (const Msg& a : attributes) p.Sub(7, a);
  if (flags != 0) p.Varint(8, flags);
  return p;
}
inline Msg IntPoint(uint64_t time_ns, int64_t value,
                    std::initializer_list<Msg> attributes = {}) {
  Msg p;
  p.Fixed64(3, time_ns).Fixed64(6, static_cast<uint64_t>(value));
  for (const Msg& a : attributes) p.Sub(7, a);
  return p;
}
inline Msg HistogramPoint(uint64_t time_ns, uint64_t count, const double* sum,
                          const std::vector<uint64_t>& bucket_counts,
                          const std::vector<double>& bounds,
                          std::initializer_list<Msg> attributes = {},
                          uint32_t flags = 0) {
  Msg p;
  p.Fixed64(3, time_ns).Fixed64(4, count);
  if (sum != nullptr) p.Double(5, *sum);
  p.PackedFixed64(6, bucket_counts).PackedDouble(7, bounds);
  for (const Msg& a : attributes) p.Sub(9, a);
  if (flags != 0) p.Varint(10, flags);
  return p;
}
inline Msg SummaryPoint(uint64_t time_ns, uint64_t count, double sum,
                        const std::vector<std::pair<double, double>>& quantiles,
                        std::initializer_list<Msg> attributes = {}) {
  Msg p;
  p.Fixed64(3, time_ns).Fixed64(4, count).Double(5, sum);
  for (const auto& [q, v] : quantiles) {
    p.Sub(6, Msg().Double(1, q).Double(2, v));
  }
  for (const Msg& a : attributes) p.Sub(7, a);
  return p;
}
inline Msg ExponentialPoint(uint64_t time_ns, uint64_t count) {
  return Msg()
      .Fixed64(3, time_ns)
      .Fixed64(4, count)
      .Varint(6, 2)
      .Sub(8, Msg().Varint(1, 0).PackedVarint(2, {}));
}
// ExponentialHistogramDataPoint.Buckets.
inline Msg ExponentialBuckets(int32_t offset,
                              const std::vector<uint64_t>& counts) {
  return Msg().Sint32(1, offset).PackedVarint(2, counts);
}

// Metrics. `points` are data point messages of the matching kind.
inline Msg MetricHeader(std::string_view name, std::string_view unit,
                        std::string_view description = "") {
  Msg m;
  m.Bytes(1, name);
  if (!description.empty()) m.Bytes(2, description);
  if (!unit.empty()) m.Bytes(3, unit);
  return m;
}
inline Msg Points(std::initializer_list<Msg> points) {
  Msg data;
  for (const Msg& p : points) data.Sub(1, p);
  return data;
}
inline Msg GaugeMetric(std::string_view name, std::string_view unit,
                       std::initializer_list<Msg> points,
                       std::string_view description = "") {
  return MetricHeader(name, unit, description).Sub(5, Points(points));
}
inline Msg SumMetric(std::string_view name, std::string_view unit,
                     bool monotonic, int temporality,
                     std::initializer_list<Msg> points) {
  Msg data = Points(points);
  data.Varint(2, static_cast<uint64_t>(temporality));
  data.Varint(3, monotonic ? 1 : 0);
  return MetricHeader(name, unit).Sub(7, data);
}
inline Msg HistogramMetric(std::string_view name, std::string_view unit,
                           int temporality, std::initializer_list<Msg> points) {
  Msg data = Points(points);
  data.Varint(2, static_cast<uint64_t>(temporality));
  return MetricHeader(name, unit).Sub(9, data);
}
inline Msg ExponentialHistogramMetric(std::string_view name,
                                      std::string_view unit,
                                      std::initializer_list<Msg> points) {
  Msg data = Points(points);
  data.Varint(2, kCumulative);
  return MetricHeader(name, unit).Sub(10, data);
}
inline Msg SummaryMetric(std::string_view name, std::string_view unit,
                         std::initializer_list<Msg> points) {
  return MetricHeader(name, unit).Sub(11, Points(points));
}

// A ResourceMetrics with one ScopeMetrics.
inline Msg ResourceMetrics(std::initializer_list<Msg> resource_attributes,
                           std::initializer_list<Msg> metrics,
                           std::string_view scope_name = "test-scope") {
  Msg resource;
  for (const Msg& a : resource_attributes) resource.Sub(1, a);
  Msg scope_metrics;
  scope_metrics.Sub(1, Msg().Bytes(1, scope_name).Bytes(2, "1.0"));
  for (const Msg& m : metrics) scope_metrics.Sub(2, m);
  return Msg().Sub(1, resource).Sub(2, scope_metrics);
}

inline std::string ExportRequest(std::initializer_list<Msg> resource_metrics) {
  Msg request;
  for (const Msg& rm : resource_metrics) request.Sub(1, rm);
  return request.str();
}

}  // namespace strata::testing::otlp

#endif  // STRATA_TESTS_SERVER_OTLP_TEST_PROTO_H_
