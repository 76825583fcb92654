// XorChunk: a Gorilla XOR chunk (Prometheus chunk encoding 1) that owns its
// bytes, and XorAppender, which adds samples to it. The bytes are
// bit-identical to what Prometheus 2.42 writes for the same samples; the
// layout is in FORMAT.md.
//
// Thread-safety: none. Appending may reallocate the bytes, invalidating
// views from Bytes() and iterators over them; readers of a chunk that is
// still being appended to need external locking or a copy.
#ifndef STRATA_CHUNK_XOR_CHUNK_H_
#define STRATA_CHUNK_XOR_CHUNK_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chunk/bit_writer.h"
#include "chunk/encoding.h"
#include "chunk/xor_format.h"
#include "chunk/xor_iterator.h"

namespace strata::chunk {

class XorAppender;

class XorChunk {
 public:
  // An empty chunk: just the zero sample count.
  XorChunk();
  // Adopts chunk data as stored on disk (header and bit stream, without the
  // encoding byte). It is not validated here; iterators report corruption,
  // and NewAppender() refuses a corrupt chunk.
  explicit XorChunk(std::string bytes);

  XorChunk(XorChunk&&) = default;
  XorChunk& operator=(XorChunk&&) = default;
  XorChunk(const XorChunk&) = default;
  XorChunk& operator=(const XorChunk&) = default;

  static constexpr Encoding encoding() { return Encoding::kXor; }

  // From the header; 0 if the data is shorter than the header.
  int NumSamples() const { return std::max(0, XorNumSamples(Bytes())); }
  bool Full() const { return NumSamples() >= xor_format::kMaxSamples; }
  std::string_view Bytes() const { return writer_.bytes(); }
  XorIterator Iterator() const { return XorIterator(Bytes()); }

  // Returns an appender that continues after the last sample. Like
  // Prometheus, it first decodes the whole chunk to rebuild the encoder's
  // state. Returns nullopt if the chunk is corrupt. At most one appender may
  // be used at a time, and the chunk must outlive it and not move.
  std::optional<XorAppender> NewAppender();

  // A cache-prefetch hint for the bytes the next Append reads and writes:
  // the sample count at the start and the last byte.
  void PrefetchTail() const {
    const std::string_view b = Bytes();
    if (b.empty()) return;
    __builtin_prefetch(b.data(), 1);
    __builtin_prefetch(b.data() + b.size() - 1, 1);
  }

 private:
  friend class XorAppender;

  BitWriter writer_;
};

class XorAppender {
 public:
  // Appends a sample. The caller keeps timestamps increasing (the codec
  // itself accepts any int64 sequence) and must not append to a Full()
  // chunk.
  void Append(int64_t t, double v);

 private:
  friend class XorChunk;
  explicit XorAppender(XorChunk* chunk) : chunk_(chunk) {}

  void WriteValueXor(uint64_t v_bits);

  XorChunk* chunk_;  // Not owned.
  int num_ = 0;      // Samples in the chunk (mirrors its header).
  int64_t t_ = 0;
  uint64_t v_bits_ = 0;
  uint64_t t_delta_ = 0;
  uint8_t leading_ = xor_format::kNoWindow;
  uint8_t trailing_ = 0;
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_XOR_CHUNK_H_
