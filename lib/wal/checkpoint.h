// WAL checkpoints, as Prometheus makes them: once the head has persisted
// everything before `mint` to a block, the segments up to `last` are
// rewritten into `checkpoint.<last>/` keeping only what the head still
// needs (series still live, samples at or after mint, tombstones of live
// series, exemplars at or after mint whatever their series, as Prometheus
// 2.42 keeps them), and then those segments are deleted.
//
// Crash safety: the checkpoint is written to `checkpoint.<last>.tmp`,
// fdatasync'ed, renamed and the WAL dir synced before any segment or older
// checkpoint is removed. A crash in between leaves records that are in both
// the checkpoint and a segment; replaying both is harmless (series records
// dedupe by labels, repeated samples are exact duplicates).
#ifndef STRATA_WAL_CHECKPOINT_H_
#define STRATA_WAL_CHECKPOINT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "strata/status.h"
#include "util/file_system.h"
#include "wal/wal.h"

namespace strata::wal {

struct CheckpointStats {
  int64_t records_read = 0;
  int64_t series_kept = 0;
  int64_t series_dropped = 0;
  int64_t samples_kept = 0;
  int64_t samples_dropped = 0;
  int64_t tombstones_kept = 0;
  int64_t exemplars_kept = 0;
  int64_t exemplars_dropped = 0;
  int segments_removed = 0;
  // For the DB's counters: whether there were segments to checkpoint, and
  // how far it got (the checkpoint in place; the segments it replaces
  // deleted).
  bool attempted = false;
  bool created = false;
  bool truncated = false;
};

// Checkpoints segments [first existing, last] of `dir` (the WAL dir), then
// removes them and older checkpoints. `keep_series(ref)` says whether the
// head still holds the series. The previous checkpoint, if any, is read
// first so nothing it kept is lost.
Status Checkpoint(FileSystem* fs, const std::string& dir, int last,
                  const std::function<bool(uint64_t ref)>& keep_series,
                  int64_t mint, const WalOptions& options,
                  CheckpointStats* stats);

// Path of the newest complete checkpoint, or "" if there is none.
StatusOr<std::string> LatestCheckpoint(FileSystem* fs, const std::string& dir);

}  // namespace strata::wal

#endif  // STRATA_WAL_CHECKPOINT_H_
