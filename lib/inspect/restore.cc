#include "inspect/restore.h"

#include "db/wal_backup.h"
#include "inspect/data_dir.h"
#include "util/data_dir_files.h"
#include "util/file_system.h"

namespace strata::inspect {

StatusOr<int64_t> CopyMetadataFile(const std::string& from,
                                   const std::string& to) {
  FileSystem* fs = FileSystem::Default();
  const std::string src = JoinPath(from, kMetadataFileName);
  if (!fs->Exists(src)) return 0;
  STRATA_ASSIGN_OR_RETURN(std::string content, fs->ReadFile(src));
  const std::string dst = JoinPath(to, kMetadataFileName);
  if (StatusOr<std::string> have = fs->ReadFile(dst);
      have.ok() && *have == content) {
    return 0;
  }
  STRATA_RETURN_IF_ERROR(fs->CreateDirs(to));
  STRATA_RETURN_IF_ERROR(WriteFileAtomically(fs, dst, content));
  return static_cast<int64_t>(content.size());
}

StatusOr<RestoreReport> Restore(const std::string& src, const std::string& dst,
                                bool with_wal) {
  FileSystem* fs = FileSystem::Default();
  const std::string src_wal = JoinPath(src, kWalDir);
  const std::string dst_wal = JoinPath(dst, kWalDir);
  RestoreReport report;
  with_wal = with_wal && fs->IsDirectory(src_wal);
  if (with_wal && !WalIsEmpty(fs, dst_wal)) {
    if (!WalFilesMatch(fs, src_wal, dst_wal)) {
      return Status::FailedPrecondition(
          "the WAL of " + dst +
          " holds data of its own (a head), which a restored WAL would "
          "replace: restore into an empty data directory, or pass "
          "--skip-head to restore only the blocks and the metadata");
    }
    report.wal_already_restored = true;
    with_wal = false;
  }
  STRATA_ASSIGN_OR_RETURN(report.blocks, CopyBlocks(src, dst));
  if (with_wal) {
    WalMirrorReport wal;
    STRATA_RETURN_IF_ERROR(
        MirrorWal(fs, src_wal, dst_wal, &wal).WithContext("restoring the WAL"));
    report.wal_segment_bytes = wal.segment_bytes;
    report.wal_checkpoint_bytes = wal.checkpoint_bytes;
    // The out-of-order samples not yet in blocks, with the WAL they go with.
    WalMirrorReport wbl;
    STRATA_RETURN_IF_ERROR(
        MirrorWbl(fs, src, dst, &wbl).WithContext("restoring the WBL"));
    report.wbl_segment_bytes = wbl.segment_bytes;
  }
  STRATA_ASSIGN_OR_RETURN(report.metadata_bytes, CopyMetadataFile(src, dst));
  return report;
}

}  // namespace strata::inspect
