#include "inspect/list.h"

#include <memory>

namespace strata::inspect {
namespace {

BlockListing ListBlock(const BlockEntry& e) {
  BlockListing b;
  b.ulid = e.name;
  if (!e.block) {
    b.open_error = e.open_error;
    return b;
  }
  const BlockMeta& m = e.block->meta();
  b.min_time = m.min_time;
  b.max_time = m.max_time;
  b.num_samples = m.stats.num_samples;
  b.num_chunks = m.stats.num_chunks;
  b.num_series = m.stats.num_series;
  b.num_tombstones = m.stats.num_tombstones;
  b.size_bytes = e.block->Size();
  b.level = m.compaction.level;
  return b;
}

}  // namespace

StatusOr<DataDirListing> ListDataDir(const std::string& data_dir) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<DataDir> d, DataDir::Open(data_dir));
  DataDirListing out;
  for (const BlockEntry& e : d->blocks()) out.blocks.push_back(ListBlock(e));
  out.head.wal = d->wal();
  out.head.wal_error = d->wal_error();
  const Head* head = d->head().get();
  if (head != nullptr) {
    out.head.num_series = static_cast<int64_t>(head->NumSeries());
    out.head.has_data =
        head->NumSeries() > 0 && head->MinTime() <= head->MaxTime();
    if (out.head.has_data) {
      out.head.min_time = head->MinTime();
      out.head.max_time = head->MaxTime();
    }
  }
  return out;
}

}  // namespace strata::inspect
