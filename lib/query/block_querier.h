// A Querier over any number of BlockReaders (the head and persisted
// blocks). Series are merged by labels across blocks; samples present in
// several blocks are de-duplicated by timestamp.
//
// The querier holds a reference to every block it reads, so a block being
// queried is never released under it.
//
// Damaged data (a chunk or a block's index series entry failing its CRC)
// is skipped, not fatal: see query/damage_recorder.h. Warnings() lists it.
//
// Thread-safety: one thread at a time per querier (see strata/querier.h).
#ifndef STRATA_QUERY_BLOCK_QUERIER_H_
#define STRATA_QUERY_BLOCK_QUERIER_H_

#include <memory>
#include <vector>

#include "index/reader.h"
#include "query/damage_recorder.h"
#include "strata/querier.h"

namespace strata {

class BlockQuerier : public Querier {
 public:
  // Blocks not overlapping [mint, maxt] are ignored. `listener` (may be
  // null) hears of every damaged chunk or series entry skipped.
  BlockQuerier(std::vector<std::shared_ptr<const BlockReader>> blocks,
               int64_t mint, int64_t maxt,
               std::shared_ptr<DamageListener> listener = nullptr);

  std::unique_ptr<SeriesSet> Select(const std::vector<Matcher>& matchers,
                                    const SelectHints& hints) override;
  StatusOr<std::vector<std::string>> LabelNames(
      const std::vector<Matcher>& matchers) override;
  StatusOr<std::vector<std::string>> LabelValues(
      const std::string& name, const std::vector<Matcher>& matchers) override;
  std::vector<std::string> Warnings() const override;

 private:
  // The labels of series `id` of `block`, or false when its index entry is
  // gone (head GC) or damaged (recorded); other errors in `status`.
  bool ReadSeries(const BlockReader& block, SeriesId id, Labels* labels,
                  std::vector<ChunkMeta>* chunks, Status* status);

  std::vector<std::shared_ptr<const BlockReader>> blocks_;
  // Shared with the series sets, which may outlive the querier.
  std::shared_ptr<DamageRecorder> damage_;
};

// A SeriesSet that only reports an error.
std::unique_ptr<SeriesSet> ErrorSeriesSet(Status status);

}  // namespace strata

#endif  // STRATA_QUERY_BLOCK_QUERIER_H_
