#include "chunk/histogram_iterator.h"

#include <bit>
#include <cstdint>

#include "chunk/varbit.h"
#include "chunk/xor_values.h"

namespace strata::chunk {

namespace {

// Two's complement addition without signed overflow (Go's wrapping).
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) +
                              static_cast<uint64_t>(b));
}

// Reads one bucket's delta-of-delta per bucket.
void ReadBucketDods(BitReader& r, std::vector<int64_t>& buckets,
                    std::vector<int64_t>& deltas) {
  for (size_t i = 0; i < buckets.size(); ++i) {
    deltas[i] = WrapAdd(deltas[i], ReadVarbitInt(r));
    buckets[i] = WrapAdd(buckets[i], deltas[i]);
  }
}

}  // namespace

HistogramIterator::HistogramIterator(std::string_view chunk)
    : HistogramIteratorBase(chunk) {
  state_.t = INT64_MIN;
}

bool HistogramIterator::ReadFirst() {
  HistogramCodecState& s = state_;
  if (const char* err = ReadHistogramLayout(reader_, &s.layout)) {
    return Fail(err);
  }
  // Every bucket takes at least one bit in the first sample.
  const uint64_t pos = CountBuckets(s.layout.positive_spans);
  const uint64_t neg = CountBuckets(s.layout.negative_spans);
  const uint64_t left = uint64_t{reader_.size()} * 8 - reader_.bits_consumed();
  if (pos > left || neg > left - pos) {
    return Fail("histogram chunk: more buckets than the chunk could hold");
  }
  s.positive_buckets.assign(pos, 0);
  s.negative_buckets.assign(neg, 0);
  s.positive_bucket_deltas.assign(pos, 0);
  s.negative_bucket_deltas.assign(neg, 0);
  s.t = ReadVarbitInt(reader_);
  s.count = ReadVarbitUint(reader_);
  s.zero_count = ReadVarbitUint(reader_);
  s.sum_bits = reader_.ReadBits(64);
  for (int64_t& b : s.positive_buckets) b = ReadVarbitInt(reader_);
  for (int64_t& b : s.negative_buckets) b = ReadVarbitInt(reader_);
  if (reader_.overrun()) return Fail("truncated histogram chunk");
  return true;
}

bool HistogramIterator::ReadDeltas() {
  HistogramCodecState& s = state_;
  s.t_delta = WrapAdd(s.t_delta, ReadVarbitInt(reader_));
  s.t = WrapAdd(s.t, s.t_delta);
  s.count_delta = WrapAdd(s.count_delta, ReadVarbitInt(reader_));
  s.count += static_cast<uint64_t>(s.count_delta);
  s.zero_count_delta = WrapAdd(s.zero_count_delta, ReadVarbitInt(reader_));
  s.zero_count += static_cast<uint64_t>(s.zero_count_delta);
  if (const char* err =
          ReadXorValue(reader_, &s.sum_bits, &s.leading, &s.trailing)) {
    return Fail(err);
  }
  // A stale marker carries no buckets.
  if (s.sum_bits != kStaleNaNBits) {
    ReadBucketDods(reader_, s.positive_buckets, s.positive_bucket_deltas);
    ReadBucketDods(reader_, s.negative_buckets, s.negative_bucket_deltas);
  }
  if (reader_.overrun()) return Fail("truncated histogram chunk");
  return true;
}

Histogram HistogramIterator::AtHistogram() const {
  Histogram h;
  h.sum = std::bit_cast<double>(state_.sum_bits);
  if (state_.sum_bits == kStaleNaNBits) return h;
  h.counter_reset_hint = HintAt(header_, num_read_);
  h.schema = state_.layout.schema;
  h.zero_threshold = state_.layout.zero_threshold;
  h.zero_count = state_.zero_count;
  h.count = state_.count;
  h.positive_spans = state_.layout.positive_spans;
  h.negative_spans = state_.layout.negative_spans;
  h.positive_buckets = state_.positive_buckets;
  h.negative_buckets = state_.negative_buckets;
  return h;
}

FloatHistogram HistogramIterator::AtFloatHistogram() const {
  return IteratorFloatHistogram(AtHistogram());
}

}  // namespace strata::chunk
