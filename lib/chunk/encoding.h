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
  // Prometheus 2.42 also defines 2 (histogram) and 3 (float histogram);
  // Strata does not decode them yet.
};

// True for the encodings this module can decode.
inline constexpr bool IsSupportedEncoding(uint8_t e) {
  return e == static_cast<uint8_t>(Encoding::kXor);
}

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_ENCODING_H_
