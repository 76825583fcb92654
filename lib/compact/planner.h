// The compaction planner: decides which persisted blocks to merge, as
// Prometheus's leveled compactor does. Pure functions over block metas; the
// executor (DBImpl) writes the merged block with BlockWriter.
//
// Ranges grow by a factor of 3 from the block duration: 2h, 6h, 18h, 54h,
// ... capped at 10 % of time retention or 31 days.
#ifndef STRATA_COMPACT_PLANNER_H_
#define STRATA_COMPACT_PLANNER_H_

#include <cstdint>
#include <vector>

#include "block/block_meta.h"

namespace strata {

// Start of the width-`range` aligned range holding t (floor division, so
// negative times align downwards too).
int64_t AlignDown(int64_t t, int64_t range);

// Prometheus's ExponentialBlockRanges(min, steps, 3), limited by `max`.
std::vector<int64_t> CompactionRanges(int64_t block_duration_ms,
                                      int64_t retention_ms);

// Indices (into `metas`) of the blocks to merge next, or empty when
// nothing is due. Overlapping blocks come first; then, for each range
// above the smallest, a group of adjacent blocks that fills a whole
// aligned range (or lies before the newest block's range). The block with
// the newest min time is left alone, so a fresh block is never rewritten
// at once (Prometheus does the same to give backups a window).
std::vector<size_t> PlanCompaction(const std::vector<BlockMeta>& metas,
                                   const std::vector<int64_t>& ranges);

}  // namespace strata

#endif  // STRATA_COMPACT_PLANNER_H_
