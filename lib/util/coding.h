// Fixed-width and variable-length integer encodings used by on-disk formats.
// Prometheus's formats are big-endian for fixed widths and use Go's
// encoding/binary varints (LEB128; signed values zig-zag encoded).
//
// Decoders take a std::string_view* and consume from its front; they return
// false (never throw) when the input is short or malformed.
#ifndef STRATA_UTIL_CODING_H_
#define STRATA_UTIL_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace strata {

inline constexpr int kMaxVarintBytes = 10;

inline void PutBE32(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (24 - 8 * i));
  dst->append(b, 4);
}
inline void PutBE64(std::string* dst, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  dst->append(b, 8);
}
inline void EncodeBE32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (24 - 8 * i));
}
// Writes v big-endian at p; returns the end of what it wrote.
inline char* EncodeBE64(char* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
  return p + 8;
}
inline uint16_t DecodeBE16(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}
inline uint32_t DecodeBE32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) |
         (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}
inline uint64_t DecodeBE64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

// Writes a uvarint into buf (at least kMaxVarintBytes); returns its length.
inline int EncodeUvarint(char* buf, uint64_t v) {
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  return n;
}
inline void PutUvarint(std::string* dst, uint64_t v) {
  char buf[kMaxVarintBytes];
  dst->append(buf, EncodeUvarint(buf, v));
}
inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}
// Writes a zig-zag varint into buf (at least kMaxVarintBytes); returns its
// length.
inline int EncodeVarint(char* buf, int64_t v) {
  return EncodeUvarint(buf, ZigZagEncode(v));
}
inline void PutVarint(std::string* dst, int64_t v) {
  PutUvarint(dst, ZigZagEncode(v));
}
inline int UvarintLength(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline bool GetUvarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (size_t i = 0; i < in->size() && i < kMaxVarintBytes; ++i) {
    const uint8_t b = static_cast<uint8_t>((*in)[i]);
    if (i == kMaxVarintBytes - 1 && b > 1) return false;  // Overflow.
    result |= uint64_t{b & 0x7fu} << (7 * i);
    if (b < 0x80) {
      in->remove_prefix(i + 1);
      *v = result;
      return true;
    }
  }
  return false;
}
inline bool GetVarint(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetUvarint(in, &u)) return false;
  *v = ZigZagDecode(u);
  return true;
}
inline bool GetBE32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = DecodeBE32(in->data());
  in->remove_prefix(4);
  return true;
}
inline bool GetBE64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = DecodeBE64(in->data());
  in->remove_prefix(8);
  return true;
}
inline bool GetByte(std::string_view* in, uint8_t* v) {
  if (in->empty()) return false;
  *v = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}
// A uvarint length followed by that many bytes.
inline void PutLengthPrefixed(std::string* dst, std::string_view s) {
  PutUvarint(dst, s.size());
  dst->append(s);
}
inline bool GetLengthPrefixed(std::string_view* in, std::string_view* s) {
  uint64_t n;
  if (!GetUvarint(in, &n) || n > in->size()) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

inline uint64_t DoubleBits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}
inline double BitsToDouble(uint64_t b) {
  double v;
  std::memcpy(&v, &b, 8);
  return v;
}

}  // namespace strata

#endif  // STRATA_UTIL_CODING_H_
