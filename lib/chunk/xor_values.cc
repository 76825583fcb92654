#include "chunk/xor_values.h"

#include <algorithm>
#include <bit>
#include <cstdint>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"
#include "chunk/xor_format.h"
#include "chunk/xor_iterator.h"

namespace strata::chunk {

namespace {

using xor_format::kLeadingBits;
using xor_format::kMaxLeading;
using xor_format::kNoWindow;
using xor_format::kSigBits;

}  // namespace

void WriteXorValue(BitWriter& w, uint64_t bits, uint64_t prev_bits,
                   uint8_t* leading, uint8_t* trailing) {
  const uint64_t x = bits ^ prev_bits;
  if (x == 0) {
    w.WriteBit(false);
    return;
  }
  const int lead = std::min<int>(std::countl_zero(x), kMaxLeading);
  const int trail = std::countr_zero(x);
  if (*leading != kNoWindow && lead >= *leading && trail >= *trailing) {
    w.WriteBits(0b10, 2);
    w.WriteBits(x >> *trailing, 64 - *leading - *trailing);
    return;
  }
  *leading = static_cast<uint8_t>(lead);
  *trailing = static_cast<uint8_t>(trail);
  const int sig = 64 - lead - trail;
  w.WriteBits(0b11, 2);
  w.WriteBits(static_cast<uint64_t>(lead), kLeadingBits);
  w.WriteBits(static_cast<uint64_t>(sig), kSigBits);  // 64 is stored as 0.
  w.WriteBits(x >> trail, sig);
}

const char* ReadXorValue(BitReader& r, uint64_t* bits, uint8_t* leading,
                         uint8_t* trailing) {
  XorIterator::DeltaState state{};
  state.v_bits = *bits;
  state.leading = *leading;
  state.trailing = *trailing;
  const char* err = XorIterator::DecodeValue(r, state);
  *bits = state.v_bits;
  *leading = state.leading;
  *trailing = state.trailing;
  return err;
}

void EncodeXorValues(std::span<const double> values, std::string* out) {
  BitWriter w;
  uint64_t prev = std::bit_cast<uint64_t>(values[0]);
  w.WriteBits(prev, 64);
  uint8_t leading = kNoWindow;
  uint8_t trailing = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    const uint64_t bits = std::bit_cast<uint64_t>(values[i]);
    WriteXorValue(w, bits, prev, &leading, &trailing);
    prev = bits;
  }
  // BitWriter may add Prometheus's trailing free byte; it is not needed.
  out->append(w.bytes().substr(0, (w.bit_size() + 7) / 8));
}

const char* DecodeXorValues(std::string_view in, std::span<double> out,
                            size_t* bytes_used) {
  BitReader r(in);
  // The XOR chunk's value decoder; its window starts as (0, 0) where the
  // encoder had none, which only a corrupt stream can use.
  XorIterator::DeltaState state{};
  state.v_bits = r.ReadBits(64);
  out[0] = std::bit_cast<double>(state.v_bits);
  for (size_t i = 1; i < out.size(); ++i) {
    if (const char* err = XorIterator::DecodeValue(r, state)) return err;
    out[i] = std::bit_cast<double>(state.v_bits);
  }
  if (r.overrun()) return "truncated XOR values";
  *bytes_used = (r.bits_consumed() + 7) / 8;
  return nullptr;
}

}  // namespace strata::chunk
