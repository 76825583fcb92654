// DBImpl's shutdown snapshot: written by Close after the WAL, loaded by
// Init before the WAL replay (see head_snapshot_writer.h and
// head_snapshot_loader.h for the rules).
#include "absl/strings/str_cat.h"
#include "db/db_impl.h"
#include "db/head_snapshot_loader.h"
#include "db/head_snapshot_writer.h"
#include "db/replay_shards.h"
#include "util/data_dir_files.h"
#include "util/log.h"
#include "wal/segment.h"

namespace strata {

StatusOr<int> DBImpl::LoadHeadSnapshot() {
  if (!options_.snapshot_on_shutdown) {
    STRATA_RETURN_IF_ERROR(snapshot::RemoveSnapshotsExcept(fs_, dir_, ""));
    return -1;
  }
  snapshot::DiskChunkCheck check_ref;
  if (chunk_files_ != nullptr) {
    check_ref = [this](uint64_t id, const SeriesChunkView& c) {
      return CheckSnapshotChunkRef(id, c);
    };
  }
  STRATA_ASSIGN_OR_RETURN(snapshot::LoadResult loaded,
                          snapshot::LoadNewestSnapshot(
                              fs_, dir_, JoinPath(dir_, kWalDir), head_.get(),
                              ReplayShards::DefaultWorkers(), check_ref));
  report_.snapshot_discarded = loaded.discarded;
  if (!loaded.loaded) {
    if (loaded.head_dirty) ResetHead();
    return -1;
  }
  report_.from_snapshot = true;
  report_.snapshot_series = loaded.series;
  report_.snapshot_chunks = loaded.chunks;
  report_.snapshot_chunk_refs = loaded.chunk_refs;
  report_.snapshot_seconds = loaded.seconds;
  report_.series = loaded.series;
  report_.samples = loaded.samples;
  report_.seconds = loaded.seconds;
  STRATA_LOG(kInfo, "head snapshot loaded",
             {{"snapshot", loaded.name},
              {"series", absl::StrCat(loaded.series)},
              {"chunks", absl::StrCat(loaded.chunks)},
              {"chunk_refs", absl::StrCat(loaded.chunk_refs)},
              {"samples", absl::StrCat(loaded.samples)},
              {"duration", absl::StrCat(loaded.seconds, "s")}});
  return loaded.position.segment + 1;
}

void DBImpl::DropChunksBlocksHold() {
  if (!report_.from_snapshot || head_->MinValidTime() == kMinTime) return;
  head_->Truncate(head_->MinValidTime());
}

Status DBImpl::WriteHeadSnapshot(snapshot::DiskChunks disk_chunks) {
  const std::string wal_dir = JoinPath(dir_, kWalDir);
  snapshot::Header header;
  header.chunk_range_ms = options_.block_duration_ms;
  Status st = [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(wal::SegmentRange range,
                            wal::GetSegmentRange(fs_, wal_dir));
    if (range.last < 0) {
      return Status::FailedPrecondition("the WAL has no segment");
    }
    STRATA_ASSIGN_OR_RETURN(
        int64_t size,
        fs_->FileSize(JoinPath(wal_dir, wal::SegmentName(range.last))));
    header.position = {range.last, size};
    STRATA_ASSIGN_OR_RETURN(header.checkpoint,
                            snapshot::NewestCheckpointName(fs_, wal_dir));
    snapshot::WriteStats stats;
    STRATA_RETURN_IF_ERROR(snapshot::WriteSnapshot(fs_, dir_, *head_, header,
                                                   disk_chunks, &stats));
    STRATA_LOG(kInfo, "head snapshot written",
               {{"snapshot", snapshot::DirName(header.position)},
                {"series", absl::StrCat(stats.series)},
                {"chunks", absl::StrCat(stats.chunks)},
                {"chunk_refs", absl::StrCat(stats.chunk_refs)},
                {"bytes", absl::StrCat(stats.bytes)},
                {"duration", absl::StrCat(stats.seconds, "s")}});
    return Status::OK();
  }();
  if (!st.ok()) {
    STRATA_LOG(kError,
               "head snapshot not written; the next start replays the WAL",
               {{"err", st.ToString()}});
  }
  return st;
}

}  // namespace strata
