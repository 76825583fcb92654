// Head::AppendHistogramBatch (head.h): committed native histogram samples.
#include <algorithm>

#include "head/head.h"

namespace strata {

AppendBatchResult Head::AppendHistogramBatch(
    std::span<const HeadHistogramSample> samples) {
  AppendBatchResult result;
  int64_t chunks_created = 0;
  int64_t min_t = kMaxTime;
  int64_t max_t = kMinTime;
  for (const HeadHistogramSample& s : samples) {
    bool new_chunk = false;
    switch (s.series->AppendHistogram(s.t, s.h, s.fh, options_.chunk_range_ms,
                                      chunk_files_.get(), &new_chunk)) {
      case AppendOutcome::kAppended:
        ++result.appended;
        min_t = std::min(min_t, s.t);
        max_t = std::max(max_t, s.t);
        break;
      case AppendOutcome::kDuplicate:
        ++result.duplicates;
        break;
      case AppendOutcome::kOutOfOrder:
        ++result.out_of_order;
        break;
      case AppendOutcome::kConflict:
        ++result.conflicts;
        break;
    }
    chunks_created += new_chunk ? 1 : 0;
  }
  if (result.appended > 0) {
    UpdateTimeRange(min_t, max_t);
    counters_.samples_appended.fetch_add(result.appended,
                                         std::memory_order_relaxed);
  }
  if (chunks_created > 0) {
    counters_.chunks_created.fetch_add(chunks_created,
                                       std::memory_order_relaxed);
    if (chunk_files_ != nullptr) (void)chunk_files_->Flush();
  }
  return result;
}

}  // namespace strata
