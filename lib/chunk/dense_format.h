// The constants of the dense chunk layout (Strata-only chunk encoding
// 0x53), in one place. FORMAT.md ("Dense chunk") explains them and the
// measurements behind them; dense_chunk.cc and int_packing.cc read and
// write this layout.
#ifndef STRATA_CHUNK_DENSE_FORMAT_H_
#define STRATA_CHUNK_DENSE_FORMAT_H_

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace strata::chunk::dense_format {

// Most samples a dense chunk holds: the XOR chunk's limit, so that any
// XOR chunk converts to one dense chunk and a corrupt count cannot make a
// reader allocate more than 65535 samples.
inline constexpr uint64_t kMaxSamples = 0xffff;

// Integer sequences are bit-packed in blocks of this many values, each
// with its own width, base and exceptions (int_packing.h).
inline constexpr int kBlockValues = 128;
// Block header byte: the low 7 bits are the width (0..64), the high bit
// says the residuals are zig-zag coded around the base.
inline constexpr uint8_t kZigZagFlag = 0x80;
inline constexpr uint8_t kWidthMask = 0x7f;
inline constexpr int kMaxWidth = 64;

// How the values are stored (the byte after the timestamps).
enum class ValueMode : uint8_t {
  // v = n / 10^e for an integer n, the n bit-packed as they are.
  kDecimalFor = 0,
  // The same, with the first n as a varint and the differences packed.
  kDecimalDelta = 1,
  // Gorilla XOR of consecutive values, as in the XOR chunk (FORMAT.md).
  kXor = 2,
  // Little-endian IEEE-754 bit patterns, 8 bytes a value.
  kRaw = 3,
};
inline constexpr uint8_t kMaxValueMode = 3;

// Largest decimal exponent: 10^18 is exact in a double and below 2^63.
inline constexpr int kMaxExponent = 18;
// |n| stays below this, so scaling and conversion never overflow int64.
inline constexpr double kMaxScaled = 0x1p62;

inline constexpr std::array<double, kMaxExponent + 1> kPow10 = [] {
  std::array<double, kMaxExponent + 1> p{};
  double x = 1;
  for (double& e : p) {
    e = x;
    x *= 10;
  }
  return p;
}();

// The value a decimal (n, e) stands for: n / 10^e, one correctly rounded
// IEEE division, so the result is the double nearest to the decimal and
// the same on every machine. The encoder keeps (n, e) only where this
// gives back the exact bits of the original value.
inline double DecimalValue(int64_t n, int e) {
  return static_cast<double>(n) / kPow10[e];
}
// Fixed-width fields (raw values) are little-endian.
inline void PutLE64(std::string* dst, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  dst->append(b, 8);
}
inline uint64_t DecodeLE64(const void* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) {
    v = __builtin_bswap64(v);
  }
  return v;
}

}  // namespace strata::chunk::dense_format

#endif  // STRATA_CHUNK_DENSE_FORMAT_H_
