// MirrorWal: incremental copy of a WAL directory (segments, abandon markers,
// the newest checkpoint) so that the copy replays the same records. Used by
// DB::Backup for the head's data and by `strata-tsdb restore`.
//
// What is copied (see lib/wal/FORMAT.md, "Backups"):
//   * the newest checkpoint, once: a complete `checkpoint.N/` never changes;
//   * of each segment, only the bytes the copy lacks. Segments only grow
//     (appends; a finished segment is padded, then never written again), so
//     a copy that is a prefix of the source gets the difference appended.
//     Before appending, the copy's last page is compared with the source at
//     the same offset; a mismatch (the source cut back a failed write, or
//     the copy was written to) recopies that segment whole;
//   * of the bytes found, only up to the end of the last complete record
//     (the live segment may be mid-append): the new bytes are decoded with
//     SegmentReader and cut at the first record that does not check out.
//     A segment whose data ends cleanly is copied up to its size (padding
//     included), so a finished segment ends up byte-identical.
// Then what the source no longer has is deleted from the copy: segments
// below the checkpoint (in this order: checkpoint in place, old segments
// removed, new segments added, old checkpoints removed, so that the copy
// replays completely at every step, as the source's own checkpointing),
// segments and markers the source lacks, older checkpoints, leftovers.
//
// Precondition: nothing in `src` is deleted or checkpointed during the call
// (DBImpl::Backup holds compact_mu_, the only path that checkpoints and
// truncates the WAL; restore reads a backup nobody writes). Appends and
// segment rolls may go on: every record whose write returned before the
// call began is in a segment that existed then (hence is listed, since none
// is deleted) at an offset below the size read later, so it is copied.
//
// Thread-safety: one call at a time per destination.
#ifndef STRATA_DB_WAL_BACKUP_H_
#define STRATA_DB_WAL_BACKUP_H_

#include <cstdint>
#include <string>

#include "strata/status.h"
#include "util/file_system.h"

namespace strata {

struct WalMirrorReport {
  int64_t segment_bytes = 0;      // Segment bytes written to the copy.
  int64_t checkpoint_bytes = 0;   // Checkpoint bytes written to the copy.
  int64_t segments_copied = 0;    // Segments created or extended.
  int64_t segments_recopied = 0;  // Of those, copied whole after a mismatch.
  int64_t segments_removed = 0;   // Gone from the source, deleted from copy.
  int64_t checkpoints_copied = 0;
};

// Brings WAL directory `dst` (created if missing) up to date with `src`.
Status MirrorWal(FileSystem* fs, const std::string& src, const std::string& dst,
                 WalMirrorReport* report);

// MirrorWal for the out-of-order samples' WBL: `<src_db_dir>/wbl` into
// `<dst_db_dir>/wbl`, if the source data directory has one (adding
// nothing to `report` otherwise). Same precondition as MirrorWal: the
// WBL's segments are deleted only by the out-of-order compaction.
Status MirrorWbl(FileSystem* fs, const std::string& src_db_dir,
                 const std::string& dst_db_dir, WalMirrorReport* report);

// Whether WAL directory `dir` holds no data: missing, or no checkpoint and
// only empty segments.
bool WalIsEmpty(FileSystem* fs, const std::string& dir);

// Whether `a` and `b` hold the same files with the same sizes (a restore
// already done: nothing to copy).
bool WalFilesMatch(FileSystem* fs, const std::string& a, const std::string& b);

}  // namespace strata

#endif  // STRATA_DB_WAL_BACKUP_H_
