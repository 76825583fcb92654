// Restore: brings a backup (a data directory written by DB::Backup or
// `strata-tsdb backup`) back into a data directory: the blocks it lacks
// (CopyBlocks: each verified), the WAL holding the backed-up head (only
// into a data directory whose WAL is empty, or already this one: two WALs
// cannot be merged), and strata-server's metric metadata file.
//
// Thread-safety: one call at a time per destination; the destination's
// server must be stopped (the caller holds its lock).
#ifndef STRATA_INSPECT_RESTORE_H_
#define STRATA_INSPECT_RESTORE_H_

#include <cstdint>
#include <string>

#include "inspect/block_copy.h"
#include "strata/status.h"
#include "util/data_dir_files.h"

namespace strata::inspect {

// strata-server's metric metadata file in a data directory.
inline constexpr std::string_view kMetadataFileName =
    kRemoteWriteMetadataFileName;

struct RestoreReport {
  CopyReport blocks;
  int64_t wal_segment_bytes = 0;
  int64_t wal_checkpoint_bytes = 0;
  int64_t wbl_segment_bytes = 0;  // The out-of-order samples' wbl/.
  int64_t metadata_bytes = 0;
  // The WAL was already the backup's: nothing to copy.
  bool wal_already_restored = false;
  int64_t bytes_copied() const {
    return blocks.bytes_copied + wal_segment_bytes + wal_checkpoint_bytes +
           wbl_segment_bytes + metadata_bytes;
  }
};

// Copies the metric metadata file of data directory `from` into `to`
// (atomically) unless `to` has the same bytes. Returns the bytes written;
// 0 if `from` has none.
StatusOr<int64_t> CopyMetadataFile(const std::string& from,
                                   const std::string& to);

// Restores backup `src` into data directory `dst` (created if needed).
// With `with_wal`, FailedPrecondition (before anything is copied) if
// `dst`'s WAL holds data that is not the backup's.
StatusOr<RestoreReport> Restore(const std::string& src, const std::string& dst,
                                bool with_wal);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_RESTORE_H_
