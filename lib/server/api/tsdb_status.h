// The figures behind /api/v1/status/tsdb and /api/v1/status/blocks.
//
// CardinalityCounts counts a set of series as Prometheus 2.42 counts the
// head's postings for /api/v1/status/tsdb (index.MemPostings.Stats):
// series by metric name, distinct values by label name, label value bytes
// by label name (each value's length times its series), series by label
// pair; `__name__` counts as a label like any other.
//
// Thread-safety: CardinalityCounts is not thread-safe; the functions are
// pure.
#ifndef STRATA_SERVER_API_TSDB_STATUS_H_
#define STRATA_SERVER_API_TSDB_STATUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "strata/db.h"
#include "strata/labels.h"

namespace strata::server {

class CardinalityCounts {
 public:
  // Counts one series; the caller adds each series once.
  void Add(const Labels& labels);

  int64_t num_series() const { return num_series_; }
  // Distinct label name=value pairs (Prometheus's numLabelPairs).
  int64_t num_label_pairs() const {
    return static_cast<int64_t>(series_by_pair_.size());
  }
  int64_t num_metric_names() const {
    return static_cast<int64_t>(series_by_metric_.size());
  }
  // Label value bytes of all series together.
  int64_t label_value_bytes() const { return label_value_bytes_; }

  // Appends the four lists as JSON members, in Prometheus's order and
  // shape ("seriesCountByMetricName":[{"name":..,"value":..},..],..), each
  // its `top_n` largest entries, largest first, ties by name.
  void AppendTopLists(int64_t top_n, std::string* out) const;

 private:
  using CountMap = absl::flat_hash_map<std::string, uint64_t>;
  int64_t num_series_ = 0;
  int64_t label_value_bytes_ = 0;
  CountMap series_by_metric_;
  CountMap series_by_pair_;
  CountMap values_by_name_;
  CountMap value_bytes_by_name_;
};

// /api/v1/status/blocks's data: one object per block, shaped like its
// meta.json (ulid, minTime, maxTime, stats, compaction.level/sources) plus
// sizeBytes.
std::string BlocksJson(const std::vector<BlockInfo>& blocks);

}  // namespace strata::server

#endif  // STRATA_SERVER_API_TSDB_STATUS_H_
