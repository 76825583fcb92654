// Prometheus's humanize* template functions (template/template.go at
// v2.42), byte for byte: SI and binary prefixes with "%.4g", durations as
// "1d 2h 3m 4s", percentages, and timestamps as Go's time.Time prints.
//
// Thread-safety: pure functions.
#ifndef STRATA_TEMPLATE_HUMANIZE_H_
#define STRATA_TEMPLATE_HUMANIZE_H_

#include <string>

#include "strata/status.h"
#include "template/value.h"

namespace strata::tmpl {

// 1234567 -> "1.235M", 0.12 -> "120m".
std::string Humanize(double v);
// 1048576 -> "1Mi".
std::string Humanize1024(double v);
// 90061 -> "1d 1h 1m 1s", 0.1 -> "100ms".
std::string HumanizeDuration(double v);
// 0.1234567 -> "12.35%".
std::string HumanizePercentage(double v);
// Seconds since the epoch as a UTC time, truncated to milliseconds as
// Prometheus's model.Time is. InvalidArgument when v*1e9 overflows int64;
// NaN and Inf are not times (the caller prints them with "%.4g").
StatusOr<Time> FloatToTime(double v);
// humanizeTimestamp: "2015-06-23 13:19:44.128 +0000 UTC".
StatusOr<std::string> HumanizeTimestamp(double v);

}  // namespace strata::tmpl

#endif  // STRATA_TEMPLATE_HUMANIZE_H_
