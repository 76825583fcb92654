// Chunk encodings as stored in the one-byte encoding field that precedes
// every chunk in Prometheus's chunk files (see FORMAT.md).
#ifndef STRATA_CHUNK_ENCODING_H_
#define STRATA_CHUNK_ENCODING_H_

#include <cstdint>

namespace strata::chunk {

// Serialized: values are Prometheus's chunkenc.Encoding numbers.
enum class Encoding : uint8_t {
  kNone = 0,
  kXor = 1,
  // Native histograms (histogram_chunk.h, float_histogram_chunk.h); not
  // yet accepted by IsSupportedEncoding. Prometheus 3 adds 4..6.
  kHistogram = 2,
  kFloatHistogram = 3,
  //
  // Strata-only: the dense cold-block chunk (dense_chunk.h). 0x53 ('S') is
  // far from Prometheus's numbers, which grow by one from 1, and below
  // 0x80, the bit Prometheus's head chunk files use as an out-of-order
  // flag. Written only into blocks (never the head, never remote read,
  // which re-encodes it as XOR).
  kDense = 0x53,
};

// True for the encodings this module can decode (chunk_decoding.h).
inline constexpr bool IsSupportedEncoding(uint8_t e) {
  return e == static_cast<uint8_t>(Encoding::kXor) ||
         e == static_cast<uint8_t>(Encoding::kDense);
}

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_ENCODING_H_
