// DBImpl::Backup: an incremental copy of the data directory that opens as
// one.
//
// Layout of the backup: the blocks (`<ULID>/`) and, with the head, the WAL
// (`wal/`) and the out-of-order samples' WBL (`wbl/`, when the source has
// one), exactly as a data directory. Each run copies
//   * the blocks the backup lacks, each verified before it gets its name;
//     of the blocks it has, only a changed tombstones file (and meta.json);
//   * the WAL through MirrorWal (wal_backup.h): the newest checkpoint once,
//     of each segment only the bytes the backup lacks, up to the last
//     complete record; segments the source checkpointed away are deleted.
// So the head costs what was appended since the last backup, not its size.
//
// Consistency while ingest runs: compact_mu_ is held throughout. It is the
// lock under which blocks are written, compacted and deleted, and under
// which the head is truncated and the WAL checkpointed and cut. So during
// the backup the blocks and the checkpoint stay as listed and no WAL
// segment is deleted; only appends (and segment rolls) go on. A sample
// acknowledged before Backup began is either in a block listed here (it
// was persisted under compact_mu_ before) or in a WAL record whose write
// returned before: that record is in the checkpoint or in a segment that
// existed at the start, below the size MirrorWal reads, hence copied. The
// same holds for an out-of-order sample and the WBL, whose segments are
// deleted only by the out-of-order compaction, also under compact_mu_.
// Opening the backup replays the WAL over the blocks exactly as the
// source would after a crash: samples the blocks hold are skipped by time.
// Compaction waits for the backup; appends and queries do not.
#include "absl/strings/str_cat.h"
#include "block/block_dir.h"
#include "block/block_meta.h"
#include "block/tombstones.h"
#include "db/db_impl.h"
#include "db/wal_backup.h"
#include "util/copy_tree.h"
#include "util/data_dir_files.h"
#include "util/log.h"

namespace strata {
namespace {

// Copies a block's tombstones and meta.json into its existing backup if
// its tombstones changed since (DeleteSeries rewrites both in place).
// Returns the bytes copied.
StatusOr<int64_t> RefreshTombstones(FileSystem* fs, const std::string& from,
                                    const std::string& to) {
  const std::string src = JoinPath(from, tombstone_format::kFileName);
  const std::string dst = JoinPath(to, tombstone_format::kFileName);
  StatusOr<std::string> want = fs->ReadFile(src);
  if (!want.ok()) return 0;  // No tombstones file: nothing to refresh.
  if (StatusOr<std::string> have = fs->ReadFile(dst);
      have.ok() && *have == *want) {
    return 0;
  }
  STRATA_ASSIGN_OR_RETURN(std::string meta,
                          fs->ReadFile(JoinPath(from, kMetaFileName)));
  STRATA_RETURN_IF_ERROR(WriteFileAtomically(fs, dst, *want));
  STRATA_RETURN_IF_ERROR(
      WriteFileAtomically(fs, JoinPath(to, kMetaFileName), meta));
  return static_cast<int64_t>(want->size() + meta.size());
}

}  // namespace

Status DBImpl::BackupBlocks(const std::string& dir, BackupReport* report) {
  STRATA_RETURN_IF_ERROR(RemoveTmpBlockDirs(fs_, dir).status());
  std::vector<std::shared_ptr<const Block>> blocks;
  {
    MutexLock l(&blocks_mu_);
    blocks = blocks_;
  }
  for (const auto& b : blocks) {
    const std::string name = b->meta().ulid.ToString();
    const std::string target = JoinPath(dir, name);
    if (fs_->Exists(JoinPath(target, kMetaFileName))) {
      ++report->blocks_skipped;
      STRATA_ASSIGN_OR_RETURN(int64_t bytes,
                              RefreshTombstones(fs_, b->dir(), target));
      report->block_bytes += bytes;
      continue;
    }
    const std::string tmp = target + std::string(kTmpForCreationSuffix);
    STRATA_RETURN_IF_ERROR(
        CopyTreeSynced(fs_, b->dir(), tmp, &report->block_bytes)
            .WithContext("backup " + name));
    // The copy must read back intact before it becomes a block.
    {
      STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Block> copy,
                              Block::Open(fs_, tmp));
      STRATA_RETURN_IF_ERROR(
          copy->Verify().WithContext("verifying backup of " + name));
    }
    STRATA_RETURN_IF_ERROR(fs_->Rename(tmp, target));
    ++report->blocks_copied;
  }
  return fs_->SyncDir(dir);
}

StatusOr<DB::BackupReport> DBImpl::Backup(const std::string& dir,
                                          bool with_head) {
  if (closed_.load()) return Status::Unavailable("db is closed");
  MutexLock lock(&compact_mu_);
  STRATA_RETURN_IF_ERROR(fs_->CreateDirs(dir));
  BackupReport report;
  // Blocks first: once the WAL copy drops segments the source checkpointed
  // away, the blocks holding their samples are already in place.
  STRATA_RETURN_IF_ERROR(BackupBlocks(dir, &report));
  if (with_head) {
    WalMirrorReport wal;
    STRATA_RETURN_IF_ERROR(
        MirrorWal(fs_, JoinPath(dir_, kWalDir), JoinPath(dir, kWalDir), &wal)
            .WithContext("backup of the WAL"));
    report.wal_segment_bytes = wal.segment_bytes;
    report.wal_checkpoint_bytes = wal.checkpoint_bytes;
    report.wal_segments_copied = wal.segments_copied;
    report.wal_segments_removed = wal.segments_removed;
    WalMirrorReport wbl;
    STRATA_RETURN_IF_ERROR(
        MirrorWbl(fs_, dir_, dir, &wbl).WithContext("backup of the WBL"));
    report.wbl_segment_bytes = wbl.segment_bytes;
  }
  report.bytes_copied = report.block_bytes + report.wal_segment_bytes +
                        report.wal_checkpoint_bytes + report.wbl_segment_bytes;
  STRATA_RETURN_IF_ERROR(fs_->SyncDir(dir));
  STRATA_LOG(
      kInfo, "backup done",
      {{"dir", dir},
       {"blocks_copied", absl::StrCat(report.blocks_copied)},
       {"blocks_skipped", absl::StrCat(report.blocks_skipped)},
       {"block_bytes", absl::StrCat(report.block_bytes)},
       {"wal_segment_bytes", absl::StrCat(report.wal_segment_bytes)},
       {"wal_checkpoint_bytes", absl::StrCat(report.wal_checkpoint_bytes)},
       {"wal_segments_removed", absl::StrCat(report.wal_segments_removed)},
       {"wbl_segment_bytes", absl::StrCat(report.wbl_segment_bytes)}});
  return report;
}

}  // namespace strata
