// DBImpl's persisted-block half: loading blocks, writing the head to
// blocks, leveled compaction and retention. Plan, then execute: the
// planner (compact/planner.h) picks blocks, BlockWriter writes the result.
#include <algorithm>
#include <chrono>
#include <set>

#include "absl/strings/str_cat.h"
#include "block/block_dir.h"
#include "block/block_salvage.h"
#include "block/block_writer.h"
#include "compact/planner.h"
#include "db/db_impl.h"
#include "db/head_snapshot_writer.h"
#include "util/data_dir_files.h"
#include "util/log.h"
#include "wal/checkpoint.h"

namespace strata {
namespace {

std::string UlidText(const Ulid& u) { return u.ToString(); }

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// Bytes of all files under `path`.
int64_t DirBytes(FileSystem* fs, const std::string& path) {
  StatusOr<std::vector<std::string>> names = fs->ListDir(path);
  if (!names.ok()) return 0;
  int64_t total = 0;
  for (const std::string& n : *names) {
    const std::string p = JoinPath(path, n);
    if (fs->IsDirectory(p)) {
      total += DirBytes(fs, p);
    } else if (StatusOr<int64_t> size = fs->FileSize(p); size.ok()) {
      total += *size;
    }
  }
  return total;
}

}  // namespace

Status DBImpl::LoadBlocks() {
  STRATA_ASSIGN_OR_RETURN(int removed, RemoveTmpBlockDirs(fs_, dir_));
  if (removed > 0) {
    STRATA_LOG(kInfo, "removed unfinished block directories",
               {{"count", absl::StrCat(removed)}});
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names,
                          ListBlockDirs(fs_, dir_));
  std::vector<std::shared_ptr<const Block>> opened;
  for (const std::string& name : names) {
    StatusOr<std::shared_ptr<const Block>> b =
        Block::Open(fs_, JoinPath(dir_, name));
    if (!b.ok()) {
      // Never deleted: the operator decides (strata-tsdb verify/repair).
      ++corrupt_blocks_;
      STRATA_LOG(kError, "block failed to open; not served, left on disk",
                 {{"block", name}, {"err", b.status().ToString()}});
      continue;
    }
    opened.push_back(std::move(b).value());
  }
  // A crash after a compaction wrote its block but before the parents
  // were deleted leaves both: the parents are redundant.
  std::set<std::string> parents;
  for (const auto& b : opened) {
    for (const BlockDesc& p : b->meta().compaction.parents)
      parents.insert(UlidText(p.ulid));
  }
  std::set<std::string> salvaged_parents;
  for (const auto& b : opened) {
    if (!IsSalvagedBlock(b->meta())) continue;
    for (const BlockDesc& p : b->meta().compaction.parents)
      salvaged_parents.insert(UlidText(p.ulid));
  }
  std::vector<std::shared_ptr<const Block>> live;
  for (auto& b : opened) {
    if (salvaged_parents.count(UlidText(b->meta().ulid))) {
      QuarantineSalvagedParent(*b);
      continue;
    }
    if (parents.count(UlidText(b->meta().ulid))) {
      STRATA_LOG(kInfo, "deleting block already compacted into another",
                 {{"block", b->Name()}});
      const std::string dir = b->dir();
      b.reset();
      Status st = fs_->RemoveAll(dir);
      if (!st.ok())
        STRATA_LOG(kWarn, "deleting block", {{"err", st.ToString()}});
      continue;
    }
    live.push_back(std::move(b));
  }
  std::sort(live.begin(), live.end(), [](const auto& a, const auto& b) {
    return a->MinTime() < b->MinTime();
  });
  MutexLock lock(&blocks_mu_);
  blocks_ = std::move(live);
  return Status::OK();
}

void DBImpl::QuarantineSalvagedParent(const Block& parent) {
  StatusOr<std::string> moved = QuarantineBlockDir(fs_, dir_, parent.Name());
  if (!moved.ok()) {
    // Served no more either way: the salvaged block has its intact data.
    STRATA_LOG(kError, "moving a salvaged block's damaged parent aside",
               {{"block", parent.Name()}, {"err", moved.status().ToString()}});
    return;
  }
  STRATA_LOG(kWarn, "damaged block moved to quarantine (rebuilt before)",
             {{"block", parent.Name()}, {"quarantine", *moved}});
}

int64_t DBImpl::BlocksMaxTime() {
  MutexLock lock(&blocks_mu_);
  int64_t max_t = kMinTime;
  // As Prometheus's inOrderBlocksMaxTime: blocks of out-of-order samples
  // alone do not bound the head.
  for (const auto& b : blocks_) {
    if (!b->meta().compaction.FromOutOfOrder()) {
      max_t = std::max(max_t, b->meta().max_time);
    }
  }
  return max_t;
}

std::vector<BlockInfo> DBImpl::Blocks() const {
  std::vector<std::shared_ptr<const Block>> blocks;
  {
    MutexLock lock(&blocks_mu_);
    blocks = blocks_;
  }
  std::vector<BlockInfo> out;
  out.reserve(blocks.size());
  for (const auto& b : blocks) {
    const BlockMeta& meta = b->meta();
    BlockInfo info;
    info.ulid = meta.ulid.ToString();
    info.min_time = meta.min_time;
    info.max_time = meta.max_time;
    info.num_series = static_cast<int64_t>(meta.stats.num_series);
    info.num_samples = static_cast<int64_t>(meta.stats.num_samples);
    info.num_chunks = static_cast<int64_t>(meta.stats.num_chunks);
    info.num_tombstones = static_cast<int64_t>(meta.stats.num_tombstones);
    info.level = meta.compaction.level;
    for (const Ulid& source : meta.compaction.sources) {
      info.sources.push_back(source.ToString());
    }
    info.size_bytes = b->Size();
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<std::shared_ptr<const BlockReader>> DBImpl::ReadersFor(
    int64_t mint, int64_t maxt) {
  std::vector<std::shared_ptr<const BlockReader>> out;
  {
    MutexLock lock(&blocks_mu_);
    for (const auto& b : blocks_) {
      if (b->MinTime() <= maxt && mint <= b->MaxTime()) out.push_back(b);
    }
  }
  out.push_back(head_);
  AppendOooReaders(&out);
  return out;
}

void DBImpl::ReplaceBlocks(
    const std::vector<std::shared_ptr<const Block>>& removed,
    std::vector<std::shared_ptr<const Block>> added) {
  MutexLock lock(&blocks_mu_);
  std::erase_if(blocks_, [&](const std::shared_ptr<const Block>& b) {
    return std::find(removed.begin(), removed.end(), b) != removed.end();
  });
  for (auto& b : added) blocks_.push_back(std::move(b));
  std::sort(blocks_.begin(), blocks_.end(), [](const auto& a, const auto& b) {
    return a->MinTime() < b->MinTime();
  });
}

void DBImpl::DeleteUnreferencedBlocks() {
  for (auto it = doomed_.begin(); it != doomed_.end();) {
    // Only doomed_ holds it: no querier can reach it any more.
    if (it->use_count() > 1) {
      ++it;
      continue;
    }
    const std::string dir = (*it)->dir();
    it->reset();
    Status st = fs_->RemoveAll(dir);
    if (!st.ok()) {
      STRATA_LOG(kWarn, "deleting block directory",
                 {{"dir", dir}, {"err", st.ToString()}});
    }
    it = doomed_.erase(it);
  }
  Status st = fs_->SyncDir(dir_);
  (void)st;
}

Status DBImpl::PersistHead() {
  const int64_t range = options_.block_duration_ms;
  BlockWriterOptions writer_options;
  writer_options.chunk_range_ms = range;
  BlockWriter writer(fs_, dir_, writer_options);
  // As Prometheus: the WAL is checkpointed once, after the last block, not
  // after each one; a head far ahead of its last block (a compactor that
  // fell behind) would otherwise rewrite the whole head into a checkpoint
  // per block, quadratic in the backlog.
  int64_t persisted_until = kMinTime;
  Status st;
  while (true) {
    StatusOr<int64_t> maxt = PersistOldestHeadBlock(writer);
    if (!maxt.ok()) st = maxt.status();
    if (!maxt.ok() || *maxt == kMinTime) break;
    persisted_until = *maxt;
  }
  if (persisted_until != kMinTime) CheckpointWal(persisted_until);
  return st;
}

StatusOr<int64_t> DBImpl::PersistOldestHeadBlock(BlockWriter& writer) {
  const int64_t range = options_.block_duration_ms;
  const int64_t head_min = head_->MinTime();
  const int64_t head_max = head_->MaxTime();
  if (head_min == kMaxTime || head_max == kMinTime) return kMinTime;
  // As Prometheus: persist once the head spans 1.5 block ranges.
  if (head_max - head_min <= range / 2 * 3) return kMinTime;
  const int64_t mint = AlignDown(head_min, range);
  const int64_t maxt = mint + range;
  const BlockReader* sources[] = {head_.get()};
  const auto start = std::chrono::steady_clock::now();
  StatusOr<BlockMeta> meta =
      WriteCompactedBlock(writer, sources, mint, maxt, nullptr);
  if (!meta.ok()) return meta.status().WithContext("persisting head block");
  if (meta->stats.num_samples > 0) {
    const std::string block_dir = JoinPath(dir_, meta->ulid.ToString());
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Block> block,
                            Block::Open(fs_, block_dir));
    ReplaceBlocks({}, {block});
    STRATA_LOG(kInfo, "write block",
               {{"mint", absl::StrCat(mint)},
                {"maxt", absl::StrCat(maxt)},
                {"ulid", block->Name()},
                {"samples", absl::StrCat(meta->stats.num_samples)},
                {"duration", absl::StrCat(SecondsSince(start), "s")}});
  }
  // The block (or nothing) now covers [mint, maxt): drop it from the head.
  head_->SetMinValidTime(maxt);
  Head::TruncateStats ts = head_->Truncate(maxt);
  STRATA_LOG(kInfo, "head truncated",
             {{"mint", absl::StrCat(maxt)},
              {"series_removed", absl::StrCat(ts.series_removed)},
              {"chunks_removed", absl::StrCat(ts.chunks_removed)}});
  return maxt;
}

void DBImpl::CheckpointWal(int64_t mint) {
  wal::CheckpointStats cs;
  StatusOr<int> next = wal_->NextSegment();
  Status st = next.status();
  if (next.ok()) {
    st = wal::Checkpoint(
        fs_, JoinPath(dir_, kWalDir), *next - 1,
        [this](uint64_t ref) {
          return ref <= UINT32_MAX &&
                 head_->GetById(static_cast<SeriesId>(ref)) != nullptr;
        },
        mint, wal::WalOptions::FromOptions(options_), &cs);
  }
  {
    MutexLock lock(&stats_mu_);
    // A failure before the checkpoint could start counts as a failed one.
    if (cs.attempted || !st.ok()) ++counters_.wal_checkpoints;
    if (!cs.created && !st.ok()) ++counters_.wal_checkpoint_failures;
    if (cs.created) ++counters_.wal_truncations;
    if (cs.created && !cs.truncated) ++counters_.wal_truncation_failures;
  }
  if (!st.ok()) {
    // The WAL still has everything; retry at the next compaction.
    STRATA_LOG(kWarn, "WAL checkpoint failed", {{"err", st.ToString()}});
    return;
  }
  if (cs.created) {
    // A shutdown snapshot from before the checkpoint is stale now (the
    // loader would refuse it): free its space at once.
    Status rm = snapshot::RemoveSnapshotsExcept(fs_, dir_, "");
    if (!rm.ok()) {
      STRATA_LOG(kWarn, "removing stale head snapshot",
                 {{"err", rm.ToString()}});
    }
  }
  if (cs.attempted) {
    STRATA_LOG(kInfo, "WAL checkpoint complete",
               {{"mint", absl::StrCat(mint)},
                {"segments_removed", absl::StrCat(cs.segments_removed)}});
  }
}

StatusOr<BlockMeta> DBImpl::WriteCompactedBlock(
    BlockWriter& writer, std::span<const BlockReader* const> sources,
    int64_t mint, int64_t maxt, const BlockCompaction* compaction) {
  const auto start = std::chrono::steady_clock::now();
  StatusOr<BlockMeta> meta = writer.Write(sources, mint, maxt, compaction);
  const double seconds = SecondsSince(start);
  MutexLock lock(&stats_mu_);
  // As Prometheus's compactor: every run counts, failed ones too.
  ++counters_.compactions;
  if (!meta.ok()) ++counters_.compaction_failures;
  const auto bucket = std::lower_bound(kCompactionBuckets.begin(),
                                       kCompactionBuckets.end(), seconds);
  ++counters_.compaction_buckets[bucket - kCompactionBuckets.begin()];
  counters_.compaction_seconds += seconds;
  return meta;
}

Status DBImpl::CompactBlocks() {
  const std::vector<int64_t> ranges =
      CompactionRanges(options_.block_duration_ms, options_.retention_ms);
  while (true) {
    std::vector<std::shared_ptr<const Block>> blocks;
    {
      MutexLock lock(&blocks_mu_);
      blocks = blocks_;
    }
    std::vector<BlockMeta> metas;
    for (const auto& b : blocks) metas.push_back(b->meta());
    std::vector<size_t> plan = PlanCompaction(metas, ranges);
    if (plan.empty()) return Status::OK();
    std::vector<std::shared_ptr<const Block>> parents;
    std::vector<const BlockReader*> sources;
    std::vector<BlockMeta> parent_metas;
    int64_t mint = kMaxTime, maxt = kMinTime;
    for (size_t i : plan) {
      parents.push_back(blocks[i]);
      sources.push_back(blocks[i].get());
      parent_metas.push_back(blocks[i]->meta());
      mint = std::min(mint, blocks[i]->meta().min_time);
      maxt = std::max(maxt, blocks[i]->meta().max_time);
    }
    const BlockCompaction compaction = CompactionFromParents(parent_metas);
    BlockWriterOptions writer_options;
    writer_options.chunk_range_ms = options_.block_duration_ms;
    writer_options.chunk_format = ChunkFormatFor(maxt);
    BlockWriter writer(fs_, dir_, writer_options);
    const auto start = std::chrono::steady_clock::now();
    StatusOr<BlockMeta> meta =
        WriteCompactedBlock(writer, sources, mint, maxt, &compaction);
    if (!meta.ok()) return meta.status().WithContext("compaction");
    std::vector<std::shared_ptr<const Block>> added;
    if (meta->stats.num_samples > 0) {
      STRATA_ASSIGN_OR_RETURN(
          std::shared_ptr<const Block> block,
          Block::Open(fs_, JoinPath(dir_, meta->ulid.ToString())));
      added.push_back(std::move(block));
    }
    ReplaceBlocks(parents, std::move(added));
    for (auto& p : parents) doomed_.push_back(std::move(p));
    parents.clear();
    sources.clear();
    blocks.clear();  // Our references would keep the parents alive.
    STRATA_LOG(kInfo, "compact blocks",
               {{"count", absl::StrCat(plan.size())},
                {"mint", absl::StrCat(mint)},
                {"maxt", absl::StrCat(maxt)},
                {"ulid", meta->ulid.ToString()},
                {"duration", absl::StrCat(SecondsSince(start), "s")}});
    DeleteUnreferencedBlocks();
  }
}

Status DBImpl::ApplyRetention() {
  std::vector<std::shared_ptr<const Block>> blocks;
  {
    MutexLock lock(&blocks_mu_);
    blocks = blocks_;
  }
  if (blocks.empty()) return Status::OK();
  std::vector<std::shared_ptr<const Block>> drop;
  // Time: relative to the newest block, as Prometheus.
  if (options_.retention_ms > 0) {
    int64_t newest = kMinTime;
    for (const auto& b : blocks) newest = std::max(newest, b->meta().max_time);
    for (const auto& b : blocks) {
      if (newest - b->meta().max_time > options_.retention_ms)
        drop.push_back(b);
    }
  }
  const size_t dropped_for_time = drop.size();
  // Size: blocks plus the WAL, dropping the oldest blocks first.
  if (options_.retention_bytes > 0) {
    int64_t total = DirBytes(fs_, JoinPath(dir_, kWalDir));
    for (const auto& b : blocks) total += b->Size();
    for (const auto& b : blocks) {  // Oldest first.
      if (total <= options_.retention_bytes) break;
      if (std::find(drop.begin(), drop.end(), b) == drop.end())
        drop.push_back(b);
      total -= b->Size();
    }
  }
  if (drop.empty()) return Status::OK();
  for (size_t i = 0; i < drop.size(); ++i) {
    const auto& b = drop[i];
    const bool for_time = i < dropped_for_time;
    STRATA_LOG(kInfo, "deleting block beyond retention",
               {{"block", b->Name()},
                {"reason", for_time ? "time" : "size"},
                {"maxt", absl::StrCat(b->meta().max_time)},
                {"bytes", absl::StrCat(b->Size())}});
    MutexLock lock(&stats_mu_);
    ++(for_time ? counters_.retention_time_blocks
                : counters_.retention_size_blocks);
    (for_time ? counters_.retention_time_bytes
              : counters_.retention_size_bytes) += b->Size();
  }
  ReplaceBlocks(drop, {});
  for (auto& b : drop) doomed_.push_back(std::move(b));
  drop.clear();
  blocks.clear();  // Our references would keep the dropped blocks alive.
  DeleteUnreferencedBlocks();
  return Status::OK();
}

Status DBImpl::Compact() {
  if (closed_.load()) return Status::Unavailable("db is closed");
  MutexLock lock(&compact_mu_);
  const int64_t persisted_before = head_->MinValidTime();
  STRATA_RETURN_IF_ERROR(PersistHead());
  // As Prometheus: the out-of-order head is compacted once the head was.
  if (head_->MinValidTime() != persisted_before) {
    STRATA_RETURN_IF_ERROR(CompactOooHead());
  }
  STRATA_RETURN_IF_ERROR(CompactBlocks());
  STRATA_RETURN_IF_ERROR(ApplyRetention());
  STRATA_RETURN_IF_ERROR(RewriteColdBlocks());
  DeleteUnreferencedBlocks();
  return Status::OK();
}

void DBImpl::BackgroundLoop() {
  while (true) {
    {
      MutexLock lock(&bg_mu_);
      const absl::Time deadline =
          absl::Now() + absl::Milliseconds(options_.compaction_interval_ms);
      while (!bg_stop_ && absl::Now() < deadline) {
        bg_cv_.WaitWithDeadline(&bg_mu_, deadline);
      }
      if (bg_stop_) return;
    }
    Status st = Compact();
    if (!st.ok()) {
      STRATA_LOG(kError, "compaction failed", {{"err", st.ToString()}});
    }
  }
}

}  // namespace strata
