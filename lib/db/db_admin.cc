// DBImpl's administrative operations: snapshots (and their restore, which
// is opening the snapshot as a data dir), deletion and tombstone cleanup.
// Backups: db_backup.cc.
#include "absl/strings/str_cat.h"
#include "block/block_dir.h"
#include "block/block_meta.h"
#include "block/block_writer.h"
#include "block/tombstones.h"
#include "db/db_impl.h"
#include "index/postings_for_matchers.h"
#include "util/copy_tree.h"
#include "util/log.h"
#include "wal/record.h"

namespace strata {
Status DBImpl::Snapshot(const std::string& dir, bool with_head) {
  if (closed_.load()) return Status::Unavailable("db is closed");
  // Holding compact_mu_ keeps every listed block's files in place while
  // they are linked; appends go on meanwhile.
  MutexLock lock(&compact_mu_);
  STRATA_RETURN_IF_ERROR(fs_->CreateDirs(dir));
  std::vector<std::shared_ptr<const Block>> blocks;
  {
    MutexLock l(&blocks_mu_);
    blocks = blocks_;
  }
  for (const auto& b : blocks) {
    const std::string name = b->meta().ulid.ToString();
    const std::string tmp =
        JoinPath(dir, name + std::string(kTmpForCreationSuffix));
    STRATA_RETURN_IF_ERROR(
        LinkTreeSynced(fs_, b->dir(), tmp).WithContext("snapshot " + name));
    STRATA_RETURN_IF_ERROR(fs_->Rename(tmp, JoinPath(dir, name)));
  }
  if (with_head) {
    const int64_t mint = head_->MinTime();
    const int64_t maxt = head_->MaxTime();
    if (mint != kMaxTime && maxt != kMinTime) {
      BlockWriterOptions writer_options;
      writer_options.chunk_range_ms = options_.block_duration_ms;
      BlockWriter writer(fs_, dir, writer_options);
      const BlockReader* sources[] = {head_.get()};
      STRATA_RETURN_IF_ERROR(writer.Write(sources, mint, maxt + 1)
                                 .status()
                                 .WithContext("snapshot head"));
    }
  }
  STRATA_LOG(kInfo, "snapshot created",
             {{"dir", dir},
              {"blocks", absl::StrCat(blocks.size())},
              {"with_head", with_head ? "true" : "false"}});
  return fs_->SyncDir(dir);
}

}  // namespace strata

namespace strata {

Status DBImpl::DeleteSeries(const std::vector<Matcher>& matchers, int64_t mint,
                            int64_t maxt) {
  if (closed_.load()) return Status::Unavailable("db is closed");
  if (matchers.empty()) return Status::InvalidArgument("no matchers");
  if (mint > maxt) return Status::InvalidArgument("mint > maxt");
  MutexLock lock(&compact_mu_);
  const Interval iv{mint, maxt};
  // Head: logged to the WAL first, so the deletion survives a crash.
  STRATA_ASSIGN_OR_RETURN(Postings head_ids,
                          PostingsForMatchers(head_->Index(), matchers));
  if (!head_ids.isEmpty() && head_->MinTime() <= maxt &&
      mint <= head_->MaxTime()) {
    std::vector<wal::Stone> stones;
    for (SeriesId id : head_ids) stones.push_back({id, {{mint, maxt}}});
    std::string record;
    wal::EncodeTombstones(stones, &record);
    STRATA_RETURN_IF_ERROR(wal_->Log(record).WithContext("logging tombstones"));
    for (SeriesId id : head_ids) head_->AddTombstone(id, iv);
  }
  // Blocks: the tombstones file is replaced atomically.
  std::vector<std::shared_ptr<const Block>> blocks;
  {
    MutexLock l(&blocks_mu_);
    blocks = blocks_;
  }
  for (const auto& b : blocks) {
    if (b->MaxTime() < mint || b->MinTime() > maxt) continue;
    STRATA_ASSIGN_OR_RETURN(Postings ids,
                            PostingsForMatchers(b->Index(), matchers));
    if (ids.isEmpty()) continue;
    for (SeriesId id : ids) b->mutable_tombstones()->Add(id, iv);
    STRATA_RETURN_IF_ERROR(
        WriteTombstonesFile(fs_, b->dir(), *b->mutable_tombstones())
            .WithContext("block " + b->Name()));
    // meta.json counts the tombstones too (as Prometheus's Block.Delete
    // rewrites it); a stale count fails Block::Verify of a copy.
    BlockMeta meta = b->meta();
    meta.stats.num_tombstones = b->mutable_tombstones()->Total();
    STRATA_RETURN_IF_ERROR(WriteBlockMeta(fs_, b->dir(), meta)
                               .status()
                               .WithContext("block " + b->Name()));
  }
  STRATA_LOG(kInfo, "series deleted",
             {{"matchers", absl::StrCat(matchers.size())},
              {"mint", absl::StrCat(mint)},
              {"maxt", absl::StrCat(maxt)}});
  return Status::OK();
}

Status DBImpl::CleanTombstones() {
  if (closed_.load()) return Status::Unavailable("db is closed");
  MutexLock lock(&compact_mu_);
  std::vector<std::shared_ptr<const Block>> blocks;
  {
    MutexLock l(&blocks_mu_);
    blocks = blocks_;
  }
  for (const auto& b : blocks) {
    if (b->Tombstones().Empty()) continue;
    STRATA_RETURN_IF_ERROR(RewriteBlock(
        b, HasDenseChunks(b->meta()) ? ChunkFormat::kDense : ChunkFormat::kXor,
        "tombstones cleaned"));
  }
  blocks.clear();  // Our references would keep the old blocks alive.
  DeleteUnreferencedBlocks();
  return Status::OK();
}

}  // namespace strata
