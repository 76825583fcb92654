#include "chunk/xor_values.h"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"
#include "chunk/xor_format.h"
#include "chunk/xor_iterator.h"
#include "chunk/xor_value_step.h"
#include "util/coding.h"

namespace strata::chunk {

namespace {

using xor_format::kLeadingBits;
using xor_format::kMaxLeading;
using xor_format::kNoWindow;
using xor_format::kSigBits;

// DecodeXorValues' state, kept in registers over its loop. Invariant: the
// top nb bits of buf are the stream bits that start at bit 8 * p - nb
// (relative to the loads' origin), and the bits below them are zero or
// the stream bits that follow.
struct ValueRegs {
  const uint8_t* p;  // Next byte to load.
  uint64_t buf = 0;  // Left-aligned.
  int nb = 0;        // 0..63.
  uint64_t v_bits;   // The last value.
  int sig = 64;      // Window width. Without a window, as XorIterator's
  int trailing = 0;  // decoder: (0, 0), which only a corrupt stream uses.
};

enum class ValueStop { kCount, kSafeEnd, kTruncated, kWideWindow };

// A value has at most 2 + 11 + 64 = 77 bits. Started at bit c (so load
// position p >= c / 8), its at most three refills load 8 bytes each below
// c / 8 + 22.
constexpr size_t kValueLoadBytes = 24;
// The tail copy: kValueLoadBytes bytes and zeros; a value starting before
// its end loads below 24 + 22 bytes.
constexpr size_t kValueTailBytes = 64;

// Tops the buffer up to at least 56 bits.
[[gnu::always_inline]] inline void Refill(ValueRegs& r) {
  r.buf |= DecodeBE64(reinterpret_cast<const char*>(r.p)) >> r.nb;
  r.p += static_cast<unsigned>(63 - r.nb) >> 3;
  r.nb |= 56;
}

[[gnu::always_inline]] inline void Consume(ValueRegs& r, int n) {
  r.buf <<= n;
  r.nb -= n;
}

// Decodes values into *vs until vs == end, or a stop condition. Without
// kTail, only values that start at load position <= `stop`; with kTail,
// loads are from the zero-padded copy `origin` and a value ending past bit
// `end_bits` of it is a truncation.
template <bool kTail>
[[gnu::always_inline]] inline ValueStop DecodeValueLoop(
    ValueRegs& r_io, double*& vs_io, double* const end,
    const uint8_t* const stop, const uint8_t* const origin,
    const int64_t end_bits) {
  // Locals whose addresses do not escape, so that they stay in registers.
  ValueRegs r = r_io;
  double* vs = vs_io;
  auto consumed = [&]() {
    return static_cast<int64_t>(r.p - origin) * 8 - r.nb;
  };
  ValueStop result = ValueStop::kCount;
  while (vs != end) {
    if constexpr (!kTail) {
      if (r.p > stop) [[unlikely]] {
        result = ValueStop::kSafeEnd;
        break;
      }
    }
    Refill(r);
    if ((r.buf >> 63) == 0) {
      // A run of '0's: the value repeats.
      const int zeros = std::min(std::countl_zero(r.buf), r.nb);
      ptrdiff_t k = std::min<ptrdiff_t>(zeros, end - vs);
      if constexpr (kTail) {
        const int64_t left = end_bits - consumed();
        if (k > left) {
          k = left;
          if (k <= 0) {
            result = ValueStop::kTruncated;
            break;
          }
        }
      }
      const double v = std::bit_cast<double>(r.v_bits);
      for (ptrdiff_t j = 0; j < k; ++j) vs[j] = v;
      vs += k;
      Consume(r, static_cast<int>(k));
      continue;
    }
    if (!ReadXorValueFields(r)) [[unlikely]] {
      result = ValueStop::kWideWindow;
      break;
    }
    if constexpr (kTail) {
      if (consumed() > end_bits) {
        result = ValueStop::kTruncated;
        break;
      }
    }
    *vs++ = std::bit_cast<double>(r.v_bits);
  }
  r_io = r;
  vs_io = vs;
  return result;
}

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
  const auto* data = reinterpret_cast<const uint8_t*>(in.data());
  if (in.size() < 8) return "truncated XOR values";
  ValueRegs r;
  r.v_bits = DecodeBE64(in.data());
  out[0] = std::bit_cast<double>(r.v_bits);
  r.p = data + 8;
  double* vs = out.data() + 1;
  double* const end = out.data() + out.size();
  ValueStop stop = ValueStop::kSafeEnd;
  if (in.size() >= kValueLoadBytes + 8) {
    stop = DecodeValueLoop<false>(
        r, vs, end, data + in.size() - kValueLoadBytes, nullptr, 0);
  }
  size_t pos = static_cast<size_t>(r.p - data);
  if (stop == ValueStop::kSafeEnd) {
    // The last kValueLoadBytes bytes (or fewer), zero-padded, from a fixed
    // distance before the end.
    uint8_t tail[kValueTailBytes] = {};
    const size_t from =
        in.size() >= kValueLoadBytes ? in.size() - kValueLoadBytes : 0;
    std::memcpy(tail, data + from, in.size() - from);
    r.p = tail + (pos - from);
    stop = DecodeValueLoop<true>(r, vs, end, nullptr, tail,
                                 static_cast<int64_t>(in.size() - from) * 8);
    pos = from + static_cast<size_t>(r.p - tail);
  }
  if (stop == ValueStop::kWideWindow) return "XOR window wider than 64 bits";
  if (stop == ValueStop::kTruncated) return "truncated XOR values";
  *bytes_used = (pos * 8 - static_cast<size_t>(r.nb) + 7) / 8;
  return nullptr;
}

}  // namespace strata::chunk
