#include "server/remote/histogram_decoder.h"

#include <cstdint>
#include <vector>

#include "util/coding.h"

namespace strata::server {
namespace {

// Field numbers of prometheus.Histogram (1.0) and
// io.prometheus.write.v2.Histogram (2.0) and of their BucketSpan.
constexpr uint32_t kCountInt = 1;
constexpr uint32_t kCountFloat = 2;
constexpr uint32_t kSum = 3;
constexpr uint32_t kSchema = 4;
constexpr uint32_t kZeroThreshold = 5;
constexpr uint32_t kZeroCountInt = 6;
constexpr uint32_t kZeroCountFloat = 7;
constexpr uint32_t kNegativeSpans = 8;
constexpr uint32_t kNegativeDeltas = 9;
constexpr uint32_t kNegativeCounts = 10;
constexpr uint32_t kPositiveSpans = 11;
constexpr uint32_t kPositiveDeltas = 12;
constexpr uint32_t kPositiveCounts = 13;
constexpr uint32_t kResetHint = 14;
constexpr uint32_t kTimestamp = 15;
constexpr uint32_t kStartTimestamp = 17;  // 2.0 only.
constexpr uint32_t kSpanOffset = 1;
constexpr uint32_t kSpanLength = 2;

// A proto3 oneof of an integer and a float: the last field sent wins.
struct CountOneof {
  enum class Set : uint8_t { kNone, kInt, kFloat } set = Set::kNone;
  uint64_t int_value = 0;
  double float_value = 0;

