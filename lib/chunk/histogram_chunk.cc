#include "chunk/histogram_chunk.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdint>

#include "chunk/varbit.h"
#include "chunk/xor_format.h"
#include "chunk/xor_values.h"

namespace strata::chunk {

namespace {

using histogram_format::kCounterResetHeaderMask;
using histogram_format::kHeaderSize;

constexpr char kEmptyHeader[kHeaderSize] = {0, 0, 0};

int64_t WrapSub(uint64_t a, uint64_t b) { return static_cast<int64_t>(a - b); }
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) -
                              static_cast<uint64_t>(b));
}

// Writes each bucket's delta-of-delta and keeps its delta for the next
// sample. `buckets` holds the previous sample's values.
void PutBucketDods(BitWriter& w, std::span<const int64_t> values,
                   std::span<const int64_t> buckets,
                   std::span<int64_t> deltas) {
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t delta = WrapSub(values[i], buckets[i]);
    PutVarbitInt(w, WrapSub(delta, deltas[i]));
    deltas[i] = delta;
  }
}

}  // namespace

HistogramChunk::HistogramChunk()
    : writer_(std::string_view(kEmptyHeader, kHeaderSize), 0) {
  state_.leading = xor_format::kNoWindow;
}

HistogramChunk::HistogramChunk(std::string_view bytes)
    : writer_(bytes, 0), appendable_(false) {}

int HistogramChunk::NumSamples() const {
  return HistogramNumSamples(writer_.bytes());
}

void HistogramChunk::SetNumSamples(int n) {
  uint8_t* p = writer_.mutable_data();
  p[0] = static_cast<uint8_t>(n >> 8);
  p[1] = static_cast<uint8_t>(n);
}

CounterResetHeader HistogramChunk::counter_reset_header() const {
  return ReadCounterResetHeader(writer_.bytes());
}

void HistogramChunk::SetCounterResetHeader(CounterResetHeader header) {
  uint8_t* p = writer_.mutable_data();
  p[2] = static_cast<uint8_t>((p[2] & ~kCounterResetHeaderMask) |
                              static_cast<uint8_t>(header));
}

bool HistogramChunk::ResumeAppending() {
  const std::string_view bytes = writer_.bytes();
  if (bytes.size() < static_cast<size_t>(kHeaderSize)) return false;
  HistogramIterator it(bytes);
  while (it.Next()) {
  }
  if (it.error()) return false;
  state_ = it.state();
  if (it.num_read() == 0) state_.leading = xor_format::kNoWindow;
  // The writer continues after the last bit the iterator consumed, and
  // keeps Prometheus's trailing free byte if the bytes have one.
  const size_t bits = size_t{kHeaderSize} * 8 + it.bits_consumed();
  const size_t used = (bits + 7) / 8;
  if (bits % 8 == 0 && bytes.size() > used) {
    writer_ = BitWriter(bytes.substr(0, used + 1), 8);
  } else {
    writer_ =
        BitWriter(bytes.substr(0, used), static_cast<int>((8 - bits % 8) % 8));
  }
  appendable_ = true;
  return true;
}

HistogramAppendability HistogramChunk::Appendable(const Histogram& h) const {
  HistogramAppendability r;
  if (NumSamples() > 0 &&
      counter_reset_header() == CounterResetHeader::kGauge) {
    return r;
  }
  if (IsStaleNaN(h.sum)) {  // Its buckets and spans do not matter.
    r.ok = true;
    return r;
  }
  if (last_is_stale()) return r;  // Only stale markers may follow one.
  if (h.count < state_.count) {
    r.counter_reset = true;
    return r;
  }
  const HistogramLayout& l = state_.layout;
  if (h.schema != l.schema || h.zero_threshold != l.zero_threshold) return r;
  if (h.zero_count < state_.zero_count) {
    r.counter_reset = true;
    return r;
  }
  if (!ExpandSpansForward(l.positive_spans, h.positive_spans,
                          &r.positive_inserts) ||
      !ExpandSpansForward(l.negative_spans, h.negative_spans,
                          &r.negative_inserts)) {
    r.counter_reset = true;  // A bucket vanished.
    return r;
  }
  if (CounterResetInAnyBucket(state_.positive_buckets, h.positive_buckets,
                              l.positive_spans, h.positive_spans) ||
      CounterResetInAnyBucket(state_.negative_buckets, h.negative_buckets,
                              l.negative_spans, h.negative_spans)) {
    r.positive_inserts.clear();
    r.negative_inserts.clear();
    r.counter_reset = true;
    return r;
  }
  r.ok = true;
  return r;
}

GaugeHistogramAppendability HistogramChunk::AppendableGauge(
    const Histogram& h) const {
  GaugeHistogramAppendability r;
  if (NumSamples() > 0 &&
      counter_reset_header() != CounterResetHeader::kGauge) {
    return r;
  }
  if (IsStaleNaN(h.sum)) {
    r.ok = true;
    return r;
  }
  if (last_is_stale()) return r;
  const HistogramLayout& l = state_.layout;
  if (h.schema != l.schema || h.zero_threshold != l.zero_threshold) return r;
  ExpandSpansBothWays(l.positive_spans, h.positive_spans, &r.positive_inserts,
                      &r.positive_backward_inserts, &r.positive_spans);
  ExpandSpansBothWays(l.negative_spans, h.negative_spans, &r.negative_inserts,
                      &r.negative_backward_inserts, &r.negative_spans);
  r.ok = true;
  return r;
}

