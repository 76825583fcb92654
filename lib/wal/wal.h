// Wal: the write-ahead log writer. Appends groups of records to numbered
// segment files in Prometheus's framing (framing.h, FORMAT.md) and makes
// them durable according to a WalSyncPolicy.
//
// Durability:
//   kAlways   Log returns OK only once an fdatasync covering its bytes has
//             succeeded. Concurrent Log calls share fdatasyncs (group
//             commit): one caller at a time, the leader, runs an fdatasync
//             for everything written so far while the others wait; each
//             waiter returns as soon as a finished fdatasync covers its own
//             bytes. At most one fdatasync is in flight.
//   kInterval Log returns once its bytes are written to the OS (they
//             survive the process being killed); a background thread
//             fdatasyncs every sync_interval_ms, so an OS crash or power
//             loss loses at most about one interval of acknowledged records.
//
// Failures (see FORMAT.md, "Failures"):
//   * A failed write makes Log return IOError after cutting the segment back
//     to its last good offset. If that truncation fails too, the segment is
//     abandoned: an abandon marker records its durable prefix and later
//     records go to a new segment.
//   * A failed fdatasync fails every Log waiting on it, and the segment is
//     abandoned the same way: fdatasync is never retried on a file whose
//     writeback failed, so no later success can hide lost data.
//   * A segment is fully fdatasync'ed before the next one receives bytes, so
//     the only segments that can hold damage after a crash are the last one
//     and abandoned ones, which replay treats as torn tails.
//   * A Log that returns an error may still have written some of its
//     records (e.g. those before a segment switch): replay may or may not
//     deliver them. Every record of a Log that returned OK is replayed.
//
// Precondition: run ReplayWal on the directory before Open, so that a torn
// tail in the last segment is cut away before a newer segment follows it.
//
// Thread-safety: Log, Sync, NextSegment and stats may be called
// concurrently. Close and the destructor must not race with other calls.
#ifndef STRATA_WAL_WAL_H_
#define STRATA_WAL_WAL_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "strata/options.h"
#include "strata/status.h"
#include "util/file_system.h"
#include "util/mutex.h"
#include "wal/compression.h"
#include "wal/log_format.h"

namespace strata::wal {

struct WalOptions {
  WalSyncPolicy sync = WalSyncPolicy::kInterval;
  // kInterval only: time between background fdatasyncs.
  int64_t sync_interval_ms = 1000;
  Compression compression = Compression::kNone;
  // A positive multiple of kPageSize.
  int64_t segment_bytes = kDefaultSegmentBytes;

  // The WAL settings of DB options (wal_compression selects zstd).
  static WalOptions FromOptions(const Options& options);
};

struct WalStats {
  int64_t records = 0;        // Records in Log calls that wrote them.
  int64_t record_bytes = 0;   // Their bytes before compression.
  int64_t bytes_written = 0;  // Bytes appended: headers, data, padding.
  int64_t segments_created = 0;
  int64_t segments_abandoned = 0;
  int active_segment = -1;  // -1 while no segment is open.
  int64_t fsyncs = 0;       // fdatasyncs of segments (not of markers/dirs).
  double fsync_seconds = 0;
  int64_t write_errors = 0;  // Failed appends, truncations, segment creations.
  int64_t sync_errors = 0;   // Failed fdatasyncs.
  // Bytes written to the OS and still waiting for an fdatasync (with
  // kInterval: what a power loss right now could take).
  int64_t unsynced_bytes = 0;
};

class Wal {
 public:
  // Opens the WAL in `dir` (created if missing), fdatasyncs the highest
  // existing segment, and starts a fresh segment numbered one past it. `fs`
  // is not owned and must outlive the Wal; null means FileSystem::Default().
  static StatusOr<std::unique_ptr<Wal>> Open(const std::string& dir,
                                             FileSystem* fs,
                                             const WalOptions& options);

  ~Wal();  // Closes; errors are logged.
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends `records` in order, each as one WAL record, then waits as the
  // sync policy requires. An empty group is a no-op.
  Status Log(std::span<const std::string_view> records);
  Status Log(std::span<const std::string> records);
  Status Log(std::string_view record);

  // Makes everything logged so far durable (whatever the policy). With
  // kInterval, also reports (once) an earlier failed background fdatasync
  // or abandoned segment: records acknowledged before it may not be durable.
  Status Sync();

  // Closes the active segment (padded and fdatasync'ed) and starts the next
  // one, returning its index. For checkpoints: every record logged before
  // this call is in a lower segment.
  StatusOr<int> NextSegment();

