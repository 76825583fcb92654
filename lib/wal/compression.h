// Per-record compression of WAL records (zstd or snappy), as flagged in the
// fragment type byte.
//
// Thread-safety: Compress is safe to call concurrently (it keeps one zstd
// context per thread). A Decompressor is used by one thread at a time.
#ifndef STRATA_WAL_COMPRESSION_H_
#define STRATA_WAL_COMPRESSION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::wal {

enum class Compression {
  kNone,
  // Readable by every Prometheus 2.x.
  kSnappy,
  // Smaller; Prometheus reads it only since 2.51 (not 2.42).
  kZstd,
};

// Compresses `record` into *out (replacing its contents) and returns the
// fragment flag to use (kSnappyFlag or kZstdFlag). Returns 0 and leaves *out
// unspecified when compression is kNone or would not make the record
// smaller; the caller then stores the record as is.
uint8_t Compress(Compression compression, std::string_view record,
                 std::string* out);

// Reverses Compress. Reuses its buffers between calls.
class Decompressor {
 public:
  Decompressor();
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Decompresses `data` stored with fragment flag `flag` into *out.
  // Corruption if the data does not decode.
  Status Decompress(uint8_t flag, std::string_view data, std::string* out);

 private:
  // Decodes a zstd frame chunk by chunk (its size unknown or untrusted).
  Status DecompressZstdStream(std::string_view data, std::string* out);

  struct ZstdState;
  std::unique_ptr<ZstdState> zstd_;
};

}  // namespace strata::wal

#endif  // STRATA_WAL_COMPRESSION_H_
