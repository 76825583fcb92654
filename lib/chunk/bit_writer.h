// BitWriter: an append-only MSB-first bit stream over an owned byte string,
// byte-for-byte compatible with Prometheus's chunkenc bstream: the first bit
// written is the most significant bit of the first byte, and unused low bits
// of the last byte are zero.
//
// One quirk is reproduced on purpose, because it shows in stored chunks:
// when a write of a whole number of bytes (bstream.writeByte) ends on a byte
// boundary, bstream leaves an extra zero byte at the end (its `count` is 8:
// the last byte is entirely free). The next write fills that byte, so it
// only matters for the final length of a chunk, e.g. a one-sample chunk
// ends with a zero byte.
//
// Thread-safety: none; one writer per stream.
#ifndef STRATA_CHUNK_BIT_WRITER_H_
#define STRATA_CHUNK_BIT_WRITER_H_

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace strata::chunk {

class BitWriter {
 public:
  BitWriter() = default;
  // Continues the stream `bytes` whose final byte has `free_bits` (0..8)
  // unused low bits; 8 means it is the trailing free byte described above.
  // The free bits are cleared.
  BitWriter(std::string bytes, int free_bits)
      : bytes_(std::move(bytes)), free_(bytes_.empty() ? 0 : free_bits) {
    assert(free_bits >= 0 && free_bits <= 8);
    if (free_ > 0) {
      bytes_.back() = static_cast<char>(static_cast<uint8_t>(bytes_.back()) &
                                        ~((1u << free_) - 1));
    }
  }

  void WriteBit(bool bit) {
    if (free_ == 0) {
      bytes_.push_back(0);
      free_ = 8;
    }
    --free_;
    if (bit) {
      bytes_.back() = static_cast<char>(static_cast<uint8_t>(bytes_.back()) |
                                        (1u << free_));
    }
  }

  // Writes the low `nbits` (0..64) bits of `u`, most significant first.
  // Higher bits of `u` are ignored.
  void WriteBits(uint64_t u, int nbits) {
    assert(nbits >= 0 && nbits <= 64);
    if (nbits == 0) return;
    // bstream writes whole bytes with writeByte and the rest bit by bit;
    // only the former leaves the trailing free byte.
    const bool ends_with_byte_write = nbits % 8 == 0;
    if (free_ == 8) {
      bytes_.pop_back();
      free_ = 0;
    }
    u <<= 64 - nbits;  // Left-align; the bits below are now zero.
    if (free_ > 0) {
      const int k = std::min(free_, nbits);
      const auto top = static_cast<uint8_t>(u >> (64 - k));
      bytes_.back() = static_cast<char>(static_cast<uint8_t>(bytes_.back()) |
                                        (top << (free_ - k)));
      free_ -= k;
      nbits -= k;
      u <<= k;
    }
    // At most 57 bits remain here: 8 bytes, the last maybe partial.
    char buf[9];
    int n = 0;
    for (; nbits >= 8; nbits -= 8, u <<= 8) {
      buf[n++] = static_cast<char>(u >> 56);
    }
    if (nbits > 0) {
      buf[n++] = static_cast<char>(u >> 56);
      free_ = 8 - nbits;
    }
    if (ends_with_byte_write && free_ == 0) {
      buf[n++] = 0;
      free_ = 8;
    }
    bytes_.append(buf, n);
  }

  void WriteByte(uint8_t b) { WriteBits(b, 8); }

  std::string_view bytes() const { return bytes_; }
  // For in-place patches of already written whole bytes (headers). The
  // caller must not change the size.
  char* mutable_data() { return bytes_.data(); }
  // Bits written so far.
  size_t bit_size() const { return bytes_.size() * 8 - free_; }
  // Unused low bits of the last byte, 0..8 (see the class comment).
  int free_bits() const { return free_; }
  void Reserve(size_t n) { bytes_.reserve(n); }
  std::string Release() && { return std::move(bytes_); }

 private:
  std::string bytes_;
  // Unused low bits of bytes_.back(), which are zero: 0..7, or 8 for the
  // trailing free byte after a byte-aligned whole-byte write.
  int free_ = 0;
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_BIT_WRITER_H_
