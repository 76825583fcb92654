// A Querier over any number of BlockReaders (the head and persisted
// blocks). Series are merged by labels across blocks; samples present in
// several blocks are de-duplicated by timestamp.
//
// The querier holds a reference to every block it reads, so a block being
// queried is never released under it.
//
// Thread-safety: one thread at a time per querier (see strata/querier.h).
#ifndef STRATA_QUERY_BLOCK_QUERIER_H_
#define STRATA_QUERY_BLOCK_QUERIER_H_

#include <memory>
#include <vector>

#include "index/reader.h"
#include "strata/querier.h"

namespace strata {

class BlockQuerier : public Querier {
 public:
  // Blocks not overlapping [mint, maxt] are ignored.
  BlockQuerier(std::vector<std::shared_ptr<const BlockReader>> blocks,
               int64_t mint, int64_t maxt);

  std::unique_ptr<SeriesSet> Select(const std::vector<Matcher>& matchers,
                                    const SelectHints& hints) override;
  StatusOr<std::vector<std::string>> LabelNames(
      const std::vector<Matcher>& matchers) override;
  StatusOr<std::vector<std::string>> LabelValues(
      const std::string& name, const std::vector<Matcher>& matchers) override;

 private:
  std::vector<std::shared_ptr<const BlockReader>> blocks_;
};

// A SeriesSet that only reports an error.
std::unique_ptr<SeriesSet> ErrorSeriesSet(Status status);

}  // namespace strata

#endif  // STRATA_QUERY_BLOCK_QUERIER_H_
