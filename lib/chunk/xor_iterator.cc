#include "chunk/xor_iterator.h"

#include <algorithm>
#include <bit>
#include <cstring>

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
  size_t n = 0;
  while (n < max && num_read_ < 2) {
    if (!Next()) return n;
    ts[n] = t_;
    vs[n] = v();
    ++n;
  }
  if (n < max && num_read_ < limit_) {
    n += DecodeDeltas(
        ts + n, vs + n,
        std::min(max - n, static_cast<size_t>(limit_ - num_read_)));
  }
  return n;
}

size_t XorIterator::DecodeDeltas(int64_t* __restrict ts, double* __restrict vs,
                                 const size_t count) {
  // The reader's state lives in locals (registers) for the whole loop and
  // goes back into reader_ at the end. Bytes are loaded 8 at a time from the
  // chunk while 8 remain, then from `tail`, a zero-padded copy of the last
  // bytes, so that the loop needs no byte-by-byte path; bits past the end
  // read as zeros, as in BitReader, and a sample that ends past the last
  // input bit is a truncation error.
  const uint8_t* data = reader_.data();
  size_t load_end = reader_.size();  // Loads need pos + 8 <= load_end.
  const size_t total_bits = reader_.size() * 8;
  size_t base = 0;  // Chunk offset of data[0].
  size_t pos = reader_.pos();
  uint64_t buf = reader_.window();
  int nb = reader_.buffered();
  // Large enough that loads stay inside it for a whole sample (at most 145
  // bits) started at or before the end of the input (see the check at the
  // end of each sample); past it, refills supply zero bits.
  uint8_t tail[64];
  auto refill = [&]() {
    if (pos + 8 > load_end) [[unlikely]] {
      if (data != tail) {
        std::memset(tail, 0, sizeof(tail));
        if (pos < load_end) std::memcpy(tail, data + pos, load_end - pos);
        base += pos;
        data = tail;
        load_end = sizeof(tail);
        pos = 0;
      } else {
        pos += static_cast<size_t>(63 - nb) >> 3;
        nb |= 56;
        return;
      }
    }
    uint64_t w;
    std::memcpy(&w, data + pos, 8);
    buf |= __builtin_bswap64(w) >> nb;
    pos += static_cast<size_t>(63 - nb) >> 3;
    nb |= 56;
  };
  auto consumed = [&]() { return (base + pos) * 8 - static_cast<size_t>(nb); };

  int64_t t = t_;
  uint64_t t_delta = t_delta_;
  uint64_t v_bits = v_bits_;
  int leading = leading_;
  int trailing = trailing_;
  const char* err = nullptr;
  size_t i = 0;
  while (i < count) {
    refill();
    if ((buf >> 62) == 0) {
      // A run of '00' samples: dod 0 and the value unchanged, the commonest
      // pattern of scraped data (constant series at a steady interval).
      const int zeros = std::min(std::countl_zero(buf), nb);
      size_t k = std::min(static_cast<size_t>(zeros >> 1), count - i);
      const size_t at = consumed();
      if (at + 2 * k > total_bits) [[unlikely]] {
        k = (total_bits - at) / 2;
        if (k == 0) {
          err = "truncated XOR chunk";
          break;
        }
      }
      const double v = std::bit_cast<double>(v_bits);
      for (size_t j = 0; j < k; ++j) {
        t = static_cast<int64_t>(static_cast<uint64_t>(t) + t_delta);
        ts[i + j] = t;
        vs[i + j] = v;
      }
      i += k;
      buf <<= 2 * k;
      nb -= static_cast<int>(2 * k);
      continue;
    }
    // Timestamp: nb >= 56 covers the largest bucket (24 bits).
    if ((buf >> 63) == 0) {
      buf <<= 1;
      nb -= 1;
    } else {
      const int ones = std::countl_one(buf);
      if (ones < 4) [[likely]] {
        // Bucket widths in closed form (checked in xor_iterator.h).
        const int value_bits = 11 + 3 * ones;
        uint64_t raw = (buf << (ones + 1)) >> (64 - value_bits);
        const uint64_t half = uint64_t{1} << (value_bits - 1);
        if (raw > half) raw -= half << 1;
        t_delta += raw;
        buf <<= ones + 1 + value_bits;
        nb -= ones + 1 + value_bits;
      } else {
        // '1111' and a 64-bit dod, in two halves.
        buf <<= 4;
        const uint64_t hi = buf >> 32;
        buf <<= 32;
        nb -= 36;
        refill();
        const uint64_t lo = buf >> 32;
        buf <<= 32;
        nb -= 32;
        t_delta += (hi << 32) | lo;
        refill();
      }
    }
    t = static_cast<int64_t>(static_cast<uint64_t>(t) + t_delta);
    // Value: nb >= 32 covers a window header (13 bits).
    if ((buf >> 63) != 0) {
      if ((buf >> 62) == 0b11) {
        const int lead = static_cast<int>((buf >> 57) & 31);
        int sig = static_cast<int>((buf >> 51) & 63);
        if (sig == 0) sig = 64;
        if (lead + sig > 64) [[unlikely]] {
          err = "XOR window wider than 64 bits";
          break;
        }
        leading = lead;
        trailing = 64 - lead - sig;
        buf <<= 13;
        nb -= 13;
      } else {
        buf <<= 2;
        nb -= 2;
      }
      const int sig = 64 - leading - trailing;
      if (sig > nb) refill();
      uint64_t x;
      if (sig <= nb) [[likely]] {
        // sig <= nb <= 63, so both shifts are in range.
        x = buf >> (64 - sig);
        buf <<= sig;
        nb -= sig;
      } else {
        x = buf >> 32;
        buf <<= 32;
        nb -= 32;
        refill();
        const int lo = sig - 32;
        x = (x << lo) | (buf >> (64 - lo));
        buf <<= lo;
        nb -= lo;
      }
      v_bits ^= x << trailing;
    } else {
      buf <<= 1;
      nb -= 1;
    }
    if (consumed() > total_bits) [[unlikely]] {
      err = "truncated XOR chunk";
      break;
    }
    ts[i] = t;
    vs[i] = std::bit_cast<double>(v_bits);
    ++i;
  }
  reader_.Restore(base + pos, buf, nb);
  t_ = t;
  t_delta_ = t_delta;
  v_bits_ = v_bits;
  leading_ = static_cast<uint8_t>(leading);
  trailing_ = static_cast<uint8_t>(trailing);
  num_read_ += static_cast<int>(i);
  if (err != nullptr) Fail(err);
  return i;
}

}  // namespace strata::chunk
