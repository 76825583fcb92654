// Constants of Prometheus 2.42's chunk segment files (`<block>/chunks/NNNNNN`,
// tsdb/chunks/chunks.go); the layout is in FORMAT.md.
#ifndef STRATA_BLOCK_CHUNK_FORMAT_H_
#define STRATA_BLOCK_CHUNK_FORMAT_H_

#include <cstdint>
#include <string>

namespace strata::chunk_format {

inline constexpr uint32_t kMagic = 0x85BD40DD;
inline constexpr uint8_t kVersion1 = 1;
// Magic (4, big-endian), version (1), padding (3).
inline constexpr int kHeaderSize = 8;
// A segment is cut before a chunk that would make it exceed this.
inline constexpr int64_t kDefaultSegmentBytes = int64_t{512} << 20;
// The length field is a uvarint of a 32-bit length: at most 5 bytes. Readers
// need this many bytes after a chunk's offset to decode the length.
inline constexpr int kMaxLengthFieldSize = 5;
inline constexpr int kEncodingSize = 1;
inline constexpr int kCrcSize = 4;
// Length field, encoding and CRC, for a chunk of the largest length.
inline constexpr int kMaxChunkOverhead =
    kMaxLengthFieldSize + kEncodingSize + kCrcSize;
// Segment files are numbered from 1 with six digits; refs count from 0.
inline constexpr int kFirstSegmentNumber = 1;

// A chunk reference: the segment's index (0 for file 000001) in the upper
// 32 bits and the chunk's byte offset in that file in the lower 32.
inline constexpr uint64_t PackRef(uint32_t segment, uint32_t offset) {
  return (uint64_t{segment} << 32) | offset;
}
inline constexpr uint32_t RefSegment(uint64_t ref) {
  return static_cast<uint32_t>(ref >> 32);
}
inline constexpr uint32_t RefOffset(uint64_t ref) {
  return static_cast<uint32_t>(ref);
}

// "000001" for index 0.
std::string SegmentFileName(uint32_t segment_index);

}  // namespace strata::chunk_format

#endif  // STRATA_BLOCK_CHUNK_FORMAT_H_
