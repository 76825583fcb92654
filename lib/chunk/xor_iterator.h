// XorIterator decodes a Gorilla XOR chunk (Prometheus chunk encoding 1) from
// raw bytes it does not own, so it runs directly over memory-mapped files.
// The byte layout is in FORMAT.md.
//
// Decoding never throws and never reads outside the given bytes: truncated
// or corrupt input ends iteration and sets error().
//
// Thread-safety: none. The bytes must not change while the iterator uses
// them (an iterator over a chunk that is still being appended to must work
// on a snapshot).
#ifndef STRATA_CHUNK_XOR_ITERATOR_H_
#define STRATA_CHUNK_XOR_ITERATOR_H_

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string_view>

#include "chunk/bit_reader.h"
#include "chunk/xor_format.h"

namespace strata::chunk {

class XorChunk;

// Returns the sample count from a chunk's header, or -1 if `chunk` is
// shorter than the header.
int XorNumSamples(std::string_view chunk);

// Decodes the whole chunk to find the first and last timestamps. Returns
// false for an empty, truncated or corrupt chunk.
bool XorTimeRange(std::string_view chunk, int64_t* min_time, int64_t* max_time);

class XorIterator {
 public:
  // An exhausted iterator over no samples.
  XorIterator() = default;
  // `chunk` is the chunk data: the 2-byte header and the bit stream, without
  // the encoding byte.
  explicit XorIterator(std::string_view chunk) { Reset(chunk); }

  void Reset(std::string_view chunk);

  // Advances to the next sample. False at the end or on error.
  bool Next() {
    if (num_read_ < 2 || num_read_ >= num_total_) [[unlikely]] {
      return NextSlow();
    }
    return NextDelta();
  }

  // Advances to the first sample with timestamp >= t. As in Prometheus, it
  // never moves backwards: if the current sample is already at or after t,
  // it stays there (even after Next() returned false at the end). False if
  // no such sample exists or on error.
  bool Seek(int64_t t) {
    if (error_ != nullptr) return false;
    while (num_read_ == 0 || t > t_) {
      if (!Next()) return false;
    }
    return true;
  }

  // The current sample; valid after Next() or Seek() returned true.
  int64_t t() const { return t_; }
  double v() const { return std::bit_cast<double>(v_bits_); }
  uint64_t v_bits() const { return v_bits_; }

  // Sample count from the header, and samples decoded so far.
  int num_samples() const { return num_total_; }
  int num_read() const { return num_read_; }

  bool error() const { return error_ != nullptr; }
  // Empty when there is no error.
  std::string_view error_message() const {
    return error_ != nullptr ? std::string_view(error_) : std::string_view();
  }

 private:
  friend class XorChunk;  // Resumes appending from the decoder's state.

  bool NextSlow();
  bool NextDelta();
  bool ReadFirst();
  bool ReadSecond();
  // Reads a value XOR after the timestamp; common tail of samples 2..n.
  bool ReadValue();
  bool Fail(const char* msg) {
    error_ = msg;
    return false;
  }

  BitReader reader_;
  int num_total_ = 0;
  int num_read_ = 0;

  int64_t t_ = INT64_MIN;
  uint64_t v_bits_ = 0;
  uint64_t t_delta_ = 0;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;

  const char* error_ = nullptr;  // Static string; null when OK.
};

// Hot path for samples after the second: delta-of-delta then value. Inline
// so that query loops decode without a call per sample.
inline bool XorIterator::NextDelta() {
  reader_.Refill();
  const uint64_t w = reader_.window();
  int64_t dod = 0;
  if ((w >> 63) == 0) {
    reader_.Skip(1);
  } else {
    // The number of leading one bits (1..4) picks the bucket.
    const int ones = std::min(std::countl_one(w), 4);
    if (ones < 4) [[likely]] {
      const xor_format::DodBucket& bucket = xor_format::kDodBuckets[ones - 1];
      uint64_t raw = (w << bucket.prefix_bits) >> (64 - bucket.value_bits);
      reader_.Skip(bucket.prefix_bits + bucket.value_bits);
      // Sign rule of Prometheus's bitRange (see xor_format.h).
      const uint64_t half = uint64_t{1} << (bucket.value_bits - 1);
      if (raw > half) raw -= half << 1;
      dod = static_cast<int64_t>(raw);
    } else {
      reader_.Skip(xor_format::kDodFallback.prefix_bits);
      dod = static_cast<int64_t>(
          reader_.ReadBits(xor_format::kDodFallback.value_bits));
    }
  }
  // Wrapping arithmetic, as Go's.
  t_delta_ += static_cast<uint64_t>(dod);
  t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + t_delta_);
  return ReadValue();
}

inline bool XorIterator::ReadValue() {
  if (reader_.buffered() < 2 + xor_format::kLeadingBits + xor_format::kSigBits)
      [[unlikely]] {
    reader_.Refill();
  }
  const uint64_t w = reader_.window();
  if ((w >> 63) == 0) {
    reader_.Skip(1);
  } else {
    if ((w >> 62) == 0b11) {
      constexpr int kLeadingShift = 64 - 2 - xor_format::kLeadingBits;
      constexpr int kSigShift = kLeadingShift - xor_format::kSigBits;
      const auto leading = static_cast<uint8_t>(
          (w >> kLeadingShift) & ((1u << xor_format::kLeadingBits) - 1));
      int sig = static_cast<int>((w >> kSigShift) &
                                 ((1u << xor_format::kSigBits) - 1));
      if (sig == 0) sig = 64;
      if (leading + sig > 64) return Fail("XOR window wider than 64 bits");
      leading_ = leading;
      trailing_ = static_cast<uint8_t>(64 - leading - sig);
      reader_.Skip(2 + xor_format::kLeadingBits + xor_format::kSigBits);
    } else {
      reader_.Skip(2);
    }
    const int sig = 64 - leading_ - trailing_;
    v_bits_ ^= reader_.ReadBits(sig) << trailing_;
  }
  if (reader_.overrun()) [[unlikely]] {
    return Fail("truncated XOR chunk");
  }
  ++num_read_;
  return true;
}

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_XOR_ITERATOR_H_
