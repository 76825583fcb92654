#include "chunk/xor_chunk.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <utility>

namespace strata::chunk {

namespace {

// True if x fits the bucket of `nbits` bits: Prometheus's bitRange, whose
// range is -(2^(n-1) - 1) .. 2^(n-1).
constexpr bool BitRange(int64_t x, int nbits) {
  const int64_t half = int64_t{1} << (nbits - 1);
  return -(half - 1) <= x && x <= half;
}

void WriteUvarint(BitWriter* w, uint64_t v) {
  while (v >= 0x80) {
    w->WriteByte(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  w->WriteByte(static_cast<uint8_t>(v));
}

}  // namespace

XorChunk::XorChunk()
    : writer_(std::string_view("\0\0", xor_format::kHeaderSize), 0) {}

XorChunk::XorChunk(std::string_view bytes)
    : writer_(bytes, 0),
      num_(static_cast<uint16_t>(std::max(0, XorNumSamples(bytes)))),
      appendable_(false) {}

std::string_view XorChunk::Bytes() const {
  // The header is 2 whole bytes, so it is written once it exists.
  if (writer_.bit_size() >= 8 * xor_format::kHeaderSize) {
    uint8_t* p = writer_.mutable_data();
    p[0] = static_cast<uint8_t>(num_ >> 8);
    p[1] = static_cast<uint8_t>(num_);
  }
  return writer_.bytes();
}

std::optional<XorAppender> XorChunk::NewAppender() {
  XorIterator it(Bytes());
  while (it.Next()) {
  }
  if (it.error()) return std::nullopt;

  // Continue writing exactly where the last sample ended, dropping any bytes
  // after it, so the result equals an uninterrupted append. A zero byte
  // right after a byte-aligned end is kept as bstream's trailing free byte,
  // so that a chunk read from disk keeps its bytes until the next append.
  const size_t end_bits =
      xor_format::kHeaderSize * 8 + it.reader_.bits_consumed();
  const size_t end_bytes = (end_bits + 7) / 8;
  const std::string_view bytes = Bytes();
  int free_bits = static_cast<int>(end_bytes * 8 - end_bits);
  size_t keep = end_bytes;
  if (free_bits == 0 && it.num_total_ > 0 && bytes.size() > end_bytes &&
      bytes[end_bytes] == 0) {
    keep = end_bytes + 1;
    free_bits = 8;
  }
  writer_ = BitWriter(bytes.substr(0, keep), free_bits);

  num_ = static_cast<uint16_t>(it.num_total_);
  t_ = it.t_;
  v_bits_ = it.v_bits_;
  t_delta_ = it.t_delta_;
  // Prometheus resumes with the decoder's window, which is 0/0 when no
  // value window was ever written; only an empty chunk starts windowless.
  leading_ = it.leading_;
  trailing_ = it.trailing_;
  if (it.num_total_ == 0) leading_ = xor_format::kNoWindow;
  appendable_ = true;
  return XorAppender(this);
}

XorChunk::AppendState XorChunk::State() const {
  AppendState s;
  s.t = t_;
  s.v_bits = v_bits_;
  s.t_delta = t_delta_;
  s.num = num_;
  s.leading = leading_;
  s.trailing = trailing_;
  s.free_bits = static_cast<uint8_t>(writer_.free_bits());
  return s;
}

std::optional<XorChunk> XorChunk::Resume(std::string_view bytes,
                                         const AppendState& state) {
  // The smallest non-empty chunk: header, a varint byte and 8 value bytes.
  constexpr size_t kMinBytes = xor_format::kHeaderSize + 1 + 8;
  if (state.num == 0 || bytes.size() < kMinBytes ||
      XorNumSamples(bytes) != state.num || state.free_bits > 8 ||
      state.trailing > 63 ||
      (state.leading != xor_format::kNoWindow &&
       state.leading > xor_format::kMaxLeading)) {
    return std::nullopt;
  }
  // A trailing free byte (free_bits 8) must be the zero byte bstream keeps.
  if (state.free_bits == 8 && bytes.back() != 0) return std::nullopt;
  XorChunk c;
  c.writer_ = BitWriter(bytes, state.free_bits);
  c.t_ = state.t;
  c.v_bits_ = state.v_bits;
  c.t_delta_ = state.t_delta;
  c.num_ = state.num;
  c.leading_ = state.leading;
  c.trailing_ = state.trailing;
  c.appendable_ = true;
  return c;
}

void XorChunk::Append(int64_t t, double v) {
  BitWriter* w = &writer_;
  const int num = num_;
  assert(num < xor_format::kMaxSamples);
  assert(appendable_);
  const uint64_t v_bits = std::bit_cast<uint64_t>(v);
  // Go's uint64(t - a.t): wrapping subtraction.
  const uint64_t t_delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(t_);

  if (num == 0) {
    const uint64_t u = static_cast<uint64_t>(t);
    WriteUvarint(w, (u << 1) ^ static_cast<uint64_t>(t >> 63));  // Zig-zag.
    w->WriteBits(v_bits, 64);
  } else if (num == 1) {
    WriteUvarint(w, t_delta);
    WriteValueXor(v_bits, 0, 0);
  } else {
    // The timestamp's bits are handed to WriteValueXor, which writes them
    // with the value's in as few writes as the widths allow.
    const auto dod = static_cast<int64_t>(t_delta - t_delta_);
    uint64_t pending = 0;
    int pending_bits = 1;  // '0': dod == 0.
    if (dod != 0) {
      pending_bits = 0;
      for (const xor_format::DodBucket& b : xor_format::kDodBuckets) {
        if (BitRange(dod, b.value_bits)) {
          const uint64_t mask = (uint64_t{1} << b.value_bits) - 1;
          pending = (uint64_t{b.prefix} << b.value_bits) |
                    (static_cast<uint64_t>(dod) & mask);
          pending_bits = b.prefix_bits + b.value_bits;
          break;
        }
      }
      if (pending_bits == 0) {
        w->WriteBits(xor_format::kDodFallback.prefix,
                     xor_format::kDodFallback.prefix_bits);
        w->WriteBits(static_cast<uint64_t>(dod),
                     xor_format::kDodFallback.value_bits);
      }
    }
    WriteValueXor(v_bits, pending, pending_bits);
  }

  t_ = t;
  v_bits_ = v_bits;
  t_delta_ = num == 0 ? 0 : t_delta;
  num_ = static_cast<uint16_t>(num + 1);
}

void XorChunk::WriteValueXor(uint64_t v_bits, uint64_t pending,
                             int pending_bits) {
  BitWriter* w = &writer_;
  const uint64_t delta = v_bits ^ v_bits_;
  if (delta == 0) {
    // '0': the same value.
    w->WriteFields(pending << 1, pending_bits + 1, 1);
    return;
  }

  auto leading = static_cast<uint8_t>(std::countl_zero(delta));
  const auto trailing = static_cast<uint8_t>(std::countr_zero(delta));
  // The leading-zero field has 5 bits.
  if (leading > xor_format::kMaxLeading) leading = xor_format::kMaxLeading;

  int sig;
  int control_last_bits;  // Width of the last control field.
  if (leading_ != xor_format::kNoWindow && leading >= leading_ &&
      trailing >= trailing_) {
    // '10': the value fits the previous window.
    pending = (pending << 2) | 0b10;
    pending_bits += 2;
    control_last_bits = 1;
    sig = 64 - leading_ - trailing_;
  } else {
    // '11', the leading-zero count and the significant-bit count. 64
    // significant bits do not fit 6 bits and are written as 0; 0 itself
    // never occurs since delta != 0.
    leading_ = leading;
    trailing_ = trailing;
    sig = 64 - leading - trailing;
    constexpr int kHeaderBits =
        2 + xor_format::kLeadingBits + xor_format::kSigBits;
    pending = (pending << kHeaderBits) | (uint64_t{0b11} << (kHeaderBits - 2)) |
              (uint64_t{leading} << xor_format::kSigBits) |
              (static_cast<uint64_t>(sig) & ((1u << xor_format::kSigBits) - 1));
    pending_bits += kHeaderBits;
    control_last_bits = xor_format::kSigBits;
  }
  const uint64_t significant = delta >> trailing_;
  if (pending_bits + sig <= 64) {
    w->WriteFields((pending << sig) | significant, pending_bits + sig, sig);
  } else {
    w->WriteFields(pending, pending_bits, control_last_bits);
    w->WriteBits(significant, sig);
  }
}

}  // namespace strata::chunk
