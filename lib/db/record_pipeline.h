// RecordPipeline: hands WAL records to one thread of their own, which
// applies them in the order they were added. WAL replay uses it so that
// reading a segment (CRC, decompression) and decoding its samples records
// run on two cores at once.
//
// Add copies the record into the chunk being filled; a full chunk goes to
// the thread, and the producer waits only when kMaxQueuedChunks are
// waiting already (memory stays bounded). Drain hands over what is
// buffered and waits until the thread has applied everything added so
// far: after it, the producer may change state the apply function reads.
//
// The apply function's errors are collected, not returned by Add: the
// first one is kept (first_error()), and every failing record is counted.
// Chunks' buffers are reused, so a long replay allocates only a few.
//
// Thread-safety: one producer thread calls Add, Drain and Finish; `apply`
// runs on the pipeline's thread only, never concurrently with itself.
// first_error() and failed_records() are valid after Finish.
#ifndef STRATA_DB_RECORD_PIPELINE_H_
#define STRATA_DB_RECORD_PIPELINE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "strata/status.h"
#include "util/mutex.h"

namespace strata {

class RecordPipeline {
 public:
  using ApplyFn = std::function<Status(std::string_view record)>;

  explicit RecordPipeline(ApplyFn apply);
  // Finishes if the owner did not.
  ~RecordPipeline();
  RecordPipeline(const RecordPipeline&) = delete;
  RecordPipeline& operator=(const RecordPipeline&) = delete;

  void Add(std::string_view record);
  // Returns once every record added so far has been applied.
  void Drain();
  // Drains and stops the thread; Add may not be called afterwards.
  void Finish();

  const Status& first_error() const { return first_error_; }
  int64_t failed_records() const { return failed_records_; }

 private:
  // Records laid end to end; ends[i] is where record i ends.
  struct Chunk {
    std::string bytes;
    std::vector<uint32_t> ends;
  };
  // A chunk is handed over at this size (records larger than it travel
  // alone).
  static constexpr size_t kChunkBytes = size_t{1} << 20;
  static constexpr size_t kMaxQueuedChunks = 4;

  void Submit();
  void Work();
  void ApplyChunk(const Chunk& chunk);

  const ApplyFn apply_;
  std::unique_ptr<Chunk> filling_;  // Producer only.

  Mutex mu_;
  std::deque<std::unique_ptr<Chunk>> queued_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Chunk>> free_ ABSL_GUARDED_BY(mu_);
  // Chunks taken by the thread and not yet applied.
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;

  // Written by the thread only until it is joined.
  Status first_error_;
  int64_t failed_records_ = 0;
  std::thread thread_;
  bool finished_ = false;
};

}  // namespace strata

#endif  // STRATA_DB_RECORD_PIPELINE_H_
