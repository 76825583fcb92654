// Constants of the WAL's page/fragment framing, shared by the writer and the
// reader. Byte-compatible with Prometheus 2.x tsdb/wlog; see FORMAT.md.
#ifndef STRATA_WAL_LOG_FORMAT_H_
#define STRATA_WAL_LOG_FORMAT_H_

#include <cstdint>

namespace strata::wal {

// Segments are written in pages; a fragment never crosses a page boundary.
inline constexpr int64_t kPageSize = 32 * 1024;
// type <1 byte> | length <2 bytes BE> | CRC32C of the data <4 bytes BE>.
inline constexpr int64_t kHeaderSize = 7;
// The most data one fragment can carry.
inline constexpr int64_t kMaxFragmentData = kPageSize - kHeaderSize;
inline constexpr int64_t kDefaultSegmentBytes = 128 << 20;

// Low three bits of the type byte.
enum class FragmentType : uint8_t {
  kPageTerm = 0,  // This byte and the rest of the page are zero padding.
  kFull = 1,      // A whole record.
  kFirst = 2,     // First fragment of a record.
  kMiddle = 3,    // Neither first nor last.
  kLast = 4,      // Final fragment of a record.
};
inline constexpr uint8_t kFragmentTypeMask = 0x07;
// Compression flags of the type byte; every fragment of a record carries the
// same flags, which apply to the record's bytes as a whole.
inline constexpr uint8_t kSnappyFlag = 0x08;
inline constexpr uint8_t kZstdFlag = 0x10;
inline constexpr uint8_t kCompressionMask = kSnappyFlag | kZstdFlag;

}  // namespace strata::wal

#endif  // STRATA_WAL_LOG_FORMAT_H_
