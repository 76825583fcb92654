#include "chunk/float_histogram_iterator.h"

#include <bit>
#include <cstdint>

#include "chunk/histogram_iterator.h"
#include "chunk/varbit.h"
#include "chunk/xor_values.h"

namespace strata::chunk {

namespace {

int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) +
                              static_cast<uint64_t>(b));
}

std::vector<double> Values(const std::vector<XorField>& fields) {
  std::vector<double> out;
  out.reserve(fields.size());
  for (const XorField& f : fields) out.push_back(f.value());
  return out;
}

}  // namespace

FloatHistogramIterator::FloatHistogramIterator(std::string_view chunk)
    : HistogramIteratorBase(chunk) {
  state_.t = INT64_MIN;
}

bool FloatHistogramIterator::ReadFirst() {
  FloatHistogramCodecState& s = state_;
  if (const char* err = ReadHistogramLayout(reader_, &s.layout)) {
    return Fail(err);
  }
  // Every bucket takes 64 bits in the first sample.
  const uint64_t pos = CountBuckets(s.layout.positive_spans);
  const uint64_t neg = CountBuckets(s.layout.negative_spans);
  const uint64_t left =
      (uint64_t{reader_.size()} * 8 - reader_.bits_consumed()) / 64;
  if (pos > left || neg > left - pos) {
    return Fail(
        "float histogram chunk: more buckets than the chunk could hold");
  }
  s.positive_buckets.assign(pos, XorField{});
  s.negative_buckets.assign(neg, XorField{});
  s.t = ReadVarbitInt(reader_);
  s.count.bits = reader_.ReadBits(64);
  s.zero_count.bits = reader_.ReadBits(64);
  s.sum.bits = reader_.ReadBits(64);
  for (XorField& b : s.positive_buckets) b.bits = reader_.ReadBits(64);
  for (XorField& b : s.negative_buckets) b.bits = reader_.ReadBits(64);
  if (reader_.overrun()) return Fail("truncated float histogram chunk");
  return true;
}

bool FloatHistogramIterator::ReadXor(XorField& f) {
  const char* err = ReadXorValue(reader_, &f.bits, &f.leading, &f.trailing);
  return err == nullptr || Fail(err);
}

bool FloatHistogramIterator::ReadDeltas() {
  FloatHistogramCodecState& s = state_;
  s.t_delta = WrapAdd(s.t_delta, ReadVarbitInt(reader_));
  s.t = WrapAdd(s.t, s.t_delta);
  if (!ReadXor(s.count) || !ReadXor(s.zero_count) || !ReadXor(s.sum)) {
    return false;
  }
  // A stale marker carries no buckets.
  if (s.sum.bits != kStaleNaNBits) {
    for (XorField& b : s.positive_buckets) {
      if (!ReadXor(b)) return false;
    }
    for (XorField& b : s.negative_buckets) {
      if (!ReadXor(b)) return false;
    }
  }
  if (reader_.overrun()) return Fail("truncated float histogram chunk");
  return true;
}

FloatHistogram FloatHistogramIterator::AtFloatHistogram() const {
  FloatHistogram h;
  h.sum = state_.sum.value();
  if (state_.sum.bits == kStaleNaNBits) return h;
  h.counter_reset_hint = HintAt(header_, num_read_);
  h.schema = state_.layout.schema;
  h.zero_threshold = state_.layout.zero_threshold;
  h.zero_count = state_.zero_count.value();
  h.count = state_.count.value();
  h.positive_spans = state_.layout.positive_spans;
  h.negative_spans = state_.layout.negative_spans;
  h.positive_buckets = Values(state_.positive_buckets);
  h.negative_buckets = Values(state_.negative_buckets);
  return h;
}

}  // namespace strata::chunk