  // The getters of Go's generated code: 0 unless that field is the set one.
  uint64_t GetInt() const { return set == Set::kInt ? int_value : 0; }
  double GetFloat() const { return set == Set::kFloat ? float_value : 0; }
};

// Everything the message holds before integer or float is decided.
struct Fields {
  CountOneof count, zero_count;
  double sum = 0;
  int32_t schema = 0;
  double zero_threshold = 0;
  std::vector<HistogramSpan> negative_spans, positive_spans;
  std::vector<int64_t> negative_deltas, positive_deltas;
  std::vector<double> negative_counts, positive_counts;
  uint8_t reset_hint = 0;
};

// A BucketSpan message; a malformed one sets *span_error.
bool ReadSpan(WireReader& r, std::vector<HistogramSpan>* spans,
              const char** span_error) {
  std::string_view data;
  if (!r.Bytes(&data)) return false;
  HistogramSpan span;
  WireReader sr(data);
  while (sr.Next()) {
    if (sr.field() == kSpanOffset) {
      if (!sr.Sint32(&span.offset)) break;
    } else if (sr.field() == kSpanLength) {
      if (!sr.Uint32(&span.length)) break;
    }
  }
  if (sr.error() != nullptr) {
    *span_error = sr.error();
    return false;
  }
  spans->push_back(span);
  return true;
}

bool ReadSint64s(WireReader& r, std::vector<int64_t>* out) {
  return r.RepeatedVarint(
      [out](uint64_t v) { out->push_back(ZigZagDecode(v)); });
}

bool ReadDoubles(WireReader& r, std::vector<double>* out) {
  return r.RepeatedFixed64(
      [out](uint64_t bits) { out->push_back(BitsToDouble(bits)); });
}

bool ReadOneofInt(WireReader& r, CountOneof* c) {
  c->set = CountOneof::Set::kInt;
  return r.Varint(&c->int_value);
}

bool ReadOneofFloat(WireReader& r, CountOneof* c) {
  c->set = CountOneof::Set::kFloat;
  return r.Double(&c->float_value);
}

// Reads the current field of `r` into `f` / `out`; false if malformed
// (r.error() or *span_error says why).
bool ReadField(RemoteWriteVersion version, WireReader& r, Fields* f,
               WireHistogram* out, const char** span_error) {
  uint64_t hint;
  switch (r.field()) {
    case kCountInt:
      return ReadOneofInt(r, &f->count);
    case kCountFloat:
      return ReadOneofFloat(r, &f->count);
    case kSum:
      return r.Double(&f->sum);
    case kSchema:
      return r.Sint32(&f->schema);
    case kZeroThreshold:
      return r.Double(&f->zero_threshold);
    case kZeroCountInt:
      return ReadOneofInt(r, &f->zero_count);
    case kZeroCountFloat:
      return ReadOneofFloat(r, &f->zero_count);
    case kNegativeSpans:
      return ReadSpan(r, &f->negative_spans, span_error);
    case kNegativeDeltas:
      return ReadSint64s(r, &f->negative_deltas);
    case kNegativeCounts:
      return ReadDoubles(r, &f->negative_counts);
    case kPositiveSpans:
      return ReadSpan(r, &f->positive_spans, span_error);
    case kPositiveDeltas:
      return ReadSint64s(r, &f->positive_deltas);
    case kPositiveCounts:
      return ReadDoubles(r, &f->positive_counts);
    case kResetHint:
      // Go converts the enum to the hint's byte: the low 8 bits.
      if (!r.Varint(&hint)) return false;
      f->reset_hint = static_cast<uint8_t>(hint);
      return true;
    case kTimestamp:
      return r.Int64(&out->timestamp);
    case kStartTimestamp:
      if (version == RemoteWriteVersion::kV2) {
        return r.Int64(&out->start_timestamp);
      }
      return true;
    default:
      return true;  // Unknown fields are skipped, as proto3 requires.
  }
}

// Prometheus 2.42's write handler: `hp.GetCountFloat() > 0 ||
// hp.GetZeroCountFloat() > 0`; 2.0 receivers: `IsFloatHistogram()`, the
// count oneof holding count_float.
bool IsFloat(RemoteWriteVersion version, const Fields& f) {
  if (version == RemoteWriteVersion::kV1) {
    return f.count.GetFloat() > 0 || f.zero_count.GetFloat() > 0;
  }
  return f.count.set == CountOneof::Set::kFloat;
}

// storage/remote's HistogramProtoToHistogram / ...ToFloatHistogram.
void Convert(RemoteWriteVersion version, Fields&& f, WireHistogram* out) {
  out->is_float = IsFloat(version, f);
  const auto hint = static_cast<CounterResetHint>(f.reset_hint);
  if (out->is_float) {
    ::strata::FloatHistogram& h = out->floating;
    h.counter_reset_hint = hint;
    h.schema = f.schema;
    h.zero_threshold = f.zero_threshold;
    h.zero_count = f.zero_count.GetFloat();
    h.count = f.count.GetFloat();
    h.sum = f.sum;
    h.positive_spans = std::move(f.positive_spans);
    h.negative_spans = std::move(f.negative_spans);
    h.positive_buckets = std::move(f.positive_counts);
    h.negative_buckets = std::move(f.negative_counts);
    return;
  }
  ::strata::Histogram& h = out->integer;
  h.counter_reset_hint = hint;
  h.schema = f.schema;
  h.zero_threshold = f.zero_threshold;
  h.zero_count = f.zero_count.GetInt();
  h.count = f.count.GetInt();
  h.sum = f.sum;
  h.positive_spans = std::move(f.positive_spans);
  h.negative_spans = std::move(f.negative_spans);
  h.positive_buckets = std::move(f.positive_deltas);
  h.negative_buckets = std::move(f.negative_deltas);
}

}  // namespace

bool DecodeWireHistogram(RemoteWriteVersion version, std::string_view data,
                         WireHistogram* out, const char** reader_error,
                         size_t* offset) {
  *out = WireHistogram{};
  Fields fields;
  WireReader r(data);
  const char* span_error = nullptr;
  while (r.Next()) {
    if (!ReadField(version, r, &fields, out, &span_error)) break;
  }
  if (r.error() != nullptr || span_error != nullptr) {
    *reader_error = r.error() != nullptr ? r.error() : span_error;
    *offset = r.offset();
    return false;
  }
  Convert(version, std::move(fields), out);
  return true;
}

}  // namespace strata::server
