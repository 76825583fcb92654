#include "chunk/xor_iterator.h"

#include <algorithm>
#include <bit>

namespace strata::chunk {

namespace {

// Go's encoding/binary.ReadUvarint over the bit stream: at most 10 bytes,
// and the 10th may only hold the top bit of a uint64.
bool ReadUvarint(BitReader* r, uint64_t* v) {
  constexpr int kMaxBytes = 10;
  uint64_t x = 0;
  for (int i = 0, shift = 0; i < kMaxBytes; ++i, shift += 7) {
    const auto b = static_cast<uint8_t>(r->ReadBits(8));
    if (b < 0x80) {
      if (i == kMaxBytes - 1 && b > 1) return false;
      *v = x | uint64_t{b} << shift;
      return true;
    }
    x |= uint64_t{b & 0x7fu} << shift;
  }
  return false;
}

}  // namespace

bool XorTimeRange(std::string_view chunk, int64_t* min_time,
                  int64_t* max_time) {
  XorIterator it(chunk);
  if (!it.Next()) return false;
  *min_time = it.t();
  while (it.Next()) {
  }
  if (it.error()) return false;
  *max_time = it.t();
  return true;
}

void XorIterator::Reset(std::string_view chunk) {
  num_read_ = 0;
  t_ = INT64_MIN;
  v_bits_ = 0;
  t_delta_ = 0;
  leading_ = 0;
  trailing_ = 0;
  error_ = nullptr;
  const int n = XorNumSamples(chunk);
  if (n < 0) {
    num_total_ = 0;
    limit_ = 0;
    reader_.Reset({});
    error_ = "XOR chunk shorter than its header";
    return;
  }
  num_total_ = n;
  limit_ = n;
  reader_.Reset(chunk.substr(xor_format::kHeaderSize));
}

bool XorIterator::NextSlow() {
  if (num_read_ >= limit_) return false;
  if (num_read_ == 0) return ReadFirst();
  if (num_read_ == 1) return ReadSecond();
  return NextDelta();
}

bool XorIterator::ReadFirst() {
  uint64_t zigzag;
  if (!ReadUvarint(&reader_, &zigzag)) {
    return Fail(reader_.overrun() ? "truncated XOR chunk"
                                  : "bad first timestamp varint");
  }
  const uint64_t v = reader_.ReadBits(64);
  if (reader_.overrun()) return Fail("truncated XOR chunk");
  t_ = static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
  v_bits_ = v;
  ++num_read_;
  return true;
}

bool XorIterator::ReadSecond() {
  uint64_t delta;
  if (!ReadUvarint(&reader_, &delta)) {
    return Fail(reader_.overrun() ? "truncated XOR chunk"
                                  : "bad timestamp delta varint");
  }
  DeltaState s = delta_state();
  s.t_delta = delta;
  s.t = static_cast<int64_t>(static_cast<uint64_t>(s.t) + delta);
  const char* err = DecodeValue(reader_, s);
  set_delta_state(s);
  if (err != nullptr) return Fail(err);
  ++num_read_;
  return true;
}

size_t XorIterator::NextBatch(int64_t* __restrict ts, double* __restrict vs,
                              size_t max) {
  // __restrict: stores to ts must not force reloads of the decoder state.
  size_t n = 0;
  while (n < max && Next()) {
    ts[n] = t_;
    vs[n] = v();
    ++n;
  }
  return n;
}

}  // namespace strata::chunk
