// WriteBehindLog: Prometheus 2.42's WBL, the log of out-of-order samples
// in <data>/wbl/. Same segment files, framing and record format as the
// WAL (lib/wal/FORMAT.md); it holds only samples records, each sample one
// the appender routed to the out-of-order head (lib/head/FORMAT.md,
// "Write-behind log"). Opened on the first write, so a DB that never takes
// an out-of-order sample has no wbl/ directory.
//
// Thread-safety: Log, Cut, RemoveBefore and stats may be called
// concurrently; Close must not race with them.
#ifndef STRATA_DB_WRITE_BEHIND_LOG_H_
#define STRATA_DB_WRITE_BEHIND_LOG_H_

#include <atomic>
#include <memory>
#include <span>
#include <string>

#include "head/head.h"
#include "head/head_appender.h"
#include "util/mutex.h"
#include "wal/replay.h"
#include "wal/wal.h"

namespace strata {

class WriteBehindLog : public CommitLog {
 public:
  // `fs` is not owned. Replay `dir` (ReplayWbl) before the first Log.
  WriteBehindLog(std::string dir, FileSystem* fs, wal::WalOptions options);
  ~WriteBehindLog() override;

  Status Log(std::span<const std::string> records) override;
  // Starts a new segment and returns its index: every record logged
  // before is in a lower segment. -1 if nothing was ever logged here.
  StatusOr<int> Cut();
  // Deletes the segments below `index` (a Cut's result).
  Status RemoveBefore(int index);
  // Pads, syncs and closes the active segment; later Logs fail.
  Status Close();
  wal::WalStats stats() const;
  const std::string& dir() const { return dir_; }

 private:
  // The open log, opening it on first use.
  StatusOr<wal::Wal*> Get();

  const std::string dir_;
  FileSystem* const fs_;
  const wal::WalOptions options_;
  Mutex mu_;
  std::unique_ptr<wal::Wal> wal_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // wal_.get() once open; read without mu_ by Log's fast path.
  std::atomic<wal::Wal*> open_{nullptr};
};

// What replaying a WBL into the out-of-order head did.
struct WblReplayCounts {
  int64_t records = 0;
  int64_t samples = 0;         // Inserted into the out-of-order head.
  int64_t unknown_series = 0;  // Of series the head does not have.
  int64_t duplicates = 0;      // Timestamps the open chunk held.
};

// Replays WBL directory `dir` (if it exists) into head->ooo(), repairing
// torn tails as the WAL's replay does.
Status ReplayWbl(FileSystem* fs, const std::string& dir, Head* head,
                 WblReplayCounts* counts, wal::ReplayResult* result);

}  // namespace strata

#endif  // STRATA_DB_WRITE_BEHIND_LOG_H_
