// DBImpl's cold tier: which blocks get dense chunks (ChunkFormatFor), the
// compaction pass that rewrites blocks whose format no longer matches, and
// the one-block rewrite it shares with CleanTombstones. Ages are measured
// against the DB's newest sample (as retention), not the wall clock, so a
// backfilled or replayed data directory behaves the same at any time.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "db/db_impl.h"
#include "util/log.h"

namespace strata {

ChunkFormat DBImpl::ChunkFormatFor(int64_t block_max_time) {
  if (!options_.dense_chunks) return ChunkFormat::kXor;
  // Inclusive newest sample: the head's, or the newest block's last
  // possible one.
  const int64_t blocks_max = BlocksMaxTime();
  const int64_t newest = std::max(
      head_->MaxTime(), blocks_max == kMinTime ? kMinTime : blocks_max - 1);
  if (newest == kMinTime || newest < kMinTime + options_.dense_after_ms) {
    return ChunkFormat::kXor;
  }
  return block_max_time - 1 <= newest - options_.dense_after_ms
             ? ChunkFormat::kDense
             : ChunkFormat::kXor;
}

Status DBImpl::RewriteBlock(const std::shared_ptr<const Block>& b,
                            ChunkFormat format, const char* what) {
  BlockWriterOptions writer_options;
  writer_options.chunk_range_ms = options_.block_duration_ms;
  writer_options.chunk_format = format;
  BlockWriter writer(fs_, dir_, writer_options);
  // Same range, level and sources: the block minus its deleted data.
  BlockCompaction compaction = b->meta().compaction;
  compaction.parents = {
      BlockDesc{b->meta().ulid, b->meta().min_time, b->meta().max_time}};
  const BlockReader* sources[] = {b.get()};
  STRATA_ASSIGN_OR_RETURN(
      BlockMeta meta, WriteCompactedBlock(writer, sources, b->meta().min_time,
                                          b->meta().max_time, &compaction));
  std::vector<std::shared_ptr<const Block>> added;
  if (meta.stats.num_samples > 0) {
    STRATA_ASSIGN_OR_RETURN(
        std::shared_ptr<const Block> nb,
        Block::Open(fs_, JoinPath(dir_, meta.ulid.ToString())));
    added.push_back(std::move(nb));
  }
  ReplaceBlocks({b}, std::move(added));
  doomed_.push_back(b);
  const BlockWriteStats& stats = writer.last_stats();
  STRATA_LOG(kInfo, what,
             {{"block", b->Name()},
              {"new_block", meta.ulid.ToString()},
              {"dense_chunks", absl::StrCat(stats.chunks_dense)},
              {"chunks", absl::StrCat(meta.stats.num_chunks)}});
  return Status::OK();
}

Status DBImpl::RewriteColdBlocks() {
  std::vector<std::shared_ptr<const Block>> blocks;
  {
    MutexLock lock(&blocks_mu_);
    blocks = blocks_;
  }
  for (const auto& b : blocks) {
    const ChunkFormat want = ChunkFormatFor(b->meta().max_time);
    const bool dense = HasDenseChunks(b->meta());
    if (dense == (want == ChunkFormat::kDense)) continue;
    STRATA_RETURN_IF_ERROR(RewriteBlock(b, want,
                                        dense
                                            ? "block rewritten in XOR chunks"
                                            : "block rewritten in dense chunks")
                               .WithContext("cold tier rewrite"));
    break;  // One block per pass (blocks_ is oldest first).
  }
  blocks.clear();  // Our references would keep the old blocks alive.
  DeleteUnreferencedBlocks();
  return Status::OK();
}

}  // namespace strata
