// SegmentReader: decodes the records of one WAL segment held in memory
// (usually a mapping of the file). The decoding side of framing.h.
//
// Like Prometheus's reader it accepts a segment that ends anywhere outside a
// record (segments of a crashed writer end mid-page), checks that page
// padding is all zeros, that fragments come in a valid order, fit their
// page, and match their CRC32C, and it undoes snappy or zstd compression.
//
// On failure it tells a truncated tail (the data ends inside a record, as an
// interrupted append leaves it) from damage (bad checksum, bad type, bad
// order), and where the incomplete record began, so replay can cut there.
//
// Thread-safety: one thread at a time.
#ifndef STRATA_WAL_SEGMENT_READER_H_
#define STRATA_WAL_SEGMENT_READER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "strata/status.h"
#include "wal/compression.h"

namespace strata::wal {

class SegmentReader {
 public:
  enum class Error {
    kNone,
    // The data ends inside a fragment or inside a multi-fragment record.
    kTruncated,
    // Bytes that no writer produces: checksum mismatch, invalid type or
    // flags, fragments out of order, non-zero padding, bad compression.
    kCorrupt,
  };

  // `data` must outlive the reader. Reading starts at `start`, which must
  // be 0 or where a fragment begins (salvage.h resumes there after damage).
  explicit SegmentReader(std::string_view data, int64_t start = 0)
      : data_(data), pos_(start), record_offset_(start) {}

  // Advances to the next record. Returns false at the end of the data or on
  // an error (see status()). *record stays valid until the next call.
  bool Next(std::string_view* record);

  // OK at a clean end; otherwise Corruption describing the problem and the
  // offset of the bad fragment.
  const Status& status() const { return status_; }
  Error error() const { return error_; }

  // Offset of the first fragment of the record last returned, or, after an
  // error, of the record that could not be completed (where a clean prefix
  // of the segment ends).
  int64_t record_offset() const { return record_offset_; }
  // After an error: offset of the offending fragment or byte.
  int64_t error_offset() const { return error_offset_; }
  // Offset just past the record last returned.
  int64_t offset() const { return pos_; }
  // The record last returned as the segment stores it (before
  // decompression) and its compression flags (0, kSnappyFlag or kZstdFlag),
  // so it can be framed again unchanged. Valid until the next call.
  std::string_view stored_record() const { return stored_; }
  uint8_t stored_flags() const { return stored_flags_; }

  // Whether a plausible fragment (valid type, fits its page, CRC matches)
  // starts after `error_offset`: right behind the bad fragment if its header
  // is readable, or at the start of any later page. Used to tell a torn
  // tail (nothing valid follows) from damage in the middle of a segment.
  static bool ValidFragmentFollows(std::string_view data, int64_t error_offset);

  // Whether a fragment that passes every per-fragment check (valid type
  // and flags, header and data inside its page and the data, CRC32C)
  // starts at `pos`.
  static bool IntactFragmentAt(std::string_view data, int64_t pos);

 private:
  bool Fail(Error error, int64_t offset, std::string_view what);

  const std::string_view data_;
  int64_t pos_ = 0;
  int64_t record_offset_ = 0;
  int64_t error_offset_ = -1;
  Error error_ = Error::kNone;
  Status status_;
  std::string_view stored_;
  uint8_t stored_flags_ = 0;
  std::string assembled_;     // Fragments of a multi-fragment record.
  std::string decompressed_;  // The current record, if it was compressed.
  Decompressor decompressor_;
};

}  // namespace strata::wal

#endif  // STRATA_WAL_SEGMENT_READER_H_
