// Head::AppendHistogramBatch (head.h): committed native histogram samples.
#include "head/head.h"

namespace strata {

AppendBatchResult Head::AppendHistogramBatch(
    std::span<const HeadHistogramSample> samples) {
  BatchTally tally;
  for (const HeadHistogramSample& s : samples) {
    bool new_chunk = false;
    const AppendOutcome outcome =
        s.series->AppendHistogram(s.t, s.h, s.fh, options_.chunk_range_ms,
                                  chunk_files_.get(), &new_chunk);
    tally.Count(outcome, s.t, new_chunk);
  }
  return FinishBatch(tally);
}

}  // namespace strata
