#include "chunk/histogram_series.h"

#include <cstddef>
#include <utility>

namespace strata::chunk {

template <typename Chunk, typename Value>
HistogramAppendPlan PlanHistogramAppend(Chunk* open, bool time_cut, Value* h) {
  bool created = open == nullptr || time_cut;
  bool ok = false, counter_reset = false, gauge = false;
  HistogramAppendability counter;
  GaugeHistogramAppendability gauge_fit;
  // Appendability is judged against the chunk open before any time cut.
  switch (h->counter_reset_hint) {
    case CounterResetHint::kGauge:
      gauge = true;
      if (open != nullptr) {
        gauge_fit = open->AppendableGauge(*h);
        ok = gauge_fit.ok;
      }
      break;
    case CounterResetHint::kCounterReset:
      counter_reset = true;  // The sender says so.
      break;
    default:
      if (open != nullptr) {
        counter = open->Appendable(*h);
        ok = counter.ok;
        counter_reset = counter.counter_reset;
      }
  }

  if (!created) {
    if (!gauge_fit.positive_backward_inserts.empty() ||
        !gauge_fit.negative_backward_inserts.empty()) {
      WidenHistogram(h, gauge_fit.positive_backward_inserts,
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
      *open = open->Recode(p_inserts, n_inserts, h->positive_spans,
                           h->negative_spans);
    }
  }

  HistogramAppendPlan plan;
  plan.new_chunk = created;
  if (gauge) {
    plan.header = CounterResetHeader::kGauge;
  } else if (counter_reset) {
    plan.header = CounterResetHeader::kCounterReset;
  } else if (ok) {
    plan.header = CounterResetHeader::kNotCounterReset;
  }
  return plan;
}

template HistogramAppendPlan PlanHistogramAppend(HistogramChunk*, bool,
                                                 Histogram*);
template HistogramAppendPlan PlanHistogramAppend(FloatHistogramChunk*, bool,
                                                 FloatHistogram*);

template <typename Chunk, typename Value>
bool BasicHistogramSeriesAppender<Chunk, Value>::Append(int64_t t, Value h) {
  if (t <= last_t_) return false;
  Chunk* previous = chunks_.empty() ? nullptr : &chunks_.back();
  bool cut = false;
  if (previous != nullptr) {
    const ChunkTimes& open = times_.back();
    cut = max_samples_ > 0
              ? previous->NumSamples() >= max_samples_
              : ShouldCut(&cut_state_, previous->NumSamples(), open.min_time,
                          open.max_time, t, chunk_range_);
  }
  const HistogramAppendPlan plan = PlanHistogramAppend(previous, cut, &h);
  if (plan.new_chunk) {
    chunks_.emplace_back();
    chunks_.back().SetCounterResetHeader(plan.header);
    times_.push_back({t, t});
    if (max_samples_ == 0) OnChunkStarted(&cut_state_, t, chunk_range_);
  }
  chunks_.back().Append(t, h);
  times_.back().max_time = t;
  last_t_ = t;
  return true;
}

template <typename Chunk, typename Value>
void BasicHistogramSeriesAppender<Chunk, Value>::Take(
    size_t n, std::vector<ClosedHistogramChunk>* out) {
  for (size_t i = 0; i < n; ++i) {
    out->push_back({times_[i].min_time, times_[i].max_time,
                    chunks_[i].NumSamples(), std::string(chunks_[i].Bytes())});
  }
  chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<ptrdiff_t>(n));
  times_.erase(times_.begin(), times_.begin() + static_cast<ptrdiff_t>(n));
}

template <typename Chunk, typename Value>
void BasicHistogramSeriesAppender<Chunk, Value>::TakeCompleted(
    std::vector<ClosedHistogramChunk>* out) {
  if (!chunks_.empty()) Take(chunks_.size() - 1, out);
}

template <typename Chunk, typename Value>
void BasicHistogramSeriesAppender<Chunk, Value>::TakeAll(
    std::vector<ClosedHistogramChunk>* out) {
  Take(chunks_.size(), out);
  last_t_ = INT64_MIN;
}

template class BasicHistogramSeriesAppender<HistogramChunk, Histogram>;
template class BasicHistogramSeriesAppender<FloatHistogramChunk,
                                            FloatHistogram>;

}  // namespace strata::chunk
