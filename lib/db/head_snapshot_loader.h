// Loading the head's shutdown snapshot (format: head_snapshot_format.h,
// FORMAT.md "Head snapshot") at DB open, before the WAL replay.
//
// The newest complete snapshot of the data directory is used only if it
// fits the WAL as it is now:
//   * segment `position.segment` exists and is exactly `position.offset`
//     bytes long (shorter: the snapshot claims more than the WAL holds;
//     longer: the segment changed after the snapshot);
//   * the segments after it start at position.segment + 1 with no gap;
//   * the WAL's newest checkpoint is the one the snapshot recorded (a newer
//     one means the head was truncated and its WAL segments removed since:
//     the snapshot holds series and chunks the head no longer had);
//   * every record checks out: CRC32C of every fragment, known version,
//     header first, footer last with matching counts, valid chunk state;
//   * every chunk given by reference to chunks_head/ is there, intact
//     (the DiskChunkCheck; a damaged or cut head-chunk file fails it).
// Anything else discards it: a warning is logged, the snapshot directory
// removed, and the caller replays the whole WAL (nothing is lost: the WAL
// holds everything the snapshot did). Older snapshots and partial (.tmp)
// ones are removed.
//
// Thread-safety: runs alone during DB open.
#ifndef STRATA_DB_HEAD_SNAPSHOT_LOADER_H_
#define STRATA_DB_HEAD_SNAPSHOT_LOADER_H_

#include <cstdint>
#include <string>

#include "db/head_snapshot_format.h"
#include "db/series_restore_pool.h"
#include "head/head.h"
#include "util/file_system.h"

namespace strata::snapshot {

struct LoadResult {
  // The head holds the snapshot; replay the WAL from segment
  // position.segment + 1.
  bool loaded = false;
  // A snapshot was read partly into the head and then discarded: the
  // caller must start over with a fresh head.
  bool head_dirty = false;
  WalPosition position;
  std::string name;
  int64_t series = 0;
  int64_t chunks = 0;
  int64_t chunk_refs = 0;  // Of chunks, those referring to chunks_head/.
  int64_t samples = 0;
  int64_t tombstone_records = 0;
  int64_t exemplars = 0;  // Read from the snapshot (the ring may keep fewer).
  double seconds = 0;
  // Why a snapshot was discarded; empty if none was found or it loaded.
  std::string discarded;
};

// Loads the newest usable snapshot of `db_dir`, for the WAL in `wal_dir`,
// into `head` (which holds no series yet), restoring series on `workers`
// threads (0: on the calling thread). Chunk references are accepted only
// if `check_disk_chunk` (null: no head-chunk files) accepts them. Fails
// only if `db_dir` cannot be listed; a snapshot that cannot be used is
// reported in the result.
StatusOr<LoadResult> LoadNewestSnapshot(FileSystem* fs,
                                        const std::string& db_dir,
                                        const std::string& wal_dir, Head* head,
                                        int workers,
                                        DiskChunkCheck check_disk_chunk);

}  // namespace strata::snapshot

#endif  // STRATA_DB_HEAD_SNAPSHOT_LOADER_H_
