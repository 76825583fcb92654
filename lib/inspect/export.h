// Reading series out of a data directory (a DataDir: its blocks and the
// head rebuilt from the WAL): as dump/OpenMetrics text through a
// SampleWriter, as new Prometheus 2.x blocks, or only counted.
//
// Thread-safety: one call per thread; the DataDir is only read.
#ifndef STRATA_INSPECT_EXPORT_H_
#define STRATA_INSPECT_EXPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "inspect/data_dir.h"
#include "inspect/sample_writer.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata::inspect {

// The union of several selectors' series (each selector's matchers all
// apply), samples in [min_time, max_time].
struct SeriesSelection {
  std::vector<std::vector<Matcher>> selectors;
  int64_t min_time = kMinTime;
  int64_t max_time = kMaxTime;
};

// The matchers of every series with a metric name (`{__name__=~".+"}`).
std::vector<Matcher> EveryNamedSeries();

struct ExportReport {
  int64_t series = 0;
  int64_t samples = 0;
  int64_t blocks = 0;  // Written; only by ExportBlocks.
};

// Writes every selected series, in label order, to `out` and finishes it.
StatusOr<ExportReport> WriteSamples(const DataDir& dir,
                                    const SeriesSelection& selection,
                                    SampleWriter* out);

// Writes every selected series as new blocks into `out_dir` (created if
// missing), `block_range_ms` wide and aligned. InvalidArgument if `out_dir`
// is a file.
StatusOr<ExportReport> ExportBlocks(const DataDir& dir,
                                    const SeriesSelection& selection,
                                    const std::string& out_dir,
                                    int64_t block_range_ms);

struct SelectionCount {
  int64_t series = 0;
  int64_t samples = 0;
  // The first series (label sets as text), up to the limit asked for.
  std::vector<std::string> first_series;
};

// Counts the selected series and their samples, naming up to
// `max_named_series` of them.
StatusOr<SelectionCount> CountSelected(const DataDir& dir,
                                       const SeriesSelection& selection,
                                       size_t max_named_series);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_EXPORT_H_
