#include "wal/histogram_record.h"

#include <limits>

#include "util/coding.h"
#include "wal/record.h"
#include "wal/record_internal.h"

namespace strata::wal {
namespace {

using record_internal::ExpectType;
using record_internal::Malformed;

// Fewest bytes one entry of a list takes, to refuse a count the rest of
// the record cannot hold before allocating for it.
constexpr size_t kMinSpanBytes = 2;         // Two one-byte varints.
constexpr size_t kMinDeltaBucketBytes = 1;  // A one-byte varint.
constexpr size_t kFloatBucketBytes = 8;

// #spans <uvarint> | per span: offset <varint> | length <uvarint>.
void PutSpans(const std::vector<HistogramSpan>& spans, std::string* dst) {
  PutUvarint(dst, spans.size());
  for (const HistogramSpan& s : spans) {
    PutVarint(dst, s.offset);
    PutUvarint(dst, s.length);
  }
}

void PutDeltaBuckets(const std::vector<int64_t>& buckets, std::string* dst) {
  PutUvarint(dst, buckets.size());
  for (int64_t b : buckets) PutVarint(dst, b);
}

void PutFloatBuckets(const std::vector<double>& buckets, std::string* dst) {
  PutUvarint(dst, buckets.size());
  for (double b : buckets) PutBE64(dst, DoubleBits(b));
}

// A list count, refused if the rest cannot hold that many entries.
bool GetCount(std::string_view* in, size_t min_entry_bytes, size_t* count) {
  uint64_t n;
  if (!GetUvarint(in, &n) || n > in->size() / min_entry_bytes) return false;
  *count = static_cast<size_t>(n);
  return true;
}

// Go's int32(dec.Varint64()): the low 32 bits.
bool GetInt32(std::string_view* in, int32_t* v) {
  int64_t wide;
  if (!GetVarint(in, &wide)) return false;
  *v = static_cast<int32_t>(wide);
  return true;
}

bool GetSpans(std::string_view* in, std::vector<HistogramSpan>* spans) {
  size_t n;
  if (!GetCount(in, kMinSpanBytes, &n)) return false;
  spans->resize(n);
  for (HistogramSpan& s : *spans) {
    uint64_t length;
    // Decbuf.Uvarint32 refuses lengths past 32 bits.
    if (!GetInt32(in, &s.offset) || !GetUvarint(in, &length) ||
        length > std::numeric_limits<uint32_t>::max()) {
      return false;
    }
    s.length = static_cast<uint32_t>(length);
  }
  return true;
}

bool GetDeltaBuckets(std::string_view* in, std::vector<int64_t>* buckets) {
  size_t n;
  if (!GetCount(in, kMinDeltaBucketBytes, &n)) return false;
  buckets->resize(n);
  for (int64_t& b : *buckets) {
    if (!GetVarint(in, &b)) return false;
  }
  return true;
}

bool GetFloat(std::string_view* in, double* v) {
  uint64_t bits;
  if (!GetBE64(in, &bits)) return false;
  *v = BitsToDouble(bits);
  return true;
}

bool GetFloatBuckets(std::string_view* in, std::vector<double>* buckets) {
  size_t n;
  if (!GetCount(in, kFloatBucketBytes, &n)) return false;
  buckets->resize(n);
  for (double& b : *buckets) {
    if (!GetFloat(in, &b)) return false;
  }
  return true;
}

// The fields both record types share, in their order: hint and schema.
template <typename H>
bool GetHintAndSchema(std::string_view* in, H* h) {
  uint8_t hint;
  if (!GetByte(in, &hint) || !GetInt32(in, &h->schema)) return false;
  h->counter_reset_hint = static_cast<CounterResetHint>(hint);
  return true;
}

template <typename H>
void PutHintAndSchema(const H& h, std::string* dst) {
  dst->push_back(static_cast<char>(h.counter_reset_hint));
  PutVarint(dst, h.schema);
}

bool GetHistogram(std::string_view* in, Histogram* h) {
  return GetHintAndSchema(in, h) && GetFloat(in, &h->zero_threshold) &&
         GetUvarint(in, &h->zero_count) && GetUvarint(in, &h->count) &&
         GetFloat(in, &h->sum) && GetSpans(in, &h->positive_spans) &&
         GetSpans(in, &h->negative_spans) &&
         GetDeltaBuckets(in, &h->positive_buckets) &&
         GetDeltaBuckets(in, &h->negative_buckets);
}

void PutHistogram(const Histogram& h, std::string* dst) {
  PutHintAndSchema(h, dst);
  PutBE64(dst, DoubleBits(h.zero_threshold));
  PutUvarint(dst, h.zero_count);
  PutUvarint(dst, h.count);
  PutBE64(dst, DoubleBits(h.sum));
  PutSpans(h.positive_spans, dst);
  PutSpans(h.negative_spans, dst);
  PutDeltaBuckets(h.positive_buckets, dst);
  PutDeltaBuckets(h.negative_buckets, dst);
}

bool GetFloatHistogram(std::string_view* in, FloatHistogram* h) {
  return GetHintAndSchema(in, h) && GetFloat(in, &h->zero_threshold) &&
         GetFloat(in, &h->zero_count) && GetFloat(in, &h->count) &&
         GetFloat(in, &h->sum) && GetSpans(in, &h->positive_spans) &&
         GetSpans(in, &h->negative_spans) &&
         GetFloatBuckets(in, &h->positive_buckets) &&
         GetFloatBuckets(in, &h->negative_buckets);
}

void PutFloatHistogram(const FloatHistogram& h, std::string* dst) {
  PutHintAndSchema(h, dst);
  PutBE64(dst, DoubleBits(h.zero_threshold));
  PutBE64(dst, DoubleBits(h.zero_count));
  PutBE64(dst, DoubleBits(h.count));
  PutBE64(dst, DoubleBits(h.sum));
  PutSpans(h.positive_spans, dst);
  PutSpans(h.negative_spans, dst);
  PutFloatBuckets(h.positive_buckets, dst);
  PutFloatBuckets(h.negative_buckets, dst);
}

// The framing both types share: the first sample's ref and time, then per
// sample the deltas to them and the histogram (`put_histogram`).
template <typename Sample, typename PutFn>
void EncodeRecord(RecordType type, std::span<const Sample> samples,
                  PutFn put_histogram, std::string* dst) {
  dst->push_back(static_cast<char>(type));
  if (samples.empty()) return;
  const Sample& first = samples.front();
  PutBE64(dst, first.ref);
  PutBE64(dst, static_cast<uint64_t>(first.t));
  for (const Sample& s : samples) {
    PutVarint(dst, static_cast<int64_t>(s.ref - first.ref));
    PutVarint(dst, static_cast<int64_t>(static_cast<uint64_t>(s.t) -
                                        static_cast<uint64_t>(first.t)));
    put_histogram(s, dst);
  }
}

template <typename Sample, typename GetFn>
Status DecodeRecord(RecordType type, std::string_view what,
                    std::string_view record, GetFn get_histogram,
                    std::vector<Sample>* out) {
  std::string_view in = record;
  STRATA_RETURN_IF_ERROR(ExpectType(&in, type));
  if (in.empty()) return Status::OK();
  uint64_t base_ref, base_t;
  if (!GetBE64(&in, &base_ref) || !GetBE64(&in, &base_t)) {
    return Malformed(what, 0);
  }
  size_t n = 0;
  while (!in.empty()) {
    int64_t dref, dt;
    Sample s;
    if (!GetVarint(&in, &dref) || !GetVarint(&in, &dt) ||
        !get_histogram(&in, &s)) {
      return Malformed(what, n);
    }
    // Wrapping arithmetic, as Go's.
    s.ref = base_ref + static_cast<uint64_t>(dref);
    s.t = static_cast<int64_t>(base_t + static_cast<uint64_t>(dt));
    out->push_back(std::move(s));
    ++n;
  }
  return Status::OK();
}

}  // namespace

void EncodeHistogramSamples(std::span<const RefHistogramSample> samples,
                            std::string* dst) {
  EncodeRecord(
      RecordType::kHistogramSamples, samples,
      [](const RefHistogramSample& s, std::string* d) { PutHistogram(s.h, d); },
      dst);
}

Status DecodeHistogramSamples(std::string_view record,
                              std::vector<RefHistogramSample>* out) {
  return DecodeRecord(
      RecordType::kHistogramSamples, "histogram samples", record,
      [](std::string_view* in, RefHistogramSample* s) {
        return GetHistogram(in, &s->h);
      },
      out);
}

void EncodeFloatHistogramSamples(
    std::span<const RefFloatHistogramSample> samples, std::string* dst) {
  EncodeRecord(
      RecordType::kFloatHistogramSamples, samples,
      [](const RefFloatHistogramSample& s, std::string* d) {
        PutFloatHistogram(s.fh, d);
      },
      dst);
}

Status DecodeFloatHistogramSamples(std::string_view record,
                                   std::vector<RefFloatHistogramSample>* out) {
  return DecodeRecord(
      RecordType::kFloatHistogramSamples, "float histogram samples", record,
      [](std::string_view* in, RefFloatHistogramSample* s) {
        return GetFloatHistogram(in, &s->fh);
      },
      out);
}

}  // namespace strata::wal
