// OooCompactionHead: the out-of-order samples taken from the OooHead for
// compaction (Prometheus 2.42's OOOCompactionHead), as a BlockReader that
// the block writer persists one block range at a time. Queriers read it
// too until the blocks written from it are served.
//
// Thread-safety: immutable after construction; safe for concurrent readers.
#ifndef STRATA_HEAD_OOO_COMPACTION_HEAD_H_
#define STRATA_HEAD_OOO_COMPACTION_HEAD_H_

#include <memory>
#include <string>
#include <vector>

#include "head/ooo_head.h"

namespace strata {

class OooCompactionHead : public BlockReader {
 public:
  // `series` sorted by labels (as OooHead::TakeAll returns them); series
  // i gets id i.
  explicit OooCompactionHead(std::vector<OooTakenSeries> series);
  ~OooCompactionHead() override;

  const std::vector<OooTakenSeries>& series() const { return series_; }
  bool empty() const { return series_.empty(); }

  int64_t MinTime() const override { return min_time_; }
  int64_t MaxTime() const override { return max_time_; }
  const IndexReader& Index() const override;
  const ChunkReader& Chunks() const override;
  const TombstoneReader& Tombstones() const override;
  std::string Name() const override { return "ooo-compaction-head"; }

 private:
  class Reader;

  const std::vector<OooTakenSeries> series_;
  int64_t min_time_ = kMaxTime;
  int64_t max_time_ = kMinTime;
  std::unique_ptr<Reader> reader_;
};

}  // namespace strata

#endif  // STRATA_HEAD_OOO_COMPACTION_HEAD_H_
