// Prometheus's duration syntax (github.com/prometheus/common/model):
//   [<n>y][<n>w][<n>d][<n>h][<n>m][<n>s][<n>ms]
// with units in exactly that order, each at most once, and non-negative
// integer counts. A year is 365d, a week 7d, a day 24h. "0" alone means zero.
// Examples: 15d, 2h30m, 1y, 500ms, 1w2d.
//
// Thread-safety: pure functions.
#ifndef STRATA_UTIL_DURATION_H_
#define STRATA_UTIL_DURATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata {

// Returns the duration in milliseconds. InvalidArgument for an empty string,
// bad syntax, or a total that does not fit in int64 nanoseconds (the range
// of Go's time.Duration, about 292 years), as Prometheus rejects those.
StatusOr<int64_t> ParseDuration(std::string_view text);

// The form Prometheus prints: largest units first, zero units omitted, years
// and weeks only when they divide the duration exactly ("15d", "2w", "1y",
// "366d", "2h30m"), "0s" for zero. Precondition: ms >= 0.
std::string FormatDuration(int64_t ms);

// Go's time.Duration.String() of `ns` nanoseconds: "0s", "42ns", "1.5µs",
// "1.717929ms", "1.5s", "1m0s", "2h30m0.25s", "-1m1s" (what promtool's
// messages and Prometheus's logs print).
std::string FormatGoDuration(int64_t ns);

}  // namespace strata

#endif  // STRATA_UTIL_DURATION_H_
