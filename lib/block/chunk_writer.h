// ChunkSegmentWriter: writes chunks into a block's `chunks/` directory as
// Prometheus 2.42 does (tsdb/chunks.Writer): numbered segment files, each
// started with a header and cut before a chunk that would make it exceed
// the segment size. Layout in FORMAT.md.
//
// Writes are sequential and buffered; Finish() fdatasyncs every segment and
// the directory. After any error the writer stays failed and the files are
// incomplete (the caller discards the whole block directory).
//
// Thread-safety: none; one thread at a time.
#ifndef STRATA_BLOCK_CHUNK_WRITER_H_
#define STRATA_BLOCK_CHUNK_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "block/chunk_format.h"
#include "util/file_system.h"

namespace strata {

struct ChunkWriterOptions {
  // At most 4 GiB, as chunk offsets are 32 bits.
  int64_t segment_bytes = chunk_format::kDefaultSegmentBytes;
  // Writes reach the file system in pieces of about this size.
  size_t buffer_bytes = 1 << 20;
};

class ChunkSegmentWriter {
 public:
  // Creates `dir` if needed. No segment is created until the first chunk.
  static StatusOr<std::unique_ptr<ChunkSegmentWriter>> Create(
      FileSystem* fs, std::string dir, const ChunkWriterOptions& options = {});
  ~ChunkSegmentWriter();

  ChunkSegmentWriter(const ChunkSegmentWriter&) = delete;
  ChunkSegmentWriter& operator=(const ChunkSegmentWriter&) = delete;

  // Appends one chunk (`data` without the encoding byte) and returns its
  // reference (chunk_format::PackRef).
  StatusOr<uint64_t> Write(uint8_t encoding, std::string_view data);

  // Flushes, fdatasyncs and closes the open segment, then syncs the
  // directory. Must be called once, last; the writer is unusable after.
  Status Finish();

  int num_segments() const { return num_segments_; }
  int64_t chunks_written() const { return chunks_written_; }
  // Bytes of all segments, headers included.
  int64_t bytes_written() const { return bytes_done_ + segment_size_; }

 private:
  ChunkSegmentWriter(FileSystem* fs, std::string dir,
                     const ChunkWriterOptions& options);

  Status Cut();
  Status Flush();
  Status CloseSegment();
  Status Fail(Status s);

  // Constant after construction.
  FileSystem* const fs_;
  const std::string dir_;
  const ChunkWriterOptions options_;

  std::unique_ptr<WritableFile> file_;  // The open segment, if any.
  std::string path_;                    // Its path.
  std::string buf_;                     // Bytes not yet appended to file_.
  int64_t segment_size_ = 0;            // Of the open segment, buf_ included.
  int64_t bytes_done_ = 0;              // Of closed segments.
  int num_segments_ = 0;
  int64_t chunks_written_ = 0;
  int64_t chunks_in_segment_ = 0;
  bool finished_ = false;
  Status error_;  // Sticky.
};

}  // namespace strata

#endif  // STRATA_BLOCK_CHUNK_WRITER_H_
