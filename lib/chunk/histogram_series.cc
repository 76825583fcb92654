#include "chunk/histogram_series.h"

#include <utility>

namespace strata::chunk {

template <typename Chunk, typename Value>
bool BasicHistogramSeriesAppender<Chunk, Value>::Append(int64_t t, Value h) {
  // Appendability is judged against the chunk open before any time cut.
  Chunk* previous = chunks_.empty() ? nullptr : &chunks_.back();
  if (previous != nullptr && t <= open_.max_time) return false;

  bool created = previous == nullptr;
  if (!created && ShouldCut(&cut_state_, previous->NumSamples(), open_.min_time,
                            open_.max_time, t, chunk_range_)) {
    created = true;
  }

  bool ok = false, counter_reset = false, gauge = false;
  HistogramAppendability counter;
  GaugeHistogramAppendability gauge_fit;
  switch (h.counter_reset_hint) {
    case CounterResetHint::kGauge:
      gauge = true;
      if (previous != nullptr) {
        gauge_fit = previous->AppendableGauge(h);
        ok = gauge_fit.ok;
      }
      break;
    case CounterResetHint::kCounterReset:
      counter_reset = true;  // The sender says so.
      break;
    default:
      if (previous != nullptr) {
        counter = previous->Appendable(h);
        ok = counter.ok;
        counter_reset = counter.counter_reset;
      }
  }

  if (!created) {
    if (!gauge_fit.positive_backward_inserts.empty() ||
        !gauge_fit.negative_backward_inserts.empty()) {
      WidenHistogram(&h, gauge_fit.positive_backward_inserts,
                     gauge_fit.negative_backward_inserts,
                     gauge_fit.positive_spans, gauge_fit.negative_spans);
    }
    const auto& p_inserts =
        gauge ? gauge_fit.positive_inserts : counter.positive_inserts;
    const auto& n_inserts =
        gauge ? gauge_fit.negative_inserts : counter.negative_inserts;
    if (!ok || counter_reset) {
      created = true;
    } else if (!p_inserts.empty() || !n_inserts.empty()) {
      *previous = previous->Recode(p_inserts, n_inserts, h.positive_spans,
                                   h.negative_spans);
    }
  }

  if (created) {
    chunks_.emplace_back();
    CounterResetHeader header = CounterResetHeader::kUnknown;
    if (gauge) {
      header = CounterResetHeader::kGauge;
    } else if (counter_reset) {
      header = CounterResetHeader::kCounterReset;
    } else if (ok) {
      header = CounterResetHeader::kNotCounterReset;
    }
    chunks_.back().SetCounterResetHeader(header);
    open_.min_time = t;
    OnChunkStarted(&cut_state_, t, chunk_range_);
  }
  chunks_.back().Append(t, h);
  open_.max_time = t;
  return true;
}

template class BasicHistogramSeriesAppender<HistogramChunk, Histogram>;
template class BasicHistogramSeriesAppender<FloatHistogramChunk,
                                            FloatHistogram>;

}  // namespace strata::chunk