  // Pads, fdatasyncs and closes the active segment and stops the background
  // thread. Later Logs fail with FailedPrecondition. Idempotent.
  Status Close();

  WalStats stats() const;
  const std::string& dir() const { return dir_; }

 private:
  struct PreparedRecord {
    std::string_view data;  // Points into `storage` or the caller's record.
    uint8_t flags = 0;
    std::string storage;
  };
  using PreparedRecords = std::vector<PreparedRecord>;
  struct ActiveSegment {
    int index = -1;
    // Shared so that a leader's in-flight fdatasync keeps the file open
    // while the segment is abandoned under it.
    std::shared_ptr<WritableFile> file;  // Null when no segment is open.
    int64_t size = 0;                    // Bytes of well-formed data.
    int64_t synced_size = 0;             // Prefix known durable.
    uint64_t base_seq = 0;  // Log position of the segment's byte 0.
  };
  // Bytes [begin, end) of the log position space whose fdatasync failed.
  struct FailedRange {
    uint64_t begin;
    uint64_t end;
    Status status;
  };

  Wal(std::string dir, FileSystem* fs, const WalOptions& options,
      int next_index);

  // Writes one Log call's records (and syncs per the policy) under mu_.
  Status WritePrepared(std::span<PreparedRecord> prepared, int64_t record_count,
                       int64_t raw_bytes) ABSL_LOCKS_EXCLUDED(mu_);
  Status WriteLocked(std::span<PreparedRecord> records)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status AppendLocked(std::string_view data) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status EnsureSegmentLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status RollSegmentLocked(int from_index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status FinishSegmentLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs one fdatasync of the active segment covering everything written
  // so far, releasing mu_ meanwhile. Returns false if there was nothing to
  // sync. Precondition: !sync_in_flight_.
  bool SyncActiveLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status AwaitSyncLocked(uint64_t begin, uint64_t end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AbandonActiveLocked(const Status& cause)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status WritePendingMarkerLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EndCallLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void BackgroundSync();
  // A buffer for one Log call's compressed records: a reused one if any is
  // free, else a new one. Give it back with ReturnPreparedBuffer.
  std::unique_ptr<PreparedRecords> TakePreparedBuffer();
  void ReturnPreparedBuffer(std::unique_ptr<PreparedRecords> buffer);

  // Constant after construction.
  const std::string dir_;
  FileSystem* const fs_;
  const WalOptions options_;

  mutable Mutex mu_;
  // Signalled when an fdatasync finishes or the segment changes.
  CondVar sync_done_;
  // Signalled to stop the background thread.
  CondVar stop_bg_cv_;

  ActiveSegment active_ ABSL_GUARDED_BY(mu_);
  int next_index_ ABSL_GUARDED_BY(mu_);
  // Log positions: bytes appended over the WAL's lifetime. Invariant: with
  // a segment open, synced_seq_ == active_.base_seq + active_.synced_size;
  // without one, synced_seq_ == written_seq_.
  uint64_t written_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t synced_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool sync_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  // Failed fdatasync ranges, kept while any call that may wait on them is
  // in progress (calls_in_progress_ > 0).
  std::vector<FailedRange> failures_ ABSL_GUARDED_BY(mu_);
  int calls_in_progress_ ABSL_GUARDED_BY(mu_) = 0;
  // An abandoned segment whose marker is not durable yet; no new segment
  // may be written until it is.
  int pending_marker_index_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t pending_marker_valid_ ABSL_GUARDED_BY(mu_) = 0;
  // kInterval: a failed fdatasync lost acknowledged bytes; the next Sync()
  // reports it.
  Status sticky_error_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_bg_ ABSL_GUARDED_BY(mu_) = false;
  std::string frame_buf_ ABSL_GUARDED_BY(mu_);
  WalStats stats_ ABSL_GUARDED_BY(mu_);

  // Buffers of earlier Log calls, kept so that compression reuses their
  // memory: at most one per thread that committed concurrently, bounded.
  // Owned by the Wal (not thread_local) so that a Log from any thread at
  // any time, e.g. a static DB's Close during process exit, is safe.
  Mutex buffers_mu_;
  std::vector<std::unique_ptr<PreparedRecords>> free_buffers_
      ABSL_GUARDED_BY(buffers_mu_);

  std::thread bg_thread_;  // kInterval only.
};

}  // namespace strata::wal

#endif  // STRATA_WAL_WAL_H_
