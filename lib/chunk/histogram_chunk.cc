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

using histogram_format::kHeaderSize;

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

HistogramChunk::HistogramChunk() : writer_(NewHistogramChunkWriter()) {
  state_.leading = xor_format::kNoWindow;
}

HistogramChunk::HistogramChunk(std::string_view bytes)
    : writer_(bytes, 0), appendable_(false) {}

int HistogramChunk::NumSamples() const {
  return HistogramNumSamples(writer_.bytes());
}

CounterResetHeader HistogramChunk::counter_reset_header() const {
  return ReadCounterResetHeader(writer_.bytes());
}

void HistogramChunk::SetCounterResetHeader(CounterResetHeader header) {
  chunk::SetCounterResetHeader(writer_, header);
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
  writer_ = ContinueHistogramChunk(bytes, it.bits_consumed());
  appendable_ = true;
  return true;
}

std::vector<XorWindow> HistogramChunk::XorWindows() const {
  return {XorWindow{state_.leading, state_.trailing}};
}

std::optional<HistogramChunk> HistogramChunk::Resume(
    std::string_view bytes, std::span<const XorWindow> windows) {
  HistogramChunk c(bytes);
  if (HistogramNumSamples(bytes) <= 0 || !c.ResumeAppending() ||
      windows.size() != 1 || !IsValidXorWindow(windows[0])) {
    return std::nullopt;
  }
  c.state_.leading = windows[0].leading;
  c.state_.trailing = windows[0].trailing;
  return c;
}

ChunkTail<uint64_t, int64_t> HistogramChunk::Tail() const {
  ChunkTail<uint64_t, int64_t> c;
  c.num_samples = NumSamples();
  c.header = counter_reset_header();
  c.last_stale = last_is_stale();
  c.layout = &state_.layout;
  c.count = state_.count;
  c.zero_count = state_.zero_count;
  c.positive_buckets = state_.positive_buckets;
  c.negative_buckets = state_.negative_buckets;
  return c;
}

HistogramAppendability HistogramChunk::Appendable(const Histogram& h) const {
  return CheckAppendable(Tail(), h);
}

GaugeHistogramAppendability HistogramChunk::AppendableGauge(
    const Histogram& h) const {
  return CheckAppendableGauge(Tail(), h);
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
  SetHistogramNumSamples(writer_, num + 1);
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

}  // namespace strata::chunk
