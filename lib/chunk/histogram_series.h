// HistogramSeriesAppender and FloatHistogramSeriesAppender: the chunks of
// one series of native histograms (integer or float; a series mixing both
// is not modelled) as Prometheus 2.42's head makes them
// (memSeries.appendHistogram and appendFloatHistogram in
// tsdb/head_append.go): where a chunk is cut, when the open chunk is
// recoded to a wider bucket layout, and which counter-reset header each
// chunk gets.
//
// For each histogram, in this order:
//   1. The time-based cut of float chunks (cut_policy.h) starts a new
//      chunk.
//   2. The open chunk is asked whether the histogram fits: AppendableGauge
//      for a gauge hint, nothing for an explicit counter-reset hint (always
//      a new chunk), Appendable otherwise.
//   3. Without a cut in step 1: a gauge's missing buckets are added to the
//      histogram; a histogram that does not fit (or a counter reset) starts
//      a new chunk; one with new buckets recodes the open chunk first.
//   4. A new chunk's header: kGauge for gauges, kCounterReset after a
//      reset, kNotCounterReset if the histogram fitted the previous chunk
//      (a time cut), else kUnknown (the series' first chunk, or a layout
//      change).
//
// Thread-safety: none; one series, one writer.
#ifndef STRATA_CHUNK_HISTOGRAM_SERIES_H_
#define STRATA_CHUNK_HISTOGRAM_SERIES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "chunk/cut_policy.h"
#include "chunk/float_histogram_chunk.h"
#include "chunk/histogram.h"
#include "chunk/histogram_chunk.h"

namespace strata::chunk {

// Steps 2-4 above for one histogram, once for every user of the rules (the
// appender below and the head's MemSeries).
struct HistogramAppendPlan {
  bool new_chunk = false;  // Start a chunk with `header` before appending.
  CounterResetHeader header = CounterResetHeader::kUnknown;
};
// `open`: the series' open chunk of this kind, null if there is none (the
// first sample, or the open chunk has another encoding: Prometheus then has
// no appender to ask). `time_cut`: step 1 already decided a new chunk.
// Without a new chunk, *open may be recoded; a gauge's *h may be widened.
template <typename Chunk, typename Value>
HistogramAppendPlan PlanHistogramAppend(Chunk* open, bool time_cut, Value* h);
extern template HistogramAppendPlan PlanHistogramAppend(HistogramChunk*, bool,
                                                        Histogram*);
extern template HistogramAppendPlan PlanHistogramAppend(FloatHistogramChunk*,
                                                        bool, FloatHistogram*);

// A chunk handed out by BasicHistogramSeriesAppender::Take*: its bytes
// (without the encoding byte), first and last timestamp, sample count.
struct ClosedHistogramChunk {
  int64_t mint = 0;
  int64_t maxt = 0;
  int num_samples = 0;
  std::string data;
};

// Chunk: HistogramChunk or FloatHistogramChunk; Value: what it stores.
//
// Two cut rules for step 1: the head's time-based cut (the constructor),
// or, for histograms re-encoded from stored samples (compaction, clipped
// or merged chunks, remote read), a cut when the open chunk holds
// `max_samples` (WithMaxSamples; Prometheus's seriesToChunkEncoder cuts at
// 120). Steps 2-4 are the same for both (PlanHistogramAppend).
template <typename Chunk, typename Value>
class BasicHistogramSeriesAppender {
 public:
  // `chunk_range`: the head's chunk range (the block duration, 2h by
  // default), for the time-based cut.
  explicit BasicHistogramSeriesAppender(int64_t chunk_range)
      : chunk_range_(chunk_range) {}
  // Cuts a chunk at `max_samples` samples instead of by time.
  static BasicHistogramSeriesAppender WithMaxSamples(int max_samples) {
    BasicHistogramSeriesAppender a(0);
    a.max_samples_ = max_samples;
    return a;
  }

  static constexpr Encoding encoding() { return Chunk::encoding(); }

  // Appends `h` at `t`. Returns false, appending nothing, for a sample at
  // or before the last one (Prometheus: out of order).
  bool Append(int64_t t, Value h);

  // The chunks so far (not yet taken), oldest first; the last one is open.
  const std::vector<Chunk>& chunks() const { return chunks_; }

  // Moves the chunks before the open one to the end of *out.
  void TakeCompleted(std::vector<ClosedHistogramChunk>* out);
  // Moves every chunk to the end of *out; the appender starts over (the
  // next Append starts a chunk as a series' first, at any time).
  void TakeAll(std::vector<ClosedHistogramChunk>* out);

 private:
  struct ChunkTimes {
    int64_t min_time = 0;
    int64_t max_time = 0;
  };
  void Take(size_t n, std::vector<ClosedHistogramChunk>* out);

  const int64_t chunk_range_;
  int max_samples_ = 0;  // > 0: the sample-count cut instead of time.
  std::vector<Chunk> chunks_;
  std::vector<ChunkTimes> times_;  // One per chunk in chunks_.
  int64_t last_t_ = INT64_MIN;     // Of the last sample appended.
  ChunkCutState cut_state_;
};

using HistogramSeriesAppender =
    BasicHistogramSeriesAppender<HistogramChunk, Histogram>;
using FloatHistogramSeriesAppender =
    BasicHistogramSeriesAppender<FloatHistogramChunk, FloatHistogram>;
extern template class BasicHistogramSeriesAppender<HistogramChunk, Histogram>;
extern template class BasicHistogramSeriesAppender<FloatHistogramChunk,
                                                   FloatHistogram>;

}  // namespace strata::chunk

#endif  // STRATA_CHUNK_HISTOGRAM_SERIES_H_
