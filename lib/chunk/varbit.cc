#include "chunk/varbit.h"

#include <bit>
#include <cstdint>

namespace strata::chunk {

namespace {

// Payload widths by the number of leading 1-bits of the prefix (1..8).
constexpr int kPayloadBits[] = {0, 3, 6, 9, 12, 18, 25, 56, 64};
constexpr int kMaxPrefixOnes = 8;

// True if -(2^(nbits-1) - 1) <= v <= 2^(nbits-1) (Prometheus's bitRange).
bool InSignedRange(int64_t v, int nbits) {
  const int64_t half = int64_t{1} << (nbits - 1);
  return -(half - 1) <= v && v <= half;
}

// Writes `ones` 1-bits, the terminating 0 unless ones == 8, then the low
// `bits` bits of `payload`.
void PutPrefixed(BitWriter& w, int ones, uint64_t payload) {
  const int prefix_bits = ones == kMaxPrefixOnes ? ones : ones + 1;
  const uint64_t prefix =
      ones == kMaxPrefixOnes ? 0xff : ((uint64_t{1} << ones) - 1) << 1;
  w.WriteBits(prefix, prefix_bits);
  w.WriteBits(payload, kPayloadBits[ones]);
}

// Reads the prefix: the number of leading 1-bits, 0..8.
int ReadPrefixOnes(BitReader& r) {
  int ones = 0;
  while (ones < kMaxPrefixOnes && r.ReadBit()) ++ones;
  return ones;
}

}  // namespace

void PutVarbitInt(BitWriter& w, int64_t v) {
  if (v == 0) {
    w.WriteBit(false);
    return;
  }
  for (int ones = 1; ones < kMaxPrefixOnes; ++ones) {
    if (InSignedRange(v, kPayloadBits[ones])) {
      PutPrefixed(w, ones, static_cast<uint64_t>(v));
      return;
    }
  }
  PutPrefixed(w, kMaxPrefixOnes, static_cast<uint64_t>(v));
}

void PutVarbitUint(BitWriter& w, uint64_t v) {
  if (v == 0) {
    w.WriteBit(false);
    return;
  }
  const int width = 64 - std::countl_zero(v);
  for (int ones = 1; ones < kMaxPrefixOnes; ++ones) {
    if (width <= kPayloadBits[ones]) {
      PutPrefixed(w, ones, v);
      return;
    }
  }
  PutPrefixed(w, kMaxPrefixOnes, v);
}

int64_t ReadVarbitInt(BitReader& r) {
  const int ones = ReadPrefixOnes(r);
  if (ones == 0) return 0;
  const int bits = kPayloadBits[ones];
  uint64_t raw = r.ReadBits(bits);
  if (bits < 64 && raw > (uint64_t{1} << (bits - 1))) {
    raw -= uint64_t{1} << bits;  // Wraps to the negative value's bits.
  }
  return static_cast<int64_t>(raw);
}

uint64_t ReadVarbitUint(BitReader& r) {
  const int ones = ReadPrefixOnes(r);
  return ones == 0 ? 0 : r.ReadBits(kPayloadBits[ones]);
}

}  // namespace strata::chunk
