#include "chunk/float_histogram_chunk.h"

#include <bit>
#include <cassert>
#include <cstdint>

#include "chunk/varbit.h"
#include "chunk/xor_format.h"
#include "chunk/xor_values.h"

namespace strata::chunk {

namespace {

using xor_format::kNoWindow;

// Every field starts without an XOR window, as Prometheus's appender on an
// empty chunk.
XorField FirstField(double v) {
  return XorField{std::bit_cast<uint64_t>(v), kNoWindow, 0};
}

void WriteXor(BitWriter& w, XorField& f, double v) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  WriteXorValue(w, bits, f.bits, &f.leading, &f.trailing);
  f.bits = bits;
}

std::vector<double> Values(const std::vector<XorField>& fields) {
  std::vector<double> out;
  out.reserve(fields.size());
  for (const XorField& f : fields) out.push_back(f.value());
  return out;
}

}  // namespace

FloatHistogramChunk::FloatHistogramChunk()
    : writer_(NewHistogramChunkWriter()) {
  state_.count.leading = state_.zero_count.leading = state_.sum.leading =
      kNoWindow;
}

FloatHistogramChunk::FloatHistogramChunk(std::string_view bytes)
    : writer_(bytes, 0), appendable_(false) {}

bool FloatHistogramChunk::ResumeAppending() {
  const std::string_view bytes = writer_.bytes();
  if (bytes.size() < static_cast<size_t>(histogram_format::kHeaderSize)) {
    return false;
  }
  FloatHistogramIterator it(bytes);
  while (it.Next()) {
  }
  if (it.error()) return false;
  state_ = it.state();
  if (it.num_read() == 0) {
    state_.count.leading = state_.zero_count.leading = state_.sum.leading =
        kNoWindow;
  }
  positive_values_ = Values(state_.positive_buckets);
  negative_values_ = Values(state_.negative_buckets);
  writer_ = ContinueHistogramChunk(bytes, it.bits_consumed());
  appendable_ = true;
  return true;
}

std::vector<XorWindow> FloatHistogramChunk::XorWindows() const {
  std::vector<XorWindow> out;
  out.reserve(3 + state_.positive_buckets.size() +
              state_.negative_buckets.size());
  const auto add = [&](const XorField& f) {
    out.push_back({f.leading, f.trailing});
  };
  add(state_.count);
  add(state_.zero_count);
  add(state_.sum);
  for (const XorField& f : state_.positive_buckets) add(f);
  for (const XorField& f : state_.negative_buckets) add(f);
  return out;
}

std::optional<FloatHistogramChunk> FloatHistogramChunk::Resume(
    std::string_view bytes, std::span<const XorWindow> windows) {
  FloatHistogramChunk c(bytes);
  if (HistogramNumSamples(bytes) <= 0 || !c.ResumeAppending()) {
    return std::nullopt;
  }
  FloatHistogramCodecState& s = c.state_;
  if (windows.size() !=
      3 + s.positive_buckets.size() + s.negative_buckets.size()) {
    return std::nullopt;
  }
  for (const XorWindow& w : windows) {
    if (!IsValidXorWindow(w)) return std::nullopt;
  }
  size_t i = 0;
  const auto set = [&](XorField& f) {
    f.leading = windows[i].leading;
    f.trailing = windows[i].trailing;
    ++i;
  };
  set(s.count);
  set(s.zero_count);
  set(s.sum);
  for (XorField& f : s.positive_buckets) set(f);
  for (XorField& f : s.negative_buckets) set(f);
  return c;
}

ChunkTail<double, double> FloatHistogramChunk::Tail() const {
  ChunkTail<double, double> c;
  c.num_samples = NumSamples();
  c.header = counter_reset_header();
  c.last_stale = state_.sum.bits == kStaleNaNBits;
  c.layout = &state_.layout;
  c.count = state_.count.value();
  c.zero_count = state_.zero_count.value();
  c.positive_buckets = positive_values_;
  c.negative_buckets = negative_values_;
  return c;
}

void FloatHistogramChunk::Append(int64_t t, const FloatHistogram& h) {
  assert(appendable_);
  // A stale marker has no buckets (and zero counts), and an empty layout
  // if it comes first.
  FloatHistogram stale;
  const bool is_stale = IsStaleNaN(h.sum);
  if (is_stale) stale.sum = h.sum;
  const FloatHistogram& v = is_stale ? stale : h;
  const int num = NumSamples();
  if (num == 0) {
    AppendFirst(t, v);
    state_.t_delta = 0;
  } else {
    AppendDeltas(t, v);
  }
  SetHistogramNumSamples(writer_, num + 1);
  state_.t = t;
}

void FloatHistogramChunk::AppendFirst(int64_t t, const FloatHistogram& h) {
  WriteHistogramLayout(writer_, h.schema, h.zero_threshold, h.positive_spans,
                       h.negative_spans);
  HistogramLayout& l = state_.layout;
  l.schema = h.schema;
  l.zero_threshold = h.zero_threshold;
  l.positive_spans = h.positive_spans;
  l.negative_spans = h.negative_spans;
  state_.positive_buckets.clear();
  state_.negative_buckets.clear();
  for (double b : h.positive_buckets) {
    state_.positive_buckets.push_back(FirstField(b));
  }
  for (double b : h.negative_buckets) {
    state_.negative_buckets.push_back(FirstField(b));
  }
  PutVarbitInt(writer_, t);
  state_.count.bits = std::bit_cast<uint64_t>(h.count);
  state_.zero_count.bits = std::bit_cast<uint64_t>(h.zero_count);
  state_.sum.bits = std::bit_cast<uint64_t>(h.sum);
  writer_.WriteBits(state_.count.bits, 64);
  writer_.WriteBits(state_.zero_count.bits, 64);
  writer_.WriteBits(state_.sum.bits, 64);
  for (double b : h.positive_buckets) {
    writer_.WriteBits(std::bit_cast<uint64_t>(b), 64);
  }
  for (double b : h.negative_buckets) {
    writer_.WriteBits(std::bit_cast<uint64_t>(b), 64);
  }
  positive_values_ = h.positive_buckets;
  negative_values_ = h.negative_buckets;
}

void FloatHistogramChunk::AppendDeltas(int64_t t, const FloatHistogram& h) {
  const int64_t t_delta = static_cast<int64_t>(static_cast<uint64_t>(t) -
                                               static_cast<uint64_t>(state_.t));
  PutVarbitInt(writer_,
               static_cast<int64_t>(static_cast<uint64_t>(t_delta) -
                                    static_cast<uint64_t>(state_.t_delta)));
  state_.t_delta = t_delta;
  WriteXor(writer_, state_.count, h.count);
  WriteXor(writer_, state_.zero_count, h.zero_count);
  WriteXor(writer_, state_.sum, h.sum);
  for (size_t i = 0; i < h.positive_buckets.size(); ++i) {
    WriteXor(writer_, state_.positive_buckets[i], h.positive_buckets[i]);
    positive_values_[i] = h.positive_buckets[i];
  }
  for (size_t i = 0; i < h.negative_buckets.size(); ++i) {
    WriteXor(writer_, state_.negative_buckets[i], h.negative_buckets[i]);
    negative_values_[i] = h.negative_buckets[i];
  }
}

}  // namespace strata::chunk
