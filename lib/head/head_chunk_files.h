// HeadChunkFiles: the completed head chunks on disk, in <data
// dir>/chunks_head/ (Prometheus 2.42's ChunkDiskMapper; format in
// head_chunk_format.h and lib/head/FORMAT.md).
//
// Writes are buffered in memory and reach the file at Flush() (the head
// flushes after every batch that cut a chunk) or when the buffer passes
// kFlushBytes; a chunk still in the buffer is read from it. Reads are
// pread()s of one record through the FileSystem, not an mmap: a record
// is read whole and copied out anyway (a head chunk reader hands out
// owned bytes), a pread of a file that shrank fails with an error where an
// mmap would raise SIGBUS, and reads go through the fault-injecting
// FileSystem the tests use. The page cache does the caching.
//
// The first write after Open starts a new file (never appending after a
// tail that may be torn). A file holds at most kMaxFileSize bytes.
//
// A write error (EIO, ENOSPC) disables writing for the rest of the
// process: Write fails from then on, so the head keeps later chunks in
// memory, and the chunks already handed out from the unwritten buffer stay
// readable from it. The file may end in a torn record; the next Open cuts
// it there, and the WAL, which holds every head sample, fills in.
//
// Thread-safety: all methods are safe to call concurrently. Write may be
// called with a series lock held (it takes only this object's mutex, a
// leaf lock).
#ifndef STRATA_HEAD_HEAD_CHUNK_FILES_H_
#define STRATA_HEAD_HEAD_CHUNK_FILES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "head/head_chunk_format.h"
#include "index/reader.h"
#include "util/file_system.h"
#include "util/mutex.h"

namespace strata {

// A chunk on disk as Open found it.
struct MappedChunk {
  uint64_t ref = 0;  // head_chunks::MakeRef(file, offset).
  int64_t mint = 0;
  int64_t maxt = 0;
  uint16_t samples = 0;  // From the chunk's header.
  uint8_t encoding = 1;  // Prometheus's chunk encoding byte (1: XOR).
};

class HeadChunkFiles {
 public:
  struct LoadStats {
    int64_t files = 0;
    int64_t chunks = 0;
    // Damage found (first problem only): the file and offset it was cut
    // at, files removed after it, and why. Empty reason when intact.
    std::string damage;
    int64_t files_removed = 0;
  };
  // Called for every intact chunk, in file order (so per series in the
  // order the chunks were cut).
  using ChunkFn = std::function<void(uint64_t series_ref, const MappedChunk&)>;

  // Buffered bytes that trigger a flush inside Write.
  static constexpr size_t kFlushBytes = size_t{4} << 20;

  // Opens `dir` (creating it), checks every file's records by their CRC
  // and repairs damage as Prometheus does: the damaged file is cut before
  // the first bad record (removed if its header is bad) and every later
  // file is removed. Fails only on I/O errors.
  static StatusOr<std::shared_ptr<HeadChunkFiles>> Open(FileSystem* fs,
                                                        std::string dir,
                                                        const ChunkFn& on_chunk,
                                                        LoadStats* stats);
  ~HeadChunkFiles();
  HeadChunkFiles(const HeadChunkFiles&) = delete;
  HeadChunkFiles& operator=(const HeadChunkFiles&) = delete;

  // Buffers one chunk's record; returns its ref. Fails once a write has
  // failed (the caller keeps the chunk in memory).
  StatusOr<uint64_t> Write(uint64_t series_ref, int64_t mint, int64_t maxt,
                           uint8_t encoding, std::string_view data)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Writes the buffer to the file (no fsync: the WAL is what is durable).
  Status Flush() ABSL_LOCKS_EXCLUDED(mu_);
  // The data of the chunk at `ref` (CRC checked). NotFound if its file was
  // removed by Truncate.
  StatusOr<std::string> Read(uint64_t ref) const ABSL_LOCKS_EXCLUDED(mu_);
  // Between these, Read serves the files from read-only mappings instead
  // of a pread each: for reading back many chunks at once (the shutdown
  // snapshot). BeginBulkRead flushes the buffer first. Safe because files
  // only shrink in Open; a record past a mapping's end (written later) or
  // in a file that failed to map is read with pread.
  void BeginBulkRead() ABSL_LOCKS_EXCLUDED(mu_);
  void EndBulkRead() ABSL_LOCKS_EXCLUDED(mu_);
  // Removes the oldest files while every chunk in them ends before `mint`
  // (never the file being written, never leaving a gap in the sequence).
  // Returns the files removed.
  int Truncate(int64_t mint) ABSL_LOCKS_EXCLUDED(mu_);
  // Flushes, fsyncs and closes the file being written.
  Status Close() ABSL_LOCKS_EXCLUDED(mu_);

  bool write_failed() const ABSL_LOCKS_EXCLUDED(mu_);
  int64_t NumFiles() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct File {
    std::shared_ptr<RandomAccessFile> reader;
    std::shared_ptr<MappedFile> mapped;  // Between Begin/EndBulkRead.
    int64_t maxt = kMinTime;             // Newest chunk end in the file.
  };

  HeadChunkFiles(FileSystem* fs, std::string dir);
  // Checks file `seq`, reporting its chunks; returns the offset of the
  // first damaged byte, or -1 if intact.
  StatusOr<int64_t> LoadFile(uint32_t seq, const ChunkFn& on_chunk,
                             LoadStats* stats)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts file cur_seq_ + 1 (header buffered).
  Status StartFile() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The data of the record at `offset` of file `seq`, whose bytes are
  // `file`.
  static StatusOr<std::string> DecodeAt(std::string_view file, uint32_t seq,
                                        int64_t offset);
  // Marks writing failed after `st`, logging it once.
  void Fail(const Status& st) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string PathOf(uint32_t seq) const {
    return JoinPath(dir_, head_chunks::FileName(seq));
  }

  FileSystem* const fs_;
  const std::string dir_;
  mutable Mutex mu_;
  std::map<uint32_t, File> files_ ABSL_GUARDED_BY(mu_);
  // The file being written (0: none yet), its size including the buffer,
  // and the buffered bytes, which start at buffer_offset_ in it.
  uint32_t cur_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint32_t last_seq_ ABSL_GUARDED_BY(mu_) = 0;  // Highest seq on disk.
  std::unique_ptr<WritableFile> writer_ ABSL_GUARDED_BY(mu_);
  int64_t cur_size_ ABSL_GUARDED_BY(mu_) = 0;
  std::string buffer_ ABSL_GUARDED_BY(mu_);
  int64_t buffer_offset_ ABSL_GUARDED_BY(mu_) = 0;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;  // Writes refused.
};

}  // namespace strata

#endif  // STRATA_HEAD_HEAD_CHUNK_FILES_H_
