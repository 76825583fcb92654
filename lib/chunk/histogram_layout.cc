#include "chunk/histogram_layout.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "chunk/varbit.h"

namespace strata::chunk {

namespace {

using histogram_format::kZeroThresholdBias;
using histogram_format::kZeroThresholdFloat;
using histogram_format::kZeroThresholdMaxExp;
using histogram_format::kZeroThresholdMinExp;

void PutZeroThreshold(BitWriter& w, double threshold) {
  if (threshold == 0) {
    w.WriteByte(0);
    return;
  }
  int exp = 0;
  const double frac = std::frexp(threshold, &exp);
  if (frac != 0.5 || exp < kZeroThresholdMinExp || exp > kZeroThresholdMaxExp) {
    w.WriteByte(kZeroThresholdFloat);
    w.WriteBits(std::bit_cast<uint64_t>(threshold), 64);
    return;
  }
  w.WriteByte(static_cast<uint8_t>(exp + kZeroThresholdBias));
}

double ReadZeroThreshold(BitReader& r) {
  const auto b = static_cast<uint8_t>(r.ReadBits(8));
  if (b == 0) return 0;
  if (b == kZeroThresholdFloat) return std::bit_cast<double>(r.ReadBits(64));
  return std::ldexp(0.5, b - kZeroThresholdBias);
}

void PutSpans(BitWriter& w, std::span<const HistogramSpan> spans) {
  PutVarbitUint(w, spans.size());
  for (const HistogramSpan& s : spans) {
    PutVarbitUint(w, s.length);
    PutVarbitInt(w, s.offset);
  }
}

// Bits left in the input; a bound for counts read from it.
uint64_t RemainingBits(const BitReader& r) {
  const uint64_t total = uint64_t{r.size()} * 8;
  return r.bits_consumed() >= total ? 0 : total - r.bits_consumed();
}

const char* ReadSpans(BitReader& r, std::vector<HistogramSpan>* out) {
  const uint64_t n = ReadVarbitUint(r);
  // Each span takes at least two bits.
  if (r.overrun() || n > RemainingBits(r) / 2) {
    return "histogram chunk: span count past the end of the chunk";
  }
  out->resize(n);
  for (HistogramSpan& s : *out) {
    s.length = static_cast<uint32_t>(ReadVarbitUint(r));
    s.offset = static_cast<int32_t>(ReadVarbitInt(r));
  }
  return r.overrun() ? "histogram chunk: truncated layout" : nullptr;
}

// Walks the bucket indices that spans describe (Prometheus's
// bucketIterator).
class BucketIndexIterator {
 public:
  explicit BucketIndexIterator(std::span<const HistogramSpan> spans)
      : spans_(spans) {
    if (!spans.empty()) idx_ += spans[0].offset;
  }

  // The next bucket's index; false when there is none.
  bool Next(int64_t* index) {
    if (span_ >= spans_.size()) return false;
    if (bucket_ < static_cast<int64_t>(spans_[span_].length) - 1) {
      ++bucket_;
      *index = ++idx_;
      return true;
    }
    while (span_ + 1 < spans_.size()) {
      ++span_;
      idx_ += int64_t{spans_[span_].offset} + 1;
      bucket_ = 0;
      if (spans_[span_].length == 0) {
        --idx_;
        continue;
      }
      *index = idx_;
      return true;
    }
    return false;
  }

 private:
  std::span<const HistogramSpan> spans_;
  size_t span_ = 0;
  int64_t bucket_ = -1;  // Position in the span of the last bucket.
  int64_t idx_ = -1;     // Index of the last bucket.
};

// Builds the union's spans bucket by bucket (expandSpansBothWays's
// addBucket).
class SpanBuilder {
 public:
  explicit SpanBuilder(std::vector<HistogramSpan>* out) : out_(out) {
    out_->clear();
  }
  void Add(int64_t bucket) {
    int64_t offset = bucket - last_ - 1;
    if (offset == 0 && !out_->empty()) {
      ++out_->back().length;
    } else {
      if (out_->empty()) ++offset;
      out_->push_back({static_cast<int32_t>(offset), 1});
    }
    last_ = bucket;
  }

