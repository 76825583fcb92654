// BlockBuilder: turns a stream of samples, in any series order, into
// persisted blocks (backfill), as promtool tsdb create-blocks-from does.
//
// Samples are buffered in one in-memory head per block range (aligned to
// `block_range_ms`, 2h by default); a head is written out as a block with
// BlockWriter when the buffered samples pass `max_buffered_samples`, when a
// sample arrives out of order for its series in that head, and at Finish().
// A range written out early gets another block later: blocks may overlap,
// which the DB's compaction merges and its queriers de-duplicate.
//
// Each block's meta.json range is the range of the samples it holds (as
// promtool writes them), at compaction level 1.
//
// Thread-safety: one thread.
#ifndef STRATA_INSPECT_BLOCK_BUILDER_H_
#define STRATA_INSPECT_BLOCK_BUILDER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "head/head.h"
#include "strata/labels.h"
#include "strata/querier.h"
#include "strata/status.h"
#include "util/file_system.h"

namespace strata::inspect {

struct BlockBuilderOptions {
  int64_t block_range_ms = 2 * 3600 * 1000;
  // Buffered samples over all ranges before every head is written out.
  int64_t max_buffered_samples = 20'000'000;
};

// A block BlockBuilder wrote.
struct BuiltBlock {
  std::string ulid;
  int64_t min_time = 0;
  int64_t max_time = 0;  // Exclusive.
  uint64_t num_series = 0;
  uint64_t num_samples = 0;
};

struct BlockBuilderStats {
  int64_t samples = 0;     // Accepted.
  int64_t duplicates = 0;  // Same timestamp and value again: ignored.
  int64_t conflicts = 0;   // Same timestamp, another value: dropped.
  int64_t blocks = 0;      // Written.
  int64_t flushes_for_order = 0;
  std::vector<BuiltBlock> written;
};

class BlockBuilder {
 public:
  // Blocks go into `out_dir` (created if missing).
  BlockBuilder(std::string out_dir, const BlockBuilderOptions& options = {});
  ~BlockBuilder();

  // `labels` must be valid (Labels::FromPairs). `same_series` may be true
  // when the labels equal the previous call's, to skip the lookup.
  Status Add(const Labels& labels, int64_t t, double v,
             bool same_series = false);
  // Adds every sample of `series`.
  Status AddSeries(const Series& series);
  // Writes every buffered range.
  Status Finish();

  const BlockBuilderStats& stats() const { return stats_; }

 private:
  struct Range {
    std::shared_ptr<Head> head;
    int64_t samples = 0;
  };
  Range* RangeFor(int64_t start);
  Status FlushRange(int64_t start);
  Status FlushAll();

  FileSystem* const fs_;
  const std::string out_dir_;
  const BlockBuilderOptions options_;
  std::map<int64_t, Range> ranges_;
  int64_t buffered_ = 0;
  // The previous sample's series in its range's head, for same_series.
  int64_t last_range_ = 0;
  MemSeries* last_series_ = nullptr;
  BlockBuilderStats stats_;
};

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_BLOCK_BUILDER_H_
