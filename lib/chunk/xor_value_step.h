// One value's XOR fields (FORMAT.md, "Value XOR"), read by the register
// loops that keep a bit buffer in local variables: XorIterator's batch
// decoder (xor_iterator.cc) and the dense chunk's value mode
// (xor_values.cc). Both call it after seeing a '1' control bit.
//
// Regs has `uint64_t buf` (left-aligned bits, the next one is bit 63),
// `int nb` (valid bits, 0..63, at least 13 on entry), `uint64_t v_bits`
// (the previous value, updated), `int sig` and `int trailing` (the
// window, updated); Refill(Regs&) must make nb >= 56 and Consume(Regs&,
// n) drop n bits, found by argument-dependent lookup.
//
// Thread-safety: none needed (operates on its argument only).
#ifndef STRATA_CHUNK_XOR_VALUE_STEP_H_
#define STRATA_CHUNK_XOR_VALUE_STEP_H_

#include <cstdint>

#include "chunk/xor_format.h"

namespace strata::chunk {

// Reads the control's second bit, a new window if it is '1', and the
// significant bits; XORs them into r.v_bits. False when the new window is
// wider than 64 bits (nothing is consumed then).
template <class Regs>
[[gnu::always_inline]] inline bool ReadXorValueFields(Regs& r) {
  if ((r.buf >> 62) == 0b11) {
    constexpr int kLeadingShift = 64 - 2 - xor_format::kLeadingBits;
    constexpr int kSigShift = kLeadingShift - xor_format::kSigBits;
    const int lead = static_cast<int>((r.buf >> kLeadingShift) & 31);
    int sig = static_cast<int>((r.buf >> kSigShift) & 63);
    if (sig == 0) sig = 64;
    if (lead + sig > 64) [[unlikely]]
      return false;
    r.sig = sig;
    r.trailing = 64 - lead - sig;
    Consume(r, 2 + xor_format::kLeadingBits + xor_format::kSigBits);
  } else {
    Consume(r, 2);
  }
  if (r.sig > r.nb) Refill(r);
  uint64_t x;
  if (r.sig <= r.nb) [[likely]] {
    // sig <= nb <= 63, so both shifts are in range.
    x = r.buf >> (64 - r.sig);
    Consume(r, r.sig);
  } else {
    x = r.buf >> 32;
    Consume(r, 32);
    Refill(r);
    const int lo = r.sig - 32;
    x = (x << lo) | (r.buf >> (64 - lo));
    Consume(r, lo);
  }
  r.v_bits ^= x << r.trailing;
  return true;
}

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_XOR_VALUE_STEP_H_
