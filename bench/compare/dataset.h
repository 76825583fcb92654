// The seed of the workload: real scrape data, one RecordedSeries per label
// set, with its values in time order and whether it is a counter.
//
// Two sources:
//  - LoadRecorded: a recorded dataset, OpenMetrics text as written by
//    `promtool tsdb dump` (../shared/datasets/recorded-15s/data.om.zst,
//    zstd-compressed) plus the recording Prometheus's /api/v1/metadata
//    answer for metric types.
//  - ScrapeLive: when no recording is present, the Debian
//    prometheus-node-exporter and prometheus are started and their /metrics
//    scraped a few times (scrape.h).
#ifndef STRATA_BENCH_COMPARE_DATASET_H_
#define STRATA_BENCH_COMPARE_DATASET_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::bench {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

struct RecordedSeries {
  LabelPairs labels;  // Including __name__; any order.
  // Recorded values in time order, staleness markers removed. Never empty.
  std::vector<double> values;
  // Milliseconds each recorded sample lay off the series' exact 15 s grid
  // (scrape jitter), same length as `values`.
  std::vector<int32_t> jitter_ms;
  // Offset of the series' scrapes within the 15 s interval, in ms.
  int32_t phase_ms = 0;
  bool counter = false;  // Counters only grow; gauges wander.
};

struct Dataset {
  std::string source;  // What it was built from, for the report.
  std::vector<RecordedSeries> series;
  int64_t recorded_samples = 0;
};

// Loads `om_zst` (OpenMetrics text, zstd) and types from `metadata_json`
// (may be missing: then names ending in _total/_count/_sum/_bucket are
// counters). Returns false with `error` set when the data can't be read.
bool LoadRecorded(const std::string& om_zst, const std::string& metadata_json,
                  Dataset* out, std::string* error);

// Parses one sample line of Prometheus/OpenMetrics text:
// `name{a="b",...} value [timestamp]`. `ts_ms` is -1 without a timestamp.
// Returns false for lines it cannot parse.
bool ParseSampleLine(std::string_view line, LabelPairs* labels, double* value,
                     int64_t* ts_ms);

// Metric family name -> type ("counter", "gauge", "histogram", "summary",
// "unknown", ...).
using TypeMap = std::map<std::string, std::string>;

// True when a series of metric `name` only grows: counters, and the
// _bucket/_count/_sum series of histograms and summaries. Families missing
// from `types` (or "unknown") fall back to the name's suffix.
bool IsCounterSeries(const std::string& name, const TypeMap& types);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_DATASET_H_