void HistogramChunk::Append(int64_t t, const Histogram& h) {
  assert(appendable_);
  // A stale marker has no buckets, and an empty layout if it comes first.
  Histogram stale;
  const bool is_stale = IsStaleNaN(h.sum);
  if (is_stale) stale.sum = h.sum;
  const Histogram& v = is_stale ? stale : h;
  const int num = NumSamples();
  if (num == 0) {
    AppendFirst(t, v);
    state_.t_delta = state_.count_delta = state_.zero_count_delta = 0;
  } else {
    AppendDeltas(t, v);
  }
  SetNumSamples(num + 1);
  state_.t = t;
  state_.count = v.count;
  state_.zero_count = v.zero_count;
  // As many as the histogram has (a stale marker: none), as Prometheus.
  std::copy(v.positive_buckets.begin(), v.positive_buckets.end(),
            state_.positive_buckets.begin());
  std::copy(v.negative_buckets.begin(), v.negative_buckets.end(),
            state_.negative_buckets.begin());
  state_.sum_bits = std::bit_cast<uint64_t>(v.sum);
}

void HistogramChunk::AppendFirst(int64_t t, const Histogram& h) {
  // The first sample fixes the layout and writes it.
  WriteHistogramLayout(writer_, h.schema, h.zero_threshold, h.positive_spans,
                       h.negative_spans);
  HistogramLayout& l = state_.layout;
  l.schema = h.schema;
  l.zero_threshold = h.zero_threshold;
  l.positive_spans = h.positive_spans;
  l.negative_spans = h.negative_spans;
  const uint64_t pos = CountBuckets(h.positive_spans);
  const uint64_t neg = CountBuckets(h.negative_spans);
  state_.positive_buckets.assign(pos, 0);
  state_.negative_buckets.assign(neg, 0);
  state_.positive_bucket_deltas.assign(pos, 0);
  state_.negative_bucket_deltas.assign(neg, 0);
  PutVarbitInt(writer_, t);
  PutVarbitUint(writer_, h.count);
  PutVarbitUint(writer_, h.zero_count);
  writer_.WriteBits(std::bit_cast<uint64_t>(h.sum), 64);
  for (int64_t b : h.positive_buckets) PutVarbitInt(writer_, b);
  for (int64_t b : h.negative_buckets) PutVarbitInt(writer_, b);
}

void HistogramChunk::AppendDeltas(int64_t t, const Histogram& h) {
  // The second sample's plain deltas are dods against zero deltas.
  const int64_t t_delta = WrapSub(t, state_.t);
  const int64_t count_delta = WrapSub(h.count, state_.count);
  const int64_t zero_count_delta = WrapSub(h.zero_count, state_.zero_count);
  int64_t count_dod = WrapSub(count_delta, state_.count_delta);
  int64_t zero_count_dod = WrapSub(zero_count_delta, state_.zero_count_delta);
  if (IsStaleNaN(h.sum)) count_dod = zero_count_dod = 0;
  PutVarbitInt(writer_, WrapSub(t_delta, state_.t_delta));
  PutVarbitInt(writer_, count_dod);
  PutVarbitInt(writer_, zero_count_dod);
  WriteXorValue(writer_, std::bit_cast<uint64_t>(h.sum), state_.sum_bits,
                &state_.leading, &state_.trailing);
  PutBucketDods(writer_, h.positive_buckets, state_.positive_buckets,
                state_.positive_bucket_deltas);
  PutBucketDods(writer_, h.negative_buckets, state_.negative_buckets,
                state_.negative_bucket_deltas);
  // Prometheus keeps these deltas even for a stale marker (whose zero
  // counts then differ from the decoder's); only stale markers follow one,
  // and they code no count fields, so the bytes agree.
  state_.t_delta = t_delta;
  state_.count_delta = count_delta;
  state_.zero_count_delta = zero_count_delta;
}

HistogramChunk HistogramChunk::Recode(
    std::span<const BucketInsert> positive_inserts,
    std::span<const BucketInsert> negative_inserts,
    std::span<const HistogramSpan> positive_spans,
    std::span<const HistogramSpan> negative_spans) const {
  HistogramChunk out;
  HistogramIterator it(Bytes());
  while (it.Next()) {
    Histogram h = it.AtHistogram();
    h.positive_spans.assign(positive_spans.begin(), positive_spans.end());
    h.negative_spans.assign(negative_spans.begin(), negative_spans.end());
    if (!positive_inserts.empty()) {
      h.positive_buckets = InsertBuckets(h.positive_buckets, positive_inserts);
    }
    if (!negative_inserts.empty()) {
      h.negative_buckets = InsertBuckets(h.negative_buckets, negative_inserts);
    }
    out.Append(it.t(), h);
  }
  out.SetCounterResetHeader(counter_reset_header());
  return out;
}

void HistogramChunk::RecodeHistogram(
    Histogram* h, std::span<const BucketInsert> positive_backward_inserts,
    std::span<const BucketInsert> negative_backward_inserts) {
  if (!positive_backward_inserts.empty()) {
    h->positive_buckets =
        InsertBuckets(h->positive_buckets, positive_backward_inserts);
  }
  if (!negative_backward_inserts.empty()) {
    h->negative_buckets =
        InsertBuckets(h->negative_buckets, negative_backward_inserts);
  }
}

}  // namespace strata::chunk
