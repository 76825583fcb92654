// BitReader: reads an MSB-first bit stream (see bit_writer.h) from a byte
// range it does not own, such as a memory-mapped chunk.
//
// It keeps up to 64 bits in a register and refills 8 bytes with one
// unaligned big-endian load whenever 8 bytes remain. It never reads outside
// the given range: near the end it loads byte by byte and, past the end,
// supplies zero bits while counting them, so decoders check overrun() once
// per record instead of once per field.
//
// Thread-safety: none. The bytes must stay unchanged while being read.
#ifndef STRATA_CHUNK_BIT_READER_H_
#define STRATA_CHUNK_BIT_READER_H_

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace strata::chunk {

class BitReader {
 public:
  // Bits guaranteed buffered after Refill().
  static constexpr int kMinRefillBits = 56;

  BitReader() = default;
  explicit BitReader(std::string_view data) { Reset(data); }

  void Reset(std::string_view data) {
    data_ = reinterpret_cast<const uint8_t*>(data.data());
    size_ = data.size();
    pos_ = 0;
    buf_ = 0;
    n_ = 0;
  }

  // Makes at least kMinRefillBits bits available (zeros past the end).
  void Refill() {
    if (pos_ + 8 <= size_) [[likely]] {
      uint64_t w;
      std::memcpy(&w, data_ + pos_, 8);
      // Bits below the n_ valid ones may already hold the start of the byte
      // at pos_; OR-ing the same stream bits again leaves them unchanged.
      buf_ |= __builtin_bswap64(w) >> n_;
      pos_ += (63 - n_) >> 3;
      n_ |= 56;
    } else {
      RefillSlow();
    }
  }

  // Number of buffered bits; at least kMinRefillBits after Refill().
  int buffered() const { return n_; }
  // The buffer, left-aligned: the next bit is bit 63. Only the top
  // buffered() bits are meaningful.
  uint64_t window() const { return buf_; }
  // Drops n (0..buffered(), < 64) bits from the front of the buffer.
  void Skip(int n) {
    assert(n >= 0 && n <= n_ && n < 64);
    buf_ <<= n;
    n_ -= n;
  }

  bool ReadBit() {
    if (n_ == 0) Refill();
    const bool bit = (buf_ >> 63) != 0;
    Skip(1);
    return bit;
  }

  // Reads n (0..64) bits as the low bits of the result.
  uint64_t ReadBits(int n) {
    assert(n >= 0 && n <= 64);
    if (n <= n_ && n > 0) [[likely]] {
      const uint64_t v = buf_ >> (64 - n);
      Skip(n);
      return v;
    }
    return ReadBitsSlow(n);
  }

  // True once more bits were consumed than the input holds: everything read
  // since the last good position is meaningless.
  bool overrun() const {
    // Cheap test first: no overrun before loading past the end.
    return pos_ > size_ && bits_consumed() > size_ * 8;
  }
  // Bits consumed from the start of the input (may exceed its size; see
  // overrun()).
  size_t bits_consumed() const { return pos_ * 8 - static_cast<size_t>(n_); }

  // The raw state, for a decoder that keeps it in registers over a loop and
  // hands it back with Restore() (XorIterator::NextBatch). Invariant: the
  // top buffered() bits of window() are the stream bits that start at bit
  // bits_consumed(), and any bits below them are zero or the stream bits
  // that follow (zeros past the end).
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  size_t pos() const { return pos_; }
  void Restore(size_t pos, uint64_t buf, int n) {
    assert(n >= 0 && n < 64);
    pos_ = pos;
    buf_ = buf;
    n_ = n;
  }

 private:
  void RefillSlow() {
    while (n_ < kMinRefillBits) {
      const uint64_t byte = pos_ < size_ ? data_[pos_] : 0;
      buf_ |= byte << (56 - n_);
      ++pos_;
      n_ += 8;
    }
  }

  uint64_t ReadBitsSlow(int n) {
    if (n == 0) return 0;
    if (n <= kMinRefillBits) {
      Refill();
      const uint64_t v = buf_ >> (64 - n);
      Skip(n);
      return v;
    }
    const uint64_t hi = ReadBits(n - 32);
    return (hi << 32) | ReadBits(32);
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;    // Next byte to load; may pass size_ (zeros).
  uint64_t buf_ = 0;  // Left-aligned buffered bits.
  int n_ = 0;         // Valid bits in buf_, 0..63.
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_BIT_READER_H_
