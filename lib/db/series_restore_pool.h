// SeriesRestorePool: restores a head snapshot's series records into the
// head on worker threads. Most of a snapshot load is allocating and filling
// the series' chunk memory (page faults, malloc), which spreads over cores
// while the loading thread reads and checksums the snapshot.
//
// Records are copied into batches; each batch goes to one worker. Series
// records are independent, so their order does not matter; the head's
// series creation is safe for concurrent use.
//
// Thread-safety: Add and Finish are called by one producer thread.
#ifndef STRATA_DB_SERIES_RESTORE_POOL_H_
#define STRATA_DB_SERIES_RESTORE_POOL_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "head/head.h"
#include "strata/status.h"
#include "util/mutex.h"

namespace strata::snapshot {

// Whether a chunk a snapshot gives by reference (SeriesChunkView::disk_ref)
// is intact in the head-chunk files, for series `id`: OK, or why the
// snapshot cannot be used. Called concurrently from the workers.
using DiskChunkCheck =
    std::function<Status(uint64_t id, const SeriesChunkView& chunk)>;

class SeriesRestorePool {
 public:
  struct Counts {
    int64_t series = 0;
    int64_t chunks = 0;
    // Of chunks, those given by reference to the head-chunk files.
    int64_t chunk_refs = 0;
    // From the chunk headers (chunks on disk: the count the snapshot
    // records with the reference).
    int64_t samples = 0;
  };

  // `workers` threads; 0 restores on the calling thread in Add. A record
  // with a chunk reference fails unless `check_disk_chunk` (may be null:
  // no head-chunk files) accepts it.
  SeriesRestorePool(Head* head, int workers, DiskChunkCheck check_disk_chunk);
  // Finishes if the owner did not.
  ~SeriesRestorePool();
  SeriesRestorePool(const SeriesRestorePool&) = delete;
  SeriesRestorePool& operator=(const SeriesRestorePool&) = delete;

  // Queues one series record (copied).
  void Add(std::string_view record);
  // Waits for every queued record; returns the first failure (a record
  // that does not decode or does not fit the head). Idempotent.
  Status Finish();
  // Final after Finish.
  Counts counts() const ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return total_;
  }

 private:
  struct Batch {
    std::string bytes;
    std::vector<size_t> ends;  // End offset of each record in bytes.
  };
  // Handed to a worker at once.
  static constexpr size_t kBatchBytes = 4 << 20;
  // Batches waiting at most; the producer blocks beyond.
  static constexpr size_t kMaxQueued = 8;

  void Push() ABSL_LOCKS_EXCLUDED(mu_);
  void Work() ABSL_LOCKS_EXCLUDED(mu_);
  // Restores every record of `batch`, adding to `counts`.
  Status RestoreBatch(const Batch& batch, Counts* counts);
  // Checks the chunks `state` gives by reference, counting them.
  Status CheckDiskChunks(uint64_t id, const SeriesStateView& state,
                         Counts* counts) const;
  void NoteResult(const Status& st, const Counts& counts)
      ABSL_LOCKS_EXCLUDED(mu_);

  Head* const head_;
  const DiskChunkCheck check_disk_chunk_;
  Batch filling_;  // Producer only.
  std::vector<std::thread> threads_;
  mutable Mutex mu_;
  CondVar changed_;
  std::deque<Batch> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  Status first_error_ ABSL_GUARDED_BY(mu_);
  Counts total_ ABSL_GUARDED_BY(mu_);
  bool finished_ = false;
};

}  // namespace strata::snapshot

#endif  // STRATA_DB_SERIES_RESTORE_POOL_H_
