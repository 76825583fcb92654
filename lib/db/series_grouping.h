// SeriesGrouper: reorders a window of replayed samples so that the
// samples of a few hundred series with neighbouring ids are adjacent,
// keeping their order within a series.
//
// Why: a WAL holds scrape rounds, so consecutive samples belong to
// different series, and appending them in that order costs a cache miss
// on the series and on its open chunk for every sample (at 1M series the
// working set is far beyond the caches). Grouped, the series of one group
// stay in cache while its samples are appended, so a window holding k
// samples per series pays those misses about once per k samples. Only the
// order across series changes, which the head does not observe: each
// series still sees its samples in WAL order.
//
// One pass of a counting sort on the id's high bits (a full sort by id
// costs more than it saves): groups of at least kSeriesPerGroup ids, at
// most kMaxGroups groups, so that the scatter writes few enough streams to
// stay in cache.
//
// Thread-safety: none; a SeriesGrouper belongs to one thread.
#ifndef STRATA_DB_SERIES_GROUPING_H_
#define STRATA_DB_SERIES_GROUPING_H_

#include <cstdint>
#include <vector>

#include "head/head.h"

namespace strata {

class SeriesGrouper {
 public:
  // Sorts `samples` stably by their group, ids[i] >> s for some s (ids[i]
  // is samples[i]'s series id; the two have the same size). The scratch
  // buffer is kept for the next window.
  void Group(std::vector<HeadSample>* samples,
             const std::vector<uint32_t>& ids);

 private:
  static constexpr uint32_t kSeriesPerGroup = 256;
  static constexpr size_t kMaxGroups = 1024;

  std::vector<HeadSample> scratch_;
};

}  // namespace strata

#endif  // STRATA_DB_SERIES_GROUPING_H_
