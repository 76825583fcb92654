// BatchFileReader: positional reads of many byte ranges from a fixed set of
// files, issued together. Two implementations:
//  - io_uring (liburing): a batch is submitted at once, up to the queue
//    depth in flight, so the kernel can work on all reads in parallel;
//  - pread through FileSystem::RandomAccessFile, one read after another:
//    the fallback where io_uring is unavailable (old kernels, seccomp
//    filters, io_uring_queue_init failing) and for non-POSIX file systems.
//
// The io_uring reader opens the files with open(2) itself (io_uring needs
// file descriptors), so it bypasses a wrapping FileSystem such as the fault
// injector; use the pread reader to test fault handling.
//
// Thread-safety: ReadBatch is safe to call concurrently (the io_uring
// reader serializes batches on its ring).
#ifndef STRATA_BLOCK_BATCH_FILE_READER_H_
#define STRATA_BLOCK_BATCH_FILE_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "util/file_system.h"

namespace strata {

struct ReadRequest {
  uint32_t file = 0;   // Index into the reader's files.
  int64_t offset = 0;  // Byte offset in that file.
  size_t length = 0;   // Bytes wanted; fewer are read only at end of file.
  char* dest = nullptr;
  size_t bytes_read = 0;  // Output.
};

class BatchFileReader {
 public:
  virtual ~BatchFileReader() = default;
  // Reads every request. On error some requests may be unfilled.
  virtual Status ReadBatch(std::span<ReadRequest> requests) const = 0;
  // "io_uring" or "pread".
  virtual const char* Name() const = 0;
};

// Opens every path for reading. NotSupported if io_uring cannot be set up
// with `queue_depth` entries (the caller then falls back to pread).
StatusOr<std::unique_ptr<BatchFileReader>> NewUringFileReader(
    const std::vector<std::string>& paths, unsigned queue_depth);

// Reads through `fs` (not owned; must outlive the reader).
StatusOr<std::unique_ptr<BatchFileReader>> NewPreadFileReader(
    FileSystem* fs, const std::vector<std::string>& paths);

}  // namespace strata

#endif  // STRATA_BLOCK_BATCH_FILE_READER_H_
