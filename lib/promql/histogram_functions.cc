#include "promql/histogram_functions.h"

#include <algorithm>

#include "promql/histogram_math.h"

namespace strata::promql::internal {
namespace {

// Calls `value(h)` for each histogram sample and outputs its result with
// the metric name dropped.
template <typename Value>
Status EachHistogram(InstantCall& c, const StepVector& in, Value value) {
  for (const StepSample& s : in) {
    if (s.h == nullptr) continue;
    c.out->push_back({c.state.pool.DropMetricName(s.metric), value(*s.h), -1});
  }
  return Status::OK();
}

}  // namespace

Status FnHistogramCount(InstantCall& c) {
  return EachHistogram(c, c.args[0],
                       [](const FloatHistogram& h) { return h.count; });
}

Status FnHistogramSum(InstantCall& c) {
  return EachHistogram(c, c.args[0],
                       [](const FloatHistogram& h) { return h.sum; });
}

Status FnHistogramFraction(InstantCall& c) {
  const double lower = c.Scalar(0), upper = c.Scalar(1);
  return EachHistogram(c, c.args[2], [&](const FloatHistogram& h) {
    return HistogramFraction(lower, upper, h);
  });
}

std::optional<FloatHistogram> HistogramRate(
    std::span<const FloatHistogram* const> histograms, bool is_counter) {
  const FloatHistogram* prev = histograms.front();
  const FloatHistogram* last = histograms.back();
  if (last == nullptr) return std::nullopt;
  int32_t min_schema = std::min(prev->schema, last->schema);
  for (const FloatHistogram* p : histograms.subspan(1, histograms.size() - 2)) {
    if (p == nullptr) return std::nullopt;
    if (!is_counter) continue;
    min_schema = std::min(min_schema, p->schema);
  }
  FloatHistogram h = HistogramCopyToSchema(*last, min_schema);
  HistogramSub(&h, *prev);
  if (is_counter) {
    for (const FloatHistogram* p : histograms.subspan(1)) {
      if (HistogramDetectReset(*p, *prev)) HistogramAdd(&h, *prev);
      prev = p;
    }
  }
  HistogramCompact(&h);
  return h;
}

}  // namespace strata::promql::internal
