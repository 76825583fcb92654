// Text forms of samples: the OpenMetrics text exposition that `dump` and
// `export` write and `import openmetrics` reads (streamed line by line),
// and promtool's `tsdb dump` line format.
//
// Timestamps in OpenMetrics are seconds; they are written with exactly three
// decimals and parsed as decimal digits (not through a double), so every
// millisecond timestamp round-trips exactly. Values are written in the
// shortest form that parses back to the same double (Go's %g), so values
// round-trip exactly too, except that Prometheus's stale-marker NaN reads
// back as an ordinary NaN (text has one NaN).
//
// Thread-safety: the free functions are pure; an OpenMetricsReader is for
// one thread.
#ifndef STRATA_INSPECT_EXPOSITION_H_
#define STRATA_INSPECT_EXPOSITION_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "strata/labels.h"
#include "strata/status.h"

namespace strata::inspect {

// `{__name__="up", job="x"}`: Prometheus's labels.String(), as promtool
// tsdb dump prints series.
std::string PromtoolLabels(const Labels& labels);

// One line of promtool tsdb dump: `<labels> <value %g> <t ms>`.
std::string PromtoolDumpLine(const Labels& labels, int64_t t, double v);

// `up{job="x"}` (or `{a="b"}` without a metric name), values escaped as
// OpenMetrics requires (\\, \", \n).
std::string OpenMetricsSeries(const Labels& labels);
// "1600000000.123" (seconds, three decimals; negative times too).
std::string OpenMetricsTimestamp(int64_t t_ms);

// One sample read from the text.
struct TextSample {
  Labels labels;
  int64_t t = 0;
  double v = 0;
};

struct OpenMetricsReaderOptions {
  // Added to (or replacing same-named labels of) every series.
  std::vector<Label> extra_labels;
};

// Reads OpenMetrics text from a FILE*, one line at a time: `# HELP`,
// `# TYPE`, `# UNIT` and other comments are skipped, `# EOF` ends the
// input, sample lines are `name{labels} value timestamp [# exemplar]`.
// A sample without a timestamp is an error (backfill needs times), as in
// promtool tsdb create-blocks-from openmetrics.
class OpenMetricsReader {
 public:
  // `in` is not owned and must stay open while reading.
  OpenMetricsReader(std::FILE* in, OpenMetricsReaderOptions options);
  ~OpenMetricsReader();
  OpenMetricsReader(const OpenMetricsReader&) = delete;
  OpenMetricsReader& operator=(const OpenMetricsReader&) = delete;

  // Reads the next sample into *out. Returns false at the end or on an
  // error (see status()). Pass the same TextSample every time: when a line
  // has the same series text as the line before (same_series()), its labels
  // are not parsed again and out->labels is left as it is.
  bool Next(TextSample* out);
  const Status& status() const { return status_; }
  // True when the sample last returned has the same series text as the one
  // before it.
  bool same_series() const { return same_series_; }
  int64_t line_number() const { return line_no_; }
  int64_t bytes_read() const { return bytes_read_; }

 private:
  bool Fail(std::string_view what);
  Status ParseLine(std::string_view line, TextSample* out, bool* is_sample);

  std::FILE* const in_;
  const OpenMetricsReaderOptions options_;
  char* buf_ = nullptr;
  size_t cap_ = 0;
  int64_t line_no_ = 0;
  int64_t bytes_read_ = 0;
  bool done_ = false;
  bool same_series_ = false;
  std::string last_series_text_;
  Status status_;
};

// Parses an OpenMetrics timestamp (decimal seconds, optional sign,
// fraction and exponent) to milliseconds; exact for up to three decimals,
// rounded to the nearest millisecond beyond.
StatusOr<int64_t> ParseOpenMetricsTimestamp(std::string_view text);
// Parses a sample value: Go float syntax plus NaN, +Inf, -Inf, Inf.
StatusOr<double> ParseSampleValue(std::string_view text);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_EXPOSITION_H_
