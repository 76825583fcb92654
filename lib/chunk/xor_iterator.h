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
#include <span>
#include <string_view>

#include "chunk/bit_reader.h"
#include "chunk/xor_format.h"

namespace strata::chunk {

class XorChunk;

// Returns the sample count from a chunk's header, or -1 if `chunk` is
// shorter than the header.
inline int XorNumSamples(std::string_view chunk) {
  if (chunk.size() < static_cast<size_t>(xor_format::kHeaderSize)) return -1;
  return (static_cast<uint8_t>(chunk[0]) << 8) | static_cast<uint8_t>(chunk[1]);
}

// Decodes the whole chunk to find the first and last timestamps. Returns
// false for an empty, truncated or corrupt chunk.
bool XorTimeRange(std::string_view chunk, int64_t* min_time, int64_t* max_time);

class XorIterator {
 public:
  // An exhausted iterator over no samples.
  XorIterator() { SetCurrentToDecoded(); }
  // `chunk` is the chunk data: the 2-byte header and the bit stream, without
  // the encoding byte.
  explicit XorIterator(std::string_view chunk) { Reset(chunk); }

  void Reset(std::string_view chunk);

  // Advances to the next sample. False at the end or on error.
  //
  // Samples after the second are decoded up to kBufferSamples at a time
  // into a buffer in the iterator, by the same loop as NextBatch, so most
  // calls only move an index. An error is reported (Next() returns false
  // and error() turns true) only after the samples before it. Code that
  // wants a whole chunk is faster with NextBatch, which decodes straight
  // into its arrays.
  bool Next() {
    if (buf_pos_ < buf_len_) [[likely]] {
      ++buf_pos_;
      return true;
    }
    return NextSlow();
  }

  // Decodes up to `max` further samples into ts[i] and vs[i] and returns how
  // many it decoded; fewer than `max` only at the end or on error. The same
  // as calling Next() up to `max` times and copying each sample out:
  // afterwards t() and v() are the last sample decoded (unless error()), and
  // Next() continues after it. The arrays must not overlap the iterator.
  size_t NextBatch(int64_t* ts, double* vs, size_t max);

  // Advances to the first sample with timestamp >= t. As in Prometheus, it
  // never moves backwards: if the current sample is already at or after t,
  // it stays there (even after Next() returned false at the end). False if
  // no such sample exists or on error.
  bool Seek(int64_t t) {
    if (error_ != nullptr) return false;
    while (num_read() == 0 || t > this->t()) {
      if (!Next()) return false;
    }
    return true;
  }

  // The current sample; valid after Next() or Seek() returned true.
  int64_t t() const { return buf_t_[buf_pos_ - 1]; }
  double v() const { return buf_v_[buf_pos_ - 1]; }
  uint64_t v_bits() const { return std::bit_cast<uint64_t>(v()); }

  // Sample count from the header, and samples decoded so far.
  int num_samples() const { return num_total_; }
  int num_read() const { return num_read_ - (buf_len_ - buf_pos_); }

  bool error() const { return error_ != nullptr; }
  // Empty when there is no error.
  std::string_view error_message() const {
    return error_ != nullptr ? std::string_view(error_) : std::string_view();
  }

  // The decode loop is compiled twice, for baseline x86-64 and with LZCNT
  // and BMI2, and picked by the CPU at the first decode. Tests force the
  // baseline one with true (process-wide; not for concurrent use).
  static void UseBaselineDecoderForTesting(bool baseline);

 private:
  friend class XorChunk;  // Resumes appending from the decoder's state.
  // Histogram chunks' XOR-coded sums use DecodeValue (xor_values.h).
  friend const char* ReadXorValue(BitReader& r, uint64_t* bits,
                                  uint8_t* leading, uint8_t* trailing);

  // The state the second sample's value decoding updates.
  struct DeltaState {
    int64_t t;
    uint64_t t_delta;
    uint64_t v_bits;
    uint8_t leading;
    uint8_t trailing;
  };
  // Decodes the value of the second sample into `s`. Returns null, or the
  // error message.
  static const char* DecodeValue(BitReader& r, DeltaState& s);
  DeltaState delta_state() const {
    return {t_, t_delta_, v_bits_, leading_, trailing_};
  }
  void set_delta_state(const DeltaState& s) {
    t_ = s.t;
    t_delta_ = s.t_delta;
    v_bits_ = s.v_bits;
    leading_ = s.leading;
    trailing_ = s.trailing;
  }

