// Writing the head's shutdown snapshot (format: head_snapshot_format.h,
// FORMAT.md "Head snapshot").
//
// Atomicity: the snapshot is written to `<name>.tmp`, every segment
// fdatasync'ed, then renamed to `<name>` and the data directory synced;
// only then are older snapshots removed. A crash at any point leaves the
// previous state usable: a `.tmp` is never loaded (and is removed by the
// next open or write), and an older complete snapshot is either still
// valid for the WAL or detected as stale when loaded.
//
// Thread-safety: the head must not change while a snapshot is written
// (DB::Close writes it after the WAL is closed).
#ifndef STRATA_DB_HEAD_SNAPSHOT_WRITER_H_
#define STRATA_DB_HEAD_SNAPSHOT_WRITER_H_

#include <cstdint>
#include <string>

#include "db/head_snapshot_format.h"
#include "head/head.h"
#include "util/file_system.h"

namespace strata::snapshot {

// How the snapshot holds the completed chunks that are in chunks_head/.
enum class DiskChunks {
  // By reference (file, offset), with mint and maxt: the files must be
  // flushed and synced before the snapshot is written, and stay as they
  // are until it is loaded (the load checks each reference against them).
  kByReference,
  // Read back and written inline, as every chunk in memory (after a
  // head-chunk write failed: chunks handed out from the unwritten buffer
  // are not in the files).
  kInline,
};

struct WriteStats {
  int64_t series = 0;
  int64_t chunks = 0;
  int64_t chunk_refs = 0;  // Of chunks, those written as references.
  int64_t bytes = 0;       // Record bytes, before framing.
  double seconds = 0;
};

// Writes a snapshot of `head` named after header.position into `db_dir`
// and then removes every other snapshot there. On failure the partial
// directory is removed (best effort) and older snapshots are left alone.
Status WriteSnapshot(FileSystem* fs, const std::string& db_dir,
                     const Head& head, const Header& header,
                     DiskChunks disk_chunks, WriteStats* stats);

// Removes every snapshot directory of `db_dir` (complete or partial)
// except the one named `keep` ("" keeps none). Syncs the directory if it
// removed anything.
Status RemoveSnapshotsExcept(FileSystem* fs, const std::string& db_dir,
                             const std::string& keep);

}  // namespace strata::snapshot

#endif  // STRATA_DB_HEAD_SNAPSHOT_WRITER_H_
