#include "wal/record.h"

#include "absl/strings/str_cat.h"
#include "util/coding.h"
#include "wal/record_internal.h"

namespace strata::wal {

namespace record_internal {

Status ExpectType(std::string_view* in, RecordType want) {
  uint8_t type;
  if (!GetByte(in, &type) || type != static_cast<uint8_t>(want)) {
    return Status::Corruption(
        absl::StrCat("record is not of type ", static_cast<int>(want)));
  }
  return Status::OK();
}

Status Malformed(std::string_view what, size_t items) {
  return Status::Corruption(absl::StrCat("malformed ", std::string(what),
                                         " record after ", items, " entries"));
}

}  // namespace record_internal

namespace {

using record_internal::ExpectType;
using record_internal::Malformed;

// #labels <uvarint> | per label: len <uvarint> name | len <uvarint> value,
// as Prometheus's record.EncodeLabels.
void EncodeLabels(const Labels& labels, std::string* dst) {
  PutUvarint(dst, labels.size());
  for (const Label& l : labels) {
    PutLengthPrefixed(dst, l.name);
    PutLengthPrefixed(dst, l.value);
  }
}

bool DecodeLabels(std::string_view* in, Labels* labels) {
  uint64_t count;
  // Each label takes at least two bytes.
  if (!GetUvarint(in, &count) || count > in->size() / 2) return false;
  std::vector<Label> pairs;
  pairs.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view name, value;
    if (!GetLengthPrefixed(in, &name) || !GetLengthPrefixed(in, &value)) {
      return false;
    }
    pairs.push_back(Label{std::string(name), std::string(value)});
  }
  *labels = Labels::FromUnchecked(std::move(pairs));
  return true;
}

}  // namespace

RecordType GetRecordType(std::string_view record) {
  if (record.empty()) return RecordType::kUnknown;
  const uint8_t t = static_cast<uint8_t>(record[0]);
  if (t >= static_cast<uint8_t>(RecordType::kSeries) &&
      t <= static_cast<uint8_t>(RecordType::kFloatHistogramSamples)) {
    return static_cast<RecordType>(t);
  }
  return RecordType::kUnknown;
}

void EncodeSeries(std::span<const RefSeries> series, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kSeries));
  for (const RefSeries& s : series) {
    PutBE64(dst, s.ref);
    EncodeLabels(s.labels, dst);
  }
}

Status DecodeSeries(std::string_view record, std::vector<RefSeries>* out) {
  std::string_view in = record;
  STRATA_RETURN_IF_ERROR(ExpectType(&in, RecordType::kSeries));
  size_t n = 0;
  while (!in.empty()) {
    RefSeries s;
    if (!GetBE64(&in, &s.ref) || !DecodeLabels(&in, &s.labels)) {
      return Malformed("series", n);
    }
    out->push_back(std::move(s));
    ++n;
  }
  return Status::OK();
}

void EncodeSamples(std::span<const RefSample> samples, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kSamples));
  if (samples.empty()) return;
  // Written through a pointer, the string grown (rarely) when less than
  // the longest sample encoding is left: a few string appends per sample
  // cost more than the encoding. Typically 2 + 2 + 8 bytes per sample.
  constexpr size_t kMaxSampleBytes = 2 * kMaxVarintBytes + 8;
  size_t used = dst->size();
  dst->resize(used + 16 + samples.size() * 12 + kMaxSampleBytes);
  char* p = dst->data() + used;
  char* end = dst->data() + dst->size();
  const RefSample& first = samples.front();
  p = EncodeBE64(p, first.ref);
  p = EncodeBE64(p, static_cast<uint64_t>(first.t));
  for (const RefSample& s : samples) {
    if (static_cast<size_t>(end - p) < kMaxSampleBytes) [[unlikely]] {
      used = static_cast<size_t>(p - dst->data());
      dst->resize(2 * dst->size());
      p = dst->data() + used;
      end = dst->data() + dst->size();
    }
    p += EncodeVarint(p, static_cast<int64_t>(s.ref - first.ref));
    p += EncodeVarint(p, static_cast<int64_t>(static_cast<uint64_t>(s.t) -
                                              static_cast<uint64_t>(first.t)));
    p = EncodeBE64(p, DoubleBits(s.v));
  }
  dst->resize(static_cast<size_t>(p - dst->data()));
}