  // NextBatch after the second sample: decodes `count` samples (fewer on
  // error, then *err is the message, else null) with the state in
  // registers. Advances num_read_ but does not call Fail().
  size_t DecodeDeltas(int64_t* ts, double* vs, size_t count, const char** err);
  bool NextSlow();
  // Makes the last decoded sample (t_, v_bits_) the current one, with
  // nothing buffered after it.
  void SetCurrentToDecoded() {
    buf_t_[0] = t_;
    buf_v_[0] = std::bit_cast<double>(v_bits_);
    buf_pos_ = 1;
    buf_len_ = 1;
  }
  bool ReadFirst();
  bool ReadSecond();
  bool Fail(const char* msg) {
    error_ = msg;
    limit_ = num_read_;  // NextSlow() and NextBatch() decode no further.
    return false;
  }

  // Samples per buffer refill of Next(): enough to amortize the decode
  // loop's entry and exit (16: -10 % on real data, 64: +6 %), few enough
  // that a Seek() decodes little past its target and the iterator stays
  // near 600 bytes.
  static constexpr int kBufferSamples = 32;

  // Decoder state: the reader and the last decoded sample (t_, v_bits_)
  // with the deltas to continue from. Once the buffer is used up, it is the
  // current sample's (XorChunk::NewAppender relies on this at the end).
  BitReader reader_;
  int num_total_ = 0;
  int num_read_ = 0;  // Samples decoded, including buffered ones.
  int limit_ = 0;     // num_total_, or num_read_ after an error.

  int64_t t_ = INT64_MIN;
  uint64_t v_bits_ = 0;
  uint64_t t_delta_ = 0;
  uint8_t leading_ = 0;
  uint8_t trailing_ = 0;

  const char* error_ = nullptr;  // Static string; null when OK.

  // Decoded samples: buf_*_[buf_pos_ - 1] is the current one (INT64_MIN
  // and 0 before the first), and [buf_pos_, buf_len_) are the ones Next()
  // has not returned yet; 1 <= buf_pos_ <= buf_len_. t() and v() read the
  // buffer so that Next() only moves buf_pos_. `pending_error_` is the
  // error that ended the last refill, reported after those samples.
  int buf_pos_ = 1;
  int buf_len_ = 1;
  const char* pending_error_ = nullptr;
  // Not value-initialized: zeroing them would cost more than decoding a
  // small chunk's samples.
  int64_t buf_t_[kBufferSamples];
  double buf_v_[kBufferSamples];
};

inline const char* XorIterator::DecodeValue(BitReader& r, DeltaState& s) {
  constexpr int kWindowHeaderBits =
      2 + xor_format::kLeadingBits + xor_format::kSigBits;
  if (r.buffered() < kWindowHeaderBits) [[unlikely]] {
    r.Refill();
  }
  const uint64_t w = r.window();
  if ((w >> 63) != 0) {
    if ((w >> 62) == 0b11) {
      constexpr int kLeadingShift = 64 - 2 - xor_format::kLeadingBits;
      constexpr int kSigShift = kLeadingShift - xor_format::kSigBits;
      const auto leading = static_cast<int>(
          (w >> kLeadingShift) & ((1u << xor_format::kLeadingBits) - 1));
      int sig = static_cast<int>((w >> kSigShift) &
                                 ((1u << xor_format::kSigBits) - 1));
      if (sig == 0) sig = 64;
      if (leading + sig > 64) [[unlikely]] {
        return "XOR window wider than 64 bits";
      }
      s.leading = static_cast<uint8_t>(leading);
      s.trailing = static_cast<uint8_t>(64 - leading - sig);
      r.Skip(kWindowHeaderBits);
    } else {
      r.Skip(2);
    }
    const int sig = 64 - s.leading - s.trailing;
    s.v_bits ^= r.ReadBits(sig) << s.trailing;
  } else {
    r.Skip(1);
  }
  if (r.overrun()) [[unlikely]] {
    return "truncated XOR chunk";
  }
  return nullptr;
}

// The closed form the delta decoder (xor_iterator.cc) uses for the bucket
// widths.
static_assert([] {
  for (int i = 0; i < 3; ++i) {
    const xor_format::DodBucket& b = xor_format::kDodBuckets[i];
    const int ones = i + 1;
    if (b.prefix_bits != ones + 1 || b.value_bits != 11 + 3 * ones ||
        b.prefix != ((1u << (ones + 1)) - 2)) {
      return false;
    }
  }
  return std::size(xor_format::kDodBuckets) == 3;
}());

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_XOR_ITERATOR_H_
