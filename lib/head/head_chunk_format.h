// The head-chunk file format of Prometheus 2.42 (tsdb/chunks/head_chunks.go):
// the completed head chunks written to <data dir>/chunks_head/. See
// lib/head/FORMAT.md. Pure encoding and decoding, no I/O.
//
// Thread-safety: plain functions over caller-owned buffers.
#ifndef STRATA_HEAD_HEAD_CHUNK_FORMAT_H_
#define STRATA_HEAD_HEAD_CHUNK_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::head_chunks {

inline constexpr uint32_t kMagic = 0x0130BC91;
inline constexpr uint8_t kVersion = 1;
// Magic (4) + version (1) + padding (3).
inline constexpr int64_t kFileHeaderSize = 8;
inline constexpr int64_t kMaxFileSize = int64_t{128} << 20;
// Series ref (8) + mint (8) + maxt (8) + encoding (1).
inline constexpr size_t kRecordFixedSize = 25;
inline constexpr size_t kCrcSize = 4;
// The fixed part, the longest uvarint length Prometheus writes (5 bytes)
// and the CRC: the most a record adds to its chunk's bytes.
inline constexpr size_t kMaxRecordOverhead = kRecordFixedSize + 5 + kCrcSize;

// A chunk's place on disk: the file's sequence number in the upper 32 bits,
// the record's byte offset in the lower 32 (Prometheus's
// ChunkDiskMapperRef). Never 0: sequence numbers start at 1.
inline uint64_t MakeRef(uint32_t seq, uint32_t offset) {
  return (uint64_t{seq} << 32) | offset;
}
inline uint32_t RefSeq(uint64_t ref) {
  return static_cast<uint32_t>(ref >> 32);
}
inline uint32_t RefOffset(uint64_t ref) { return static_cast<uint32_t>(ref); }

// "000001": Prometheus's segment file name (%0.6d).
std::string FileName(uint32_t seq);
// The sequence number of a file name, or 0 if `name` is not one.
uint32_t ParseFileName(std::string_view name);

// Appends the 8-byte file header.
void AppendFileHeader(std::string* out);
// Corruption unless `data` starts with a version-1 head-chunk file header.
Status CheckFileHeader(std::string_view data);

struct ChunkRecord {
  uint64_t series_ref = 0;
  int64_t mint = 0;
  int64_t maxt = 0;
  uint8_t encoding = 0;
  std::string_view data;  // Into the decoded buffer.
};

// Appends one chunk record: the fixed fields, the uvarint data length, the
// data and the CRC32C of everything before it.
void AppendRecord(const ChunkRecord& record, std::string* out);
// Bytes AppendRecord writes for `data_size` bytes of chunk data.
size_t RecordSize(size_t data_size);

enum class DecodeResult {
  kOk,
  // Not enough bytes for the whole record: more must be read (or, at the
  // end of a file, a torn tail).
  kShort,
  // The bytes are all zeros: the unwritten end of a file.
  kEnd,
  kCorrupt,  // Bad length or CRC.
};
// Decodes the record at the start of `in`; on kOk sets *record and *size
// (the record's bytes). On kShort, *size is the bytes needed when known
// (else 0).
DecodeResult DecodeRecord(std::string_view in, ChunkRecord* record,
                          size_t* size);

}  // namespace strata::head_chunks

#endif  // STRATA_HEAD_HEAD_CHUNK_FORMAT_H_
