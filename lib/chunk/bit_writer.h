// BitWriter: an append-only MSB-first bit stream in a buffer it owns,
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
// Speed: this is on the head's append path, once or twice per sample. The
// buffer keeps at least kSlack zero bytes after the last written bit, so a
// write of up to 56 bits is one unaligned 8-byte load, OR and store. The
// object is 16 bytes, so that an open chunk fits in a cache line with the
// encoder state (see XorChunk).
//
// Invariants: every byte of the buffer after the last written bit is zero;
// capacity() >= byte_size() + kSlack.
//
// Thread-safety: none; one writer per stream.
#ifndef STRATA_CHUNK_BIT_WRITER_H_
#define STRATA_CHUNK_BIT_WRITER_H_

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata::chunk {

class BitWriter {
 public:
  // Zero bytes kept after the written bits: one 8-byte store at the byte
  // holding the next bit, after up to 64 bits, stays inside the buffer.
  static constexpr size_t kSlack = 17;

  BitWriter() = default;
  // Continues the stream `bytes` whose final byte has `free_bits` (0..8)
  // unused low bits; 8 means it is the trailing free byte described above.
  // The free bits are cleared.
  BitWriter(std::string_view bytes, int free_bits);
  BitWriter(const BitWriter& other);
  BitWriter& operator=(const BitWriter& other);
  BitWriter(BitWriter&& other) noexcept;
  BitWriter& operator=(BitWriter&& other) noexcept;
  ~BitWriter();

  void WriteBit(bool bit) {
    Reserve(1);
    if (bit)
      Put(1, 1);
    else
      bits_ += 1;
    extra_byte_ = false;
  }

  // Writes the low `nbits` (0..64) bits of `u`, most significant first.
  // Higher bits of `u` are ignored.
  void WriteBits(uint64_t u, int nbits) { WriteFields(u, nbits, nbits); }

  // Writes several fields at once: the low `nbits` (0..64) bits of `u`
  // hold them back to back, the last one `last_field_bits` wide. The
  // result equals WriteBits of each field in turn (bstream's trailing free
  // byte depends only on the last write), at the cost of one write.
  void WriteFields(uint64_t u, int nbits, int last_field_bits) {
    assert(nbits >= 0 && nbits <= 64);
    if (nbits == 0) return;
    Reserve(static_cast<size_t>(nbits));
    if (nbits < 64) u &= (uint64_t{1} << nbits) - 1;
    if (nbits > 56) {
      Put(u >> 32, nbits - 32);
      Put(u & 0xffffffffu, 32);
    } else {
      Put(u, nbits);
    }
    // bstream writes whole bytes with writeByte and the rest bit by bit;
    // only the former leaves the trailing free byte.
    extra_byte_ = last_field_bits % 8 == 0 && bits_ % 8 == 0;
  }

  void WriteByte(uint8_t b) { WriteBits(b, 8); }

  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(buf_), byte_size()};
  }
  size_t byte_size() const { return (bits_ + 7) / 8 + (extra_byte_ ? 1 : 0); }
  // For in-place patches of already written whole bytes (headers). The
  // caller must not write past byte_size(). Valid until the next write.
  uint8_t* mutable_data() const { return buf_; }
  // Bits written so far.
  size_t bit_size() const { return bits_; }
  // Unused low bits of the last byte, 0..8 (see the class comment).
  int free_bits() const {
    return extra_byte_ ? 8 : static_cast<int>((8 - bits_ % 8) % 8);
  }
  size_t capacity() const {
    return buf_ == nullptr ? 0 : size_t{1} << cap_log2_;
  }
  // A cache-prefetch hint for the bytes the next write touches. Callers may
  // issue it without holding the writer's lock (a stale address only wastes
  // the hint; prefetches never fault), so ThreadSanitizer is told to skip
  // this deliberate racy read.
  __attribute__((no_sanitize("thread"))) void PrefetchTail() const {
    if (buf_ != nullptr) __builtin_prefetch(buf_ + bits_ / 8, 1);
  }

 private:
  // Smallest buffer, as Prometheus's chunks start with 128 bytes.
  static constexpr int kMinCapLog2 = 7;

  // Makes room for `nbits` more bits.
  void Reserve(size_t nbits) {
    if ((bits_ + nbits + 7) / 8 + kSlack > capacity()) [[unlikely]] {
      Grow((bits_ + nbits + 7) / 8 + kSlack);
    }
  }
  void Grow(size_t min_capacity);
  // ORs the low n (1..56) bits of u (higher bits zero) in after bits_.
  void Put(uint64_t u, int n) {
    uint8_t* p = buf_ + bits_ / 8;
    const int offset = static_cast<int>(bits_ % 8);
    uint64_t word;
    __builtin_memcpy(&word, p, 8);
    word = __builtin_bswap64(word) | (u << (64 - n - offset));
    word = __builtin_bswap64(word);
    __builtin_memcpy(p, &word, 8);
    bits_ += static_cast<uint32_t>(n);
  }
  void Free();

  // 2^cap_log2_ bytes, from a HugePagePool or malloc by size (bit_writer.cc);
  // or null.
  uint8_t* buf_ = nullptr;
  uint32_t bits_ = 0;
  uint8_t cap_log2_ = 0;
  // bstream's trailing free byte is present (see the class comment).
  bool extra_byte_ = false;
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_BIT_WRITER_H_
