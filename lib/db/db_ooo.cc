// DBImpl's out-of-order part: the WBL's replay at open, the window's
// setter, the out-of-order readers of queriers, and the compaction of the
// out-of-order head into blocks (Prometheus 2.42's compactOOOHead).
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "compact/planner.h"
#include "db/db_impl.h"
#include "util/data_dir_files.h"
#include "util/log.h"

namespace strata {

Status DBImpl::ReplayWbl() {
  const std::string dir = JoinPath(dir_, kWblDir);
  const auto start = std::chrono::steady_clock::now();
  WblReplayCounts counts;
  wal::ReplayResult result;
  STRATA_RETURN_IF_ERROR(
      strata::ReplayWbl(fs_, dir, head_.get(), &counts, &result)
          .WithContext("replaying the WBL"));
  wbl_ = std::make_unique<WriteBehindLog>(
      dir, fs_, wal::WalOptions::FromOptions(options_));
  if (counts.records == 0) return Status::OK();
  report_.ooo_samples = counts.samples;
  report_.samples_rejected += counts.unknown_series;
  if (!result.corruption.ok()) {
    STRATA_LOG(kError, "WBL replay found corruption; kept every intact record",
               {{"err", result.corruption.ToString()}});
  }
  STRATA_LOG(
      kInfo, "WBL replay completed",
      {{"samples", absl::StrCat(counts.samples)},
       {"unknown_series", absl::StrCat(counts.unknown_series)},
       {"duration", absl::StrCat(std::chrono::duration<double>(
                                     std::chrono::steady_clock::now() - start)
                                     .count(),
                                 "s")}});
  return Status::OK();
}

Status DBImpl::SetOutOfOrderTimeWindow(int64_t ms) {
  if (closed_.load()) return Status::Unavailable("db is closed");
  const int64_t to = std::max<int64_t>(ms, 0);
  const int64_t from = head_->OutOfOrderTimeWindow();
  if (from == to) return Status::OK();
  head_->SetOutOfOrderTimeWindow(to);
  STRATA_LOG(
      kInfo, "out-of-order time window changed",
      {{"from", absl::StrCat(from, "ms")}, {"to", absl::StrCat(to, "ms")}});
  return Status::OK();
}

void DBImpl::AppendOooReaders(
    std::vector<std::shared_ptr<const BlockReader>>* out) {
  // Shares the head's ownership: the reader may outlive the DB.
  out->push_back(std::shared_ptr<const BlockReader>(head_, &head_->ooo()));
  MutexLock lock(&blocks_mu_);
  if (ooo_compacting_ != nullptr) out->push_back(ooo_compacting_);
}

Status DBImpl::CompactOutOfOrderHead() {
  if (closed_.load()) return Status::Unavailable("db is closed");
  MutexLock lock(&compact_mu_);
  return CompactOooHead();
}

Status DBImpl::CompactOooHead() {
  OooHead& ooo = head_->ooo();
  std::shared_ptr<OooCompactionHead> taken;
  int cut = -1;
  {
    // No commit is between its WBL write and its inserts: what is taken
    // is exactly what the segments before `cut` hold.
    MutexLock commit(&ooo.commit_mutex());
    STRATA_ASSIGN_OR_RETURN(cut, wbl_->Cut());
    taken = std::make_shared<OooCompactionHead>(ooo.TakeAll());
    MutexLock lock(&blocks_mu_);
    if (!taken->empty()) ooo_compacting_ = taken;
  }
  if (taken->empty()) return wbl_->RemoveBefore(cut);
  const auto start = std::chrono::steady_clock::now();
  const int64_t range = options_.block_duration_ms;
  BlockWriterOptions writer_options;
  writer_options.chunk_range_ms = range;
  BlockWriter writer(fs_, dir_, writer_options);
  BlockCompaction compaction;
  compaction.hints = {kHintFromOutOfOrder};
  std::vector<std::shared_ptr<const Block>> blocks;
  Status st;
  const BlockReader* sources[] = {taken.get()};
  for (int64_t t = AlignDown(taken->MinTime(), range);
       st.ok() && t <= taken->MaxTime(); t += range) {
    StatusOr<BlockMeta> meta =
        WriteCompactedBlock(writer, sources, t, t + range, &compaction);
    if (!meta.ok()) {
      st = meta.status();
      break;
    }
    if (meta->stats.num_samples == 0) continue;
    StatusOr<std::shared_ptr<const Block>> block =
        Block::Open(fs_, JoinPath(dir_, meta->ulid.ToString()));
    if (!block.ok()) {
      st = block.status();
      break;
    }
    blocks.push_back(*std::move(block));
  }
  {
    MutexLock lock(&stats_mu_);
    ++counters_.ooo_compactions;
    if (!st.ok()) ++counters_.ooo_compaction_failures;
  }
  if (!st.ok()) {
    // The WBL still holds every sample: put them back, drop the blocks.
    ooo.Restore(taken->series(), options_.out_of_order_cap_max);
    {
      MutexLock lock(&blocks_mu_);
      ooo_compacting_.reset();
    }
    for (const auto& b : blocks) (void)fs_->RemoveAll(b->dir());
    return st.WithContext("compacting the out-of-order head");
  }
  std::vector<std::string> names;
  for (const auto& b : blocks) names.push_back(b->Name());
  ReplaceBlocks({}, std::move(blocks));
  {
    MutexLock lock(&blocks_mu_);
    ooo_compacting_.reset();
  }
  STRATA_LOG(
      kInfo, "out-of-order compaction completed",
      {{"ulids", absl::StrJoin(names, ",")},
       {"duration", absl::StrCat(std::chrono::duration<double>(
                                     std::chrono::steady_clock::now() - start)
                                     .count(),
                                 "s")}});
  return wbl_->RemoveBefore(cut);
}

}  // namespace strata