Status DecodeSamples(std::string_view record, std::vector<RefSample>* out) {
  std::string_view in = record;
  STRATA_RETURN_IF_ERROR(ExpectType(&in, RecordType::kSamples));
  if (in.empty()) return Status::OK();
  uint64_t base_ref, base_t;
  if (!GetBE64(&in, &base_ref) || !GetBE64(&in, &base_t)) {
    return Malformed("samples", 0);
  }
  // At least 10 bytes per sample: two one-byte varints and the value.
  out->reserve(out->size() + in.size() / 10);
  size_t n = 0;
  while (!in.empty()) {
    int64_t dref, dt;
    uint64_t bits;
    if (!GetVarint(&in, &dref) || !GetVarint(&in, &dt) ||
        !GetBE64(&in, &bits)) {
      return Malformed("samples", n);
    }
    // Wrapping arithmetic, as Go's.
    out->push_back(
        RefSample{base_ref + static_cast<uint64_t>(dref),
                  static_cast<int64_t>(base_t + static_cast<uint64_t>(dt)),
                  BitsToDouble(bits)});
    ++n;
  }
  return Status::OK();
}

void EncodeExemplars(std::span<const RefExemplar> exemplars, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kExemplars));
  if (exemplars.empty()) return;
  const RefExemplar& first = exemplars.front();
  PutBE64(dst, first.ref);
  PutBE64(dst, static_cast<uint64_t>(first.t));
  for (const RefExemplar& e : exemplars) {
    PutVarint(dst, static_cast<int64_t>(e.ref - first.ref));
    PutVarint(dst, static_cast<int64_t>(static_cast<uint64_t>(e.t) -
                                        static_cast<uint64_t>(first.t)));
    PutBE64(dst, DoubleBits(e.v));
    EncodeLabels(e.labels, dst);
  }
}

Status DecodeExemplars(std::string_view record, std::vector<RefExemplar>* out) {
  std::string_view in = record;
  STRATA_RETURN_IF_ERROR(ExpectType(&in, RecordType::kExemplars));
  if (in.empty()) return Status::OK();
  uint64_t base_ref, base_t;
  if (!GetBE64(&in, &base_ref) || !GetBE64(&in, &base_t)) {
    return Malformed("exemplars", 0);
  }
  size_t n = 0;
  while (!in.empty()) {
    int64_t dref, dt;
    uint64_t bits;
    RefExemplar e;
    if (!GetVarint(&in, &dref) || !GetVarint(&in, &dt) ||
        !GetBE64(&in, &bits) || !DecodeLabels(&in, &e.labels)) {
      return Malformed("exemplars", n);
    }
    // Wrapping arithmetic, as Go's.
    e.ref = base_ref + static_cast<uint64_t>(dref);
    e.t = static_cast<int64_t>(base_t + static_cast<uint64_t>(dt));
    e.v = BitsToDouble(bits);
    out->push_back(std::move(e));
    ++n;
  }
  return Status::OK();
}

void EncodeTombstones(std::span<const Stone> stones, std::string* dst) {
  dst->push_back(static_cast<char>(RecordType::kTombstones));
  for (const Stone& s : stones) {
    for (const Interval& iv : s.intervals) {
      PutBE64(dst, s.ref);
      PutVarint(dst, iv.mint);
      PutVarint(dst, iv.maxt);
    }
  }
}

Status DecodeTombstones(std::string_view record, std::vector<Stone>* out) {
  std::string_view in = record;
  STRATA_RETURN_IF_ERROR(ExpectType(&in, RecordType::kTombstones));
  const size_t start = out->size();
  size_t n = 0;
  while (!in.empty()) {
    uint64_t ref;
    Interval iv;
    if (!GetBE64(&in, &ref) || !GetVarint(&in, &iv.mint) ||
        !GetVarint(&in, &iv.maxt)) {
      return Malformed("tombstones", n);
    }
    if (out->size() > start && out->back().ref == ref) {
      out->back().intervals.push_back(iv);
    } else {
      out->push_back(Stone{ref, {iv}});
    }
    ++n;
  }
  return Status::OK();
}

}  // namespace strata::wal
