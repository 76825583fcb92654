#include "chunk/xor_iterator.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>

#include "chunk/xor_value_step.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif

namespace strata::chunk {

namespace {

enum class VarintResult { kOk, kTruncated, kOverlong };

// Go's encoding/binary.Uvarint over data[*pos, size): at most 10 bytes, and
// the 10th may only hold the top bit of a uint64. The varints of a chunk
// start on byte boundaries, so they are read as bytes.
VarintResult ParseUvarint(const uint8_t* data, size_t size, size_t* pos,
                          uint64_t* v) {
  constexpr int kMaxBytes = 10;
  uint64_t x = 0;
  for (int i = 0, shift = 0; i < kMaxBytes; ++i, shift += 7) {
    if (*pos >= size) return VarintResult::kTruncated;
    const uint8_t b = data[(*pos)++];
    if (b < 0x80) {
      if (i == kMaxBytes - 1 && b > 1) return VarintResult::kOverlong;
      *v = x | uint64_t{b} << shift;
      return VarintResult::kOk;
    }
    x |= uint64_t{b & 0x7fu} << shift;
  }
  return VarintResult::kOverlong;
}

// The delta decoder's state, kept in registers by DecodeDeltaLoop.
struct DeltaRegs {
  const uint8_t* p;  // Next byte to load.
  uint64_t next;     // The 8 bytes at p, big-endian, loaded ahead.
  uint64_t buf;      // Left-aligned; the top nb bits are the next ones.
  int nb;            // 0..63.
  int64_t t;
  uint64_t t_delta;
  uint64_t v_bits;
  int sig;       // Value window width: 64 - leading - trailing.
  int trailing;  // Value window trailing zeros.
};

enum class DeltaStop { kCount, kSafeEnd, kTruncated, kWideWindow };

// A sample has at most 4 + 64 + 13 + 64 = 145 bits. Started at load
// position p (so at most 8p bits consumed), its loads stay below p + 34:
// each reads 8 bytes at (consumed + nb) / 8 <= (8p + 145 + 63) / 8.
constexpr size_t kSampleLoadBytes = 34;
// The tail copy holds the last kSampleLoadBytes bytes (or fewer) and zeros;
// a sample starts only before the end of the input, so at load position
// <= 34 + 8, and its loads stay below 42 + 34 bytes.
constexpr size_t kTailBytes = 96;

[[gnu::always_inline]] inline uint64_t LoadBE64(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return __builtin_bswap64(w);
}

// Tops the buffer up to at least 56 bits. The bytes were loaded by the
// previous refill, so the load's latency stays off the chain from one
// sample's bit count to the next sample's bits.
[[gnu::always_inline]] inline void Refill(DeltaRegs& r) {
  // Bits below the nb valid ones are zero or the same stream bits.
  r.buf |= r.next >> r.nb;
  r.p += static_cast<unsigned>(63 - r.nb) >> 3;
  r.nb |= 56;
  r.next = LoadBE64(r.p);
}

[[gnu::always_inline]] inline void Consume(DeltaRegs& r, int n) {
  r.buf <<= n;
  r.nb -= n;
}

// Decodes samples after the second into *out and *vs until out == out_end,
// or a stop condition. Without kTail, only samples that start at load
// position <= `stop` (all of whose loads are then in bounds); with kTail,
// loads are from a zero-padded buffer `origin` and a sample that would end
// past bit `end_bits` of it is a truncation.
template <bool kTail>
[[gnu::always_inline]] inline DeltaStop DecodeDeltaLoop(
    DeltaRegs& r, int64_t*& out, double*& vs, int64_t* const out_end,
    const uint8_t* const stop, const uint8_t* const origin,
    const int64_t end_bits) {
  auto consumed = [&]() {
    return static_cast<int64_t>(r.p - origin) * 8 - r.nb;
  };
  r.next = LoadBE64(r.p);
  while (out != out_end) {
    if constexpr (!kTail) {
      if (r.p > stop) [[unlikely]]
        return DeltaStop::kSafeEnd;
    }
    Refill(r);
    if ((r.buf >> 62) == 0) {
      // A run of '00' samples: dod 0 and the value unchanged, the commonest
      // pattern of scraped data (constant series at a steady interval).
      const int zeros = std::min(std::countl_zero(r.buf), r.nb);
      ptrdiff_t k = std::min<ptrdiff_t>(zeros >> 1, out_end - out);
      if constexpr (kTail) {
        const int64_t left = end_bits - consumed();
        if (2 * k > left) {
          k = left / 2;
          if (k <= 0) return DeltaStop::kTruncated;
        }
      }
      const double v = std::bit_cast<double>(r.v_bits);
      int64_t t = r.t;
      for (ptrdiff_t j = 0; j < k; ++j) {
        t = static_cast<int64_t>(static_cast<uint64_t>(t) + r.t_delta);
        out[j] = t;
        vs[j] = v;
      }
      r.t = t;
      out += k;
      vs += k;
      Consume(r, static_cast<int>(2 * k));
      continue;
    }
    // Timestamp: nb >= 56 covers the largest bucket (24 bits).
    if ((r.buf >> 63) == 0) {
      Consume(r, 1);
    } else {
      const int ones = std::countl_one(r.buf);
      if (ones < 4) [[likely]] {
        // Bucket widths in closed form (checked in xor_iterator.h).
        const int value_bits = 11 + 3 * ones;
        uint64_t raw = (r.buf << (ones + 1)) >> (64 - value_bits);
        const uint64_t half = uint64_t{1} << (value_bits - 1);
        if (raw > half) raw -= half << 1;
        r.t_delta += raw;
        Consume(r, ones + 1 + value_bits);
      } else {
        // '1111' and a 64-bit dod, in two halves.
        Consume(r, 4);
        const uint64_t hi = r.buf >> 32;
        Consume(r, 32);
        Refill(r);
        const uint64_t lo = r.buf >> 32;
        Consume(r, 32);
        r.t_delta += (hi << 32) | lo;
        Refill(r);
      }
    }
    r.t = static_cast<int64_t>(static_cast<uint64_t>(r.t) + r.t_delta);
    // Value: nb >= 32 covers a window header (13 bits).
    if ((r.buf >> 63) != 0) {
      if (!ReadXorValueFields(r)) [[unlikely]]
        return DeltaStop::kWideWindow;
    } else {
      Consume(r, 1);
    }
    if constexpr (kTail) {
      if (consumed() > end_bits) return DeltaStop::kTruncated;
    }
    *out++ = r.t;
    *vs++ = std::bit_cast<double>(r.v_bits);
  }
  return DeltaStop::kCount;
}

// Decodes samples after the second from data[pos...] (state in r) into
// out/vs until out_end or an error. Bytes come from the chunk itself while a
// whole sample's loads stay inside it, then from `tail`, a zero-padded copy
// of the rest. Updates pos to the reader position for r.
[[gnu::always_inline]] inline DeltaStop DecodeRange(
    DeltaRegs& r_io, const uint8_t* data, size_t size, size_t& pos_io,
    int64_t*& out_io, double*& vs_io, int64_t* out_end) {
  // Locals whose addresses do not escape, so that they live in registers
  // (stores to out could otherwise alias r.t).
  DeltaRegs r = r_io;
  size_t pos = pos_io;
  int64_t* out = out_io;
  double* vs = vs_io;
  DeltaStop stop = DeltaStop::kSafeEnd;
  if (size >= kSampleLoadBytes && pos <= size - kSampleLoadBytes) {
    r.p = data + pos;
    stop = DecodeDeltaLoop<false>(r, out, vs, out_end,
                                  data + size - kSampleLoadBytes, nullptr, 0);
    pos = static_cast<size_t>(r.p - data);
  }
  if (stop == DeltaStop::kSafeEnd) {
    // Fewer than kSampleLoadBytes bytes from pos to the end (pos may be past
    // the end after BitReader supplied zeros). The copy starts at `from`, a
    // fixed distance before the end, so that it takes a few fixed-size moves.
    uint8_t tail[kTailBytes];
    size_t from = 0;
    if (size >= kSampleLoadBytes) {
      from = size - kSampleLoadBytes;
      std::memcpy(tail, data + from, kSampleLoadBytes);
      std::memset(tail + kSampleLoadBytes, 0, kTailBytes - kSampleLoadBytes);
    } else {
      std::memset(tail, 0, kTailBytes);
      if (size > 0) std::memcpy(tail, data, size);
    }
    r.p = tail + (pos - from);
    const auto end_bits = static_cast<int64_t>(size - from) * 8;
    stop = DecodeDeltaLoop<true>(r, out, vs, out_end, nullptr, tail, end_bits);
    pos = from + static_cast<size_t>(r.p - tail);
  }
  r_io = r;
  pos_io = pos;
  out_io = out;
  vs_io = vs;
  return stop;
}

using DecodeRangeFn = DeltaStop (*)(DeltaRegs&, const uint8_t*, size_t, size_t&,
                                    int64_t*&, double*&, int64_t*);

DeltaStop DecodeRangeGeneric(DeltaRegs& r, const uint8_t* data, size_t size,
                             size_t& pos, int64_t*& out, double*& vs,
                             int64_t* out_end) {
  return DecodeRange(r, data, size, pos, out, vs, out_end);
}

#if defined(__x86_64__) && defined(__GNUC__)
// The same loop with LZCNT (1 cycle, where BSR takes 4 on AMD Zen and needs
// a zero check) and BMI2 shifts: 9 % faster on the real data. Picked at run
// time, as the build targets baseline x86-64.
__attribute__((target("lzcnt,bmi,bmi2"))) DeltaStop DecodeRangeBmi2(
    DeltaRegs& r, const uint8_t* data, size_t size, size_t& pos, int64_t*& out,
    double*& vs, int64_t* out_end) {
  return DecodeRange(r, data, size, pos, out, vs, out_end);
}
#endif

DecodeRangeFn PickDecodeRange(bool allow_bmi2) {
#if defined(__x86_64__) && defined(__GNUC__)
  // CPUID: LZCNT is leaf 0x80000001 ECX bit 5; BMI1 and BMI2 are leaf 7
  // EBX bits 3 and 8. (<cpuid.h> works with GCC and Clang, whose
  // __builtin_cpu_supports names differ.)
  unsigned a, b, c, d;
  const bool lzcnt =
      __get_cpuid(0x80000001, &a, &b, &c, &d) != 0 && (c & (1u << 5)) != 0;
  const bool bmi = __get_cpuid_count(7, 0, &a, &b, &c, &d) != 0 &&
                   (b & (1u << 3)) != 0 && (b & (1u << 8)) != 0;
  if (allow_bmi2 && lzcnt && bmi) return DecodeRangeBmi2;
#endif
  return DecodeRangeGeneric;
}

// Null until the first decode; then PickDecodeRange's choice.
std::atomic<DecodeRangeFn> g_decode_range{nullptr};

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
  SetCurrentToDecoded();
  pending_error_ = nullptr;
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
  // The buffer is empty.
  if (pending_error_ != nullptr) return Fail(pending_error_);
  if (num_read_ >= limit_) return false;
  if (num_read_ == 0) return ReadFirst();
  if (num_read_ == 1) return ReadSecond();
  const char* err;
  const size_t n = DecodeDeltas(
      buf_t_, buf_v_, std::min(kBufferSamples, limit_ - num_read_), &err);
  if (n == 0) return Fail(err);
  pending_error_ = err;
  buf_len_ = static_cast<int>(n);
  buf_pos_ = 1;
  return true;
}

bool XorIterator::ReadFirst() {
  // The reader is at the start of the stream, byte-aligned.
  const uint8_t* const data = reader_.data();
  const size_t size = reader_.size();
  size_t pos = reader_.pos();
  uint64_t zigzag;
  switch (ParseUvarint(data, size, &pos, &zigzag)) {
    case VarintResult::kOk:
      break;
    case VarintResult::kTruncated:
      return Fail("truncated XOR chunk");
    case VarintResult::kOverlong:
      return Fail("bad first timestamp varint");
  }
  if (size - pos < 8) return Fail("truncated XOR chunk");
  uint64_t v;
  std::memcpy(&v, data + pos, 8);
  reader_.Restore(pos + 8, 0, 0);
  t_ = static_cast<int64_t>(zigzag >> 1) ^ -static_cast<int64_t>(zigzag & 1);
  v_bits_ = __builtin_bswap64(v);
  ++num_read_;
  SetCurrentToDecoded();
  return true;
}

bool XorIterator::ReadSecond() {
  // ReadFirst left the reader byte-aligned with nothing buffered.
  size_t pos = reader_.pos();
  uint64_t delta;
  switch (ParseUvarint(reader_.data(), reader_.size(), &pos, &delta)) {
    case VarintResult::kOk:
      break;
    case VarintResult::kTruncated:
      return Fail("truncated XOR chunk");
    case VarintResult::kOverlong:
      return Fail("bad timestamp delta varint");
  }
  reader_.Restore(pos, 0, 0);
  DeltaState s = delta_state();
  s.t_delta = delta;
  s.t = static_cast<int64_t>(static_cast<uint64_t>(s.t) + delta);
  const char* err = DecodeValue(reader_, s);
  set_delta_state(s);
  if (err != nullptr) return Fail(err);
  ++num_read_;
  SetCurrentToDecoded();
  return true;
}

size_t XorIterator::NextBatch(int64_t* __restrict ts, double* __restrict vs,
                              size_t max) {
  size_t n = 0;
  if (buf_pos_ < buf_len_) {
    // Samples Next() buffered come first.
    const size_t k = std::min(max, static_cast<size_t>(buf_len_ - buf_pos_));
    std::memcpy(ts, buf_t_ + buf_pos_, k * sizeof(int64_t));
    std::memcpy(vs, buf_v_ + buf_pos_, k * sizeof(double));
    buf_pos_ += static_cast<int>(k);
    n = k;
    if (buf_pos_ < buf_len_) return n;
  }
  if (pending_error_ != nullptr) {
    if (n < max) Fail(pending_error_);
    return n;
  }
  while (n < max && num_read_ < 2) {
    if (!Next()) return n;
    ts[n] = t();
    vs[n] = v();
    ++n;
  }
  if (n < max && num_read_ < limit_) {
    const char* err;
    const size_t k = DecodeDeltas(
        ts + n, vs + n,
        std::min(max - n, static_cast<size_t>(limit_ - num_read_)), &err);
    n += k;
    if (k > 0) {
      buf_t_[0] = ts[n - 1];
      buf_v_[0] = vs[n - 1];
      buf_pos_ = 1;
      buf_len_ = 1;
    }
    if (err != nullptr) Fail(err);
  }
  return n;
}

void XorIterator::UseBaselineDecoderForTesting(bool baseline) {
  g_decode_range.store(PickDecodeRange(/*allow_bmi2=*/!baseline),
                       std::memory_order_relaxed);
}

size_t XorIterator::DecodeDeltas(int64_t* __restrict ts, double* __restrict vs,
                                 const size_t count, const char** err) {
  DeltaRegs r;
  size_t pos = reader_.pos();
  r.buf = reader_.window();
  r.nb = reader_.buffered();
  r.t = t_;
  r.t_delta = t_delta_;
  r.v_bits = v_bits_;
  r.sig = 64 - leading_ - trailing_;
  r.trailing = trailing_;
  int64_t* out = ts;
  double* vout = vs;
  DecodeRangeFn decode_range = g_decode_range.load(std::memory_order_relaxed);
  if (decode_range == nullptr) [[unlikely]] {
    decode_range = PickDecodeRange(/*allow_bmi2=*/true);
    g_decode_range.store(decode_range, std::memory_order_relaxed);
  }
  const DeltaStop stop = decode_range(r, reader_.data(), reader_.size(), pos,
                                      out, vout, ts + count);
  reader_.Restore(pos, r.buf, r.nb);
  t_ = r.t;
  t_delta_ = r.t_delta;
  v_bits_ = r.v_bits;
  leading_ = static_cast<uint8_t>(64 - r.sig - r.trailing);
  trailing_ = static_cast<uint8_t>(r.trailing);
  *err = stop == DeltaStop::kTruncated    ? "truncated XOR chunk"
         : stop == DeltaStop::kWideWindow ? "XOR window wider than 64 bits"
                                          : nullptr;
  const size_t n = static_cast<size_t>(out - ts);
  num_read_ += static_cast<int>(n);
  return n;
}

}  // namespace strata::chunk