 private:
  std::vector<HistogramSpan>* out_;
  int64_t last_ = 0;
};

template <typename V>
std::vector<V> InsertBucketsImpl(std::span<const V> in,
                                 std::span<const BucketInsert> inserts) {
  // Integer buckets are deltas, float buckets absolute counts.
  constexpr bool kDeltas = std::is_integral_v<V>;
  size_t total = in.size();
  for (const BucketInsert& ins : inserts) total += ins.num;
  std::vector<V> out;
  out.reserve(total);
  V last{};  // The count of the last bucket, for deltas.
  size_t next = 0;
  auto insert_new = [&](const BucketInsert& ins) {
    // The first new bucket's delta brings the count to zero.
    out.push_back(kDeltas ? V{} - last : V{});
    for (int x = 1; x < ins.num; ++x) out.push_back(V{});
  };
  for (size_t i = 0; i < in.size(); ++i) {
    const V d = in[i];
    if (next < inserts.size() && static_cast<size_t>(inserts[next].pos) == i) {
      insert_new(inserts[next++]);
      // Undo the new buckets' delta: the old bucket keeps its count.
      out.push_back(kDeltas ? d + last : d);
    } else {
      out.push_back(d);
    }
    if constexpr (kDeltas) {
      last = static_cast<V>(static_cast<uint64_t>(last) +
                            static_cast<uint64_t>(d));
    }
  }
  if (next < inserts.size()) insert_new(inserts[next]);
  return out;
}

// The count of bucket `i` given the previous one's, per representation.
inline int64_t Advance(int64_t prev, std::span<const int64_t> b, size_t i) {
  return static_cast<int64_t>(static_cast<uint64_t>(prev) +
                              static_cast<uint64_t>(b[i]));
}
inline double Advance(double, std::span<const double> b, size_t i) {
  return b[i];
}

template <typename V>
bool CounterResetInAnyBucketImpl(std::span<const V> old_buckets,
                                 std::span<const V> new_buckets,
                                 std::span<const HistogramSpan> old_spans,
                                 std::span<const HistogramSpan> new_spans) {
  if (old_spans.empty() || old_buckets.empty() || new_spans.empty() ||
      new_buckets.empty()) {
    return false;
  }
  size_t old_span = 0, new_span = 0;
  uint32_t old_in_span = 0, new_in_span = 0;
  int64_t old_idx = old_spans[0].offset, new_idx = new_spans[0].offset;
  size_t old_b = 0, new_b = 0;
  V old_val = old_buckets[0], new_val = new_buckets[0];
  // Each round moves at least one side; the bucket bounds keep malformed
  // spans (zero lengths, more buckets than values) from reading past them.
  for (;;) {
    if (old_idx == new_idx && new_val < old_val) return true;
    if (old_idx <= new_idx) {
      if (old_in_span == old_spans[old_span].length - 1) {
        if (++old_span >= old_spans.size()) break;
        old_in_span = 0;
        old_idx += 1 + int64_t{old_spans[old_span].offset};
      } else {
        ++old_in_span;
        ++old_idx;
      }
      if (++old_b >= old_buckets.size()) break;
      old_val = Advance(old_val, old_buckets, old_b);
    }
    if (old_idx > new_idx) {
      if (new_in_span == new_spans[new_span].length - 1) {
        // Prometheus panics here; only malformed input gets here.
        if (++new_span >= new_spans.size()) break;
        new_in_span = 0;
        new_idx += 1 + int64_t{new_spans[new_span].offset};
      } else {
        ++new_in_span;
        ++new_idx;
      }
      if (++new_b >= new_buckets.size()) break;
      new_val = Advance(new_val, new_buckets, new_b);
    }
  }
  return false;
}

}  // namespace

BitWriter NewHistogramChunkWriter() {
  constexpr char kEmptyHeader[histogram_format::kHeaderSize] = {0, 0, 0};
  return BitWriter(std::string_view(kEmptyHeader, sizeof kEmptyHeader), 0);
}

void SetHistogramNumSamples(BitWriter& w, int n) {
  uint8_t* p = w.mutable_data();
  p[0] = static_cast<uint8_t>(n >> 8);
  p[1] = static_cast<uint8_t>(n);
}

void SetCounterResetHeader(BitWriter& w, CounterResetHeader header) {
  uint8_t* p = w.mutable_data();
  p[2] =
      static_cast<uint8_t>((p[2] & ~histogram_format::kCounterResetHeaderMask) |
                           static_cast<uint8_t>(header));
}

BitWriter ContinueHistogramChunk(std::string_view bytes, size_t stream_bits) {
  const size_t bits = size_t{histogram_format::kHeaderSize} * 8 + stream_bits;
  const size_t used = (bits + 7) / 8;
  if (bits % 8 == 0 && bytes.size() > used) {
    return BitWriter(bytes.substr(0, used + 1), 8);
  }
  return BitWriter(bytes.substr(0, used), static_cast<int>((8 - bits % 8) % 8));
}

CounterResetHint HintAt(CounterResetHeader header, int position) {
  if (header == CounterResetHeader::kGauge) return CounterResetHint::kGauge;
  if (position > 1) return CounterResetHint::kNotCounterReset;
  if (header == CounterResetHeader::kCounterReset) {
    return CounterResetHint::kCounterReset;
  }
  // Even a NotCounterReset header gives "unknown": the previous chunk
  // may be gone, as Prometheus reasons.
  return CounterResetHint::kUnknown;
}

void WriteHistogramLayout(BitWriter& w, int32_t schema, double zero_threshold,
                          std::span<const HistogramSpan> positive,
                          std::span<const HistogramSpan> negative) {
  PutZeroThreshold(w, zero_threshold);
  PutVarbitInt(w, schema);
  PutSpans(w, positive);
  PutSpans(w, negative);
}

const char* ReadHistogramLayout(BitReader& r, HistogramLayout* out) {
  out->zero_threshold = ReadZeroThreshold(r);
  out->schema = static_cast<int32_t>(ReadVarbitInt(r));
  if (const char* err = ReadSpans(r, &out->positive_spans)) return err;
  return ReadSpans(r, &out->negative_spans);
}

bool ExpandSpansForward(std::span<const HistogramSpan> a,
                        std::span<const HistogramSpan> b,
                        std::vector<BucketInsert>* forward) {
  forward->clear();
  BucketIndexIterator ai(a), bi(b);
  BucketInsert pending;  // Emitted when a streak of new buckets ends.
  int64_t av = 0, bv = 0;
  bool a_ok = ai.Next(&av), b_ok = bi.Next(&bv);
  for (;;) {
    if (a_ok && b_ok) {
      if (av == bv) {
        if (pending.num > 0) forward->push_back(pending);
        pending.num = 0;
        a_ok = ai.Next(&av);
        b_ok = bi.Next(&bv);
        ++pending.pos;
      } else if (av < bv) {
        return false;  // b lacks a bucket of a.
      } else {
        ++pending.num;
        b_ok = bi.Next(&bv);
      }
    } else if (a_ok) {
      return false;
    } else if (b_ok) {
      ++pending.num;
      b_ok = bi.Next(&bv);
    } else {
      if (pending.num > 0) forward->push_back(pending);
      return true;
    }
  }
}

void ExpandSpansBothWays(std::span<const HistogramSpan> a,
                         std::span<const HistogramSpan> b,
                         std::vector<BucketInsert>* forward,
                         std::vector<BucketInsert>* backward,
                         std::vector<HistogramSpan>* merged) {
  forward->clear();
  backward->clear();
  SpanBuilder spans(merged);
  BucketIndexIterator ai(a), bi(b);
  BucketInsert f, bw;
  auto flush = [](BucketInsert& ins, std::vector<BucketInsert>* out) {
    if (ins.num > 0) out->push_back(ins);
    ins.num = 0;
  };
  int64_t av = 0, bv = 0;
  bool a_ok = ai.Next(&av), b_ok = bi.Next(&bv);
  for (;;) {
    if (a_ok && b_ok) {
      if (av == bv) {
        flush(f, forward);
        flush(bw, backward);
        spans.Add(av);
        a_ok = ai.Next(&av);
        b_ok = bi.Next(&bv);
        ++f.pos;
        ++bw.pos;
      } else if (av < bv) {  // b lacks a's bucket.
        ++bw.num;
        flush(f, forward);
        spans.Add(av);
        ++f.pos;
        a_ok = ai.Next(&av);
      } else {  // a lacks b's bucket.
        ++f.num;
        flush(bw, backward);
        spans.Add(bv);
        ++bw.pos;
        b_ok = bi.Next(&bv);
      }
    } else if (a_ok) {
      ++bw.num;
      spans.Add(av);
      a_ok = ai.Next(&av);
    } else if (b_ok) {
      ++f.num;
      spans.Add(bv);
      b_ok = bi.Next(&bv);
    } else {
      flush(f, forward);
      flush(bw, backward);
      return;
    }
  }
}

std::vector<int64_t> InsertBuckets(std::span<const int64_t> in,
                                   std::span<const BucketInsert> inserts) {
  return InsertBucketsImpl(in, inserts);
}

std::vector<double> InsertBuckets(std::span<const double> in,
                                  std::span<const BucketInsert> inserts) {
  return InsertBucketsImpl(in, inserts);
}

bool CounterResetInAnyBucket(std::span<const int64_t> old_buckets,
                             std::span<const int64_t> new_buckets,
                             std::span<const HistogramSpan> old_spans,
                             std::span<const HistogramSpan> new_spans) {
  return CounterResetInAnyBucketImpl(old_buckets, new_buckets, old_spans,
                                     new_spans);
}

bool CounterResetInAnyBucket(std::span<const double> old_buckets,
                             std::span<const double> new_buckets,
                             std::span<const HistogramSpan> old_spans,
                             std::span<const HistogramSpan> new_spans) {
  return CounterResetInAnyBucketImpl(old_buckets, new_buckets, old_spans,
                                     new_spans);
}

}  // namespace strata::chunk
