// The constants of the Gorilla XOR chunk layout, in one place. FORMAT.md
// explains them; xor_chunk.cc writes and xor_iterator.cc reads this layout.
#ifndef STRATA_CHUNK_XOR_FORMAT_H_
#define STRATA_CHUNK_XOR_FORMAT_H_

#include <cstdint>

namespace strata::chunk::xor_format {

// Big-endian uint16 sample count at the start of every chunk.
inline constexpr int kHeaderSize = 2;
inline constexpr int kMaxSamples = 0xffff;

// Timestamp delta-of-delta buckets after the second sample. A bucket holds
// dod when -(2^(bits-1) - 1) <= dod <= 2^(bits-1): the range is shifted by
// one from two's complement, and the reader maps raw > 2^(bits-1) to
// raw - 2^bits (Prometheus's bitRange and its sign rule).
struct DodBucket {
  uint8_t prefix;       // Control bits, MSB first.
  uint8_t prefix_bits;  // Number of control bits.
  uint8_t value_bits;   // Payload width.
};
// '0' alone means dod == 0.
inline constexpr DodBucket kDodBuckets[] = {
    {0b10, 2, 14},
    {0b110, 3, 17},
    {0b1110, 4, 20},
};
// Anything else: '1111' and the 64-bit two's complement dod.
inline constexpr DodBucket kDodFallback = {0b1111, 4, 64};

// Value XOR: '0' (same value), '10' (reuse window) or '11' + window.
inline constexpr int kLeadingBits = 5;      // Leading-zero count field.
inline constexpr int kSigBits = 6;          // Significant-bit count; 0 = 64.
inline constexpr uint8_t kMaxLeading = 31;  // Leading zeros are clamped here.
// Appender marker: no window yet, so the next non-zero XOR writes one.
inline constexpr uint8_t kNoWindow = 0xff;

}  // namespace strata::chunk::xor_format

#endif  // STRATA_CHUNK_XOR_FORMAT_H_
