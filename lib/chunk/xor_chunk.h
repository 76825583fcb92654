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
  // An empty chunk: just the zero sample count. Ready for Append().
  XorChunk();
  // Adopts chunk data as stored on disk (header and bit stream, without the
  // encoding byte). It is not validated here; iterators report corruption,
  // and NewAppender() refuses a corrupt chunk. Append() needs NewAppender()
  // first, to rebuild the encoder's state.
  explicit XorChunk(std::string_view bytes);

  XorChunk(XorChunk&&) = default;
  XorChunk& operator=(XorChunk&&) = default;
  XorChunk(const XorChunk&) = default;
  XorChunk& operator=(const XorChunk&) = default;

  static constexpr Encoding encoding() { return Encoding::kXor; }

  int NumSamples() const { return num_; }
  bool Full() const { return num_ >= xor_format::kMaxSamples; }
  // The chunk bytes. Appends keep the sample count of the header only in
  // this object (so that an append touches just the end of the bytes);
  // Bytes() writes it into the header first. The view is valid until the
  // next Append or until the chunk is destroyed or moved.
  std::string_view Bytes() const;
  XorIterator Iterator() const { return XorIterator(Bytes()); }

  // Appends a sample. The caller keeps timestamps increasing (the codec
  // itself accepts any int64 sequence) and must not append to a Full()
  // chunk, nor to an adopted one before NewAppender().
  void Append(int64_t t, double v);
  // The newest sample; valid if NumSamples() > 0 and the encoder state is
  // known (a chunk built by Append, or after NewAppender()).
  int64_t last_t() const { return t_; }
  uint64_t last_v_bits() const { return v_bits_; }

  // Returns an appender that continues after the last sample. Like
  // Prometheus, it first decodes the whole chunk to rebuild the encoder's
  // state. Returns nullopt if the chunk is corrupt. At most one appender may
  // be used at a time, and the chunk must outlive it and not move.
  std::optional<XorAppender> NewAppender();

  // The encoder state after the last sample: with the bytes, all that is
  // needed to continue appending without decoding the chunk (the head's
  // shutdown snapshot saves open chunks this way).
  struct AppendState {
    int64_t t = 0;
    uint64_t v_bits = 0;
    uint64_t t_delta = 0;
    uint16_t num = 0;
    uint8_t leading = 0;
    uint8_t trailing = 0;
    // BitWriter::free_bits() of the bytes: unused low bits of the last byte.
    uint8_t free_bits = 0;
  };
  // Valid for a chunk built by Append (or after NewAppender()).
  AppendState State() const;
  // A chunk continuing `bytes` (as Bytes() returned them) with `state` (as
  // State() returned it for those bytes), appendable at once. Returns
  // nullopt when the two cannot belong together (header sample count,
  // field ranges, size); the bytes themselves are not decoded.
  static std::optional<XorChunk> Resume(std::string_view bytes,
                                        const AppendState& state);

  // A cache-prefetch hint for the bytes the next Append writes; may be
  // issued without the chunk's lock (see BitWriter::PrefetchTail).
  __attribute__((no_sanitize("thread"))) void PrefetchTail() const {
    writer_.PrefetchTail();
  }

 private:
  // Writes the value's XOR fields after `pending_bits` (0..24) bits of
  // `pending` (the timestamp's fields), together where they fit.
  void WriteValueXor(uint64_t v_bits, uint64_t pending, int pending_bits);

  // Laid out so that the whole object is 48 bytes.
  BitWriter writer_;
  int64_t t_ = 0;
  uint64_t v_bits_ = 0;
  uint64_t t_delta_ = 0;
  uint16_t num_ = 0;  // Samples in the chunk (the header may lag, see Bytes).
  uint8_t leading_ = xor_format::kNoWindow;
  uint8_t trailing_ = 0;
  // False for adopted bytes until NewAppender() rebuilt the state.
  bool appendable_ = true;
};

// The head keeps an open chunk with its lock and cut time in one cache line.
static_assert(sizeof(XorChunk) == 48);

// A handle that appends to a chunk; see XorChunk::NewAppender.
class XorAppender {
 public:
  void Append(int64_t t, double v) { chunk_->Append(t, v); }

 private:
  friend class XorChunk;
  explicit XorAppender(XorChunk* chunk) : chunk_(chunk) {}

  XorChunk* chunk_;  // Not owned.
};

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_XOR_CHUNK_H_
