// The series description syntax of Prometheus's PromQL test language (and
// of promtool's rule unit tests): `metric{label="value"} 1 2+3x4 _ stale`.
//
// Thread-safety: pure functions.
#ifndef STRATA_PROMQL_SERIES_DESC_H_
#define STRATA_PROMQL_SERIES_DESC_H_

#include <string_view>
#include <vector>

#include "strata/labels.h"
#include "strata/status.h"

namespace strata::promql {

struct SequenceValue {
  double value = 0;
  bool omitted = false;  // `_`: no sample at this step.
};

struct SeriesDesc {
  Labels labels;  // Includes __name__ when a metric name was given.
  std::vector<SequenceValue> values;
};

// Expands `a+bxn` to the n+1 values a, a+b, ..., `a-bxn` likewise downwards,
// `axn` to n+1 copies of a, `_xn` to n omitted values; `stale` is the
// staleness marker. Errors are InvalidArgument parse errors.
StatusOr<SeriesDesc> ParseSeriesDesc(std::string_view input);

}  // namespace strata::promql

#endif  // STRATA_PROMQL_SERIES_DESC_H_
