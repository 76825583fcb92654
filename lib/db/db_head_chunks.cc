// DBImpl and the head-chunk files (Options::head_chunks_on_disk): opened
// and indexed before the WAL replay, which attaches each new series' chunks
// and skips the samples they hold. See lib/head/FORMAT.md.
#include <chrono>

#include "absl/strings/str_cat.h"
#include "db/db_impl.h"
#include "util/data_dir_files.h"
#include "util/log.h"

namespace strata {
namespace {

// Head chunk records are rarely smaller (a 120-sample XOR chunk is about
// 150 bytes plus 29 of framing): the index reserves one entry per this many
// bytes of the files.
constexpr int64_t kMinRecordBytes = 96;

// The bytes of the files in `dir` (0 if it does not exist or cannot be
// listed: only an estimate).
int64_t DirBytes(FileSystem* fs, const std::string& dir) {
  if (!fs->Exists(dir)) return 0;
  StatusOr<std::vector<std::string>> names = fs->ListDir(dir);
  if (!names.ok()) return 0;
  int64_t total = 0;
  for (const std::string& name : *names) {
    StatusOr<int64_t> size = fs->FileSize(JoinPath(dir, name));
    if (size.ok()) total += *size;
  }
  return total;
}

}  // namespace

Status DBImpl::OpenHeadChunkFiles() {
  const std::string dir = JoinPath(dir_, kChunksHeadDir);
  if (!options_.head_chunks_on_disk) {
    // Chunks of an earlier run with the option on are stale once this run
    // appends: remove them (the WAL holds their samples).
    if (fs_->Exists(dir)) STRATA_RETURN_IF_ERROR(fs_->RemoveAll(dir));
    return Status::OK();
  }
  const auto start = std::chrono::steady_clock::now();
  // What blocks hold is not taken into the head again.
  const int64_t min_valid = BlocksMaxTime();
  HeadChunkFiles::LoadStats stats;
  mapped_chunks_.Reserve(
      static_cast<size_t>(DirBytes(fs_, dir) / kMinRecordBytes));
  auto on_chunk = [&](uint64_t series_ref, const MappedChunk& c) {
    if (c.maxt < min_valid) return;
    mapped_chunks_.Add(series_ref, c);
  };
  STRATA_ASSIGN_OR_RETURN(chunk_files_,
                          HeadChunkFiles::Open(fs_, dir, on_chunk, &stats));
  mapped_chunks_.Build();
  report_.mapped_chunks_damage = stats.damage;
  STRATA_LOG(
      kInfo, "head chunk files loaded",
      {{"files", absl::StrCat(stats.files)},
       {"chunks", absl::StrCat(stats.chunks)},
       {"series", absl::StrCat(mapped_chunks_.num_series())},
       {"duration", absl::StrCat(std::chrono::duration<double>(
                                     std::chrono::steady_clock::now() - start)
                                     .count(),
                                 "s")}});
  return Status::OK();
}

Status DBImpl::CheckSnapshotChunkRef(uint64_t id,
                                     const SeriesChunkView& c) const {
  // Dropped right after the load (DropChunksBlocksHold), as the index
  // left it out.
  if (c.maxt < head_->MinValidTime()) return Status::OK();
  for (const MappedChunk& m : mapped_chunks_.AllOf(id)) {
    if (m.ref == c.disk_ref) {
      if (m.mint == c.mint && m.maxt == c.maxt && m.samples == c.samples &&
          m.encoding == c.encoding)
        return Status::OK();
      break;
    }
  }
  return Status::FailedPrecondition(
      absl::StrCat("chunk ", head_chunks::RefSeq(c.disk_ref), ":",
                   head_chunks::RefOffset(c.disk_ref), " of series ", id,
                   " is not intact in chunks_head (damaged or removed since)"));
}

void DBImpl::FinishHeadChunkLoad() {
  if (chunk_files_ == nullptr) return;
  head_->FinishMappedLoad();
  mapped_chunks_ = MappedChunkIndex();
}

}  // namespace strata
