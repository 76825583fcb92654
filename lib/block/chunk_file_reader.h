// ChunkFileReader: reads the chunk segments of one block (`<block>/chunks/`)
// written by Prometheus or ChunkSegmentWriter. Layout in FORMAT.md.
//
// Every segment is memory-mapped for Chunk(), which returns views into the
// mapping. ReadBatch() instead reads many chunks with explicit I/O, all of
// a batch submitted at once through io_uring (pread where io_uring is
// unavailable), for callers that want to avoid page-fault-driven reads of
// cold data. Both verify each chunk's CRC32C and report Corruption naming
// the segment file and offset.
//
// Thread-safety: immutable after Open; safe for concurrent readers.
#ifndef STRATA_BLOCK_CHUNK_FILE_READER_H_
#define STRATA_BLOCK_CHUNK_FILE_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "block/batch_file_reader.h"
#include "index/reader.h"
#include "util/file_system.h"

namespace strata {

enum class ChunkIoMode {
  kAuto,   // io_uring if it can be set up, else pread.
  kUring,  // io_uring or fail to open.
  kPread,  // Always pread through the FileSystem.
};

struct ChunkReaderOptions {
  ChunkIoMode io_mode = ChunkIoMode::kAuto;
  // io_uring submission queue entries: reads in flight at once.
  unsigned uring_queue_depth = 64;
  // ReadBatch first reads this many bytes per chunk, then the rest of
  // chunks that turn out longer.
  size_t initial_read_bytes = 512;
};

class ChunkFileReader : public ChunkReader {
 public:
  // Maps every segment in `dir` (files named by digits, in numeric order)
  // and checks their headers. Corruption names the bad file.
  static StatusOr<std::unique_ptr<ChunkFileReader>> Open(
      FileSystem* fs, const std::string& dir,
      const ChunkReaderOptions& options = {});
  ~ChunkFileReader() override;

  // From the mapping; `keep_alive` pins the segment's mapping.
  StatusOr<ChunkBytes> Chunk(const ChunkMeta& meta) const override;

  // Reads the chunks of `metas` (any order, any segments) with batched I/O;
  // out[i] is the chunk of metas[i] and owns its bytes.
  Status ReadBatch(std::span<const ChunkMeta> metas,
                   std::vector<ChunkBytes>* out) const override;

  // Reads every chunk in every segment in file order, checking lengths and
  // CRCs; calls fn(ref, chunk) for each. Stops at the first error.
  Status ForEachChunk(
      const std::function<Status(uint64_t ref, const ChunkBytes&)>& fn) const;

  // "io_uring" or "pread": what ReadBatch uses.
  const char* io_mode_name() const { return batch_->Name(); }
  size_t num_segments() const { return segments_.size(); }
  // Total bytes of all segments.
  int64_t Size() const { return size_; }
  const std::string& dir() const { return dir_; }

 private:
  struct Segment {
    std::string path;
    std::shared_ptr<const MappedFile> map;
  };
  ChunkFileReader(std::string dir, std::vector<Segment> segments,
                  std::unique_ptr<BatchFileReader> batch,
                  const ChunkReaderOptions& options);

  // Locates the chunk at `ref` in a buffer holding the bytes of its
  // segment from `base` (the file offset of buf[0]) on; checks length and
  // CRC. NotFound-free: every failure is Corruption with file and offset.
  Status Decode(uint64_t ref, std::string_view buf, int64_t base,
                ChunkBytes* out, size_t* total_len) const;
  Status Corrupt(uint64_t ref, std::string_view what) const;

  // Constant after construction.
  const std::string dir_;
  const std::vector<Segment> segments_;
  const std::unique_ptr<BatchFileReader> batch_;
  const ChunkReaderOptions options_;
  int64_t size_ = 0;
};

}  // namespace strata

#endif  // STRATA_BLOCK_CHUNK_FILE_READER_H_
