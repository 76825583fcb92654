// Parameter parsing for Prometheus's HTTP API (/api/v1/...), with the
// syntax and error texts of Prometheus 2.42's web/api/v1:
//   - times: float Unix seconds ("1435781451.781") or RFC 3339
//     ("2015-07-01T20:10:51.781Z"), plus the API's own min/max boundary
//     times, which fall outside RFC 3339's four-digit years;
//   - durations: float seconds ("15", "0.5") or Prometheus durations
//     ("5m", "1h30m");
//   - match[]: series selectors, each needing a matcher that does not match
//     the empty string.
// Errors are InvalidArgument with Prometheus's message, already wrapped as
// `invalid parameter "<name>": ...` where Prometheus wraps them.
//
// Thread-safety: pure functions.
#ifndef STRATA_SERVER_API_API_PARAMS_H_
#define STRATA_SERVER_API_API_PARAMS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "server/http/http.h"
#include "strata/labels.h"
#include "strata/status.h"

namespace strata::server {

// The API's defaults for an absent start/end: Go's minimum and maximum
// times that still format as RFC 3339, in milliseconds.
inline constexpr int64_t kApiMinTimeMs =
    (INT64_MIN / 1000 + 62135596801) * 1000;
inline constexpr int64_t kApiMaxTimeMs =
    (INT64_MAX / 1000 - 62135596801) * 1000 + 999;

// A timestamp in milliseconds. Fractions of a millisecond round to the
// nearest millisecond, as Prometheus does. Times outside
// [kApiMinTimeMs, kApiMaxTimeMs] (Prometheus's minTime and maxTime, the
// range whose milliseconds fit in int64) are refused with Prometheus's
// message for an unparsable time, `cannot parse "<text>" to a valid
// timestamp`: Prometheus itself accepts them and lets the milliseconds
// overflow, which no caller can want.
StatusOr<int64_t> ParseApiTime(std::string_view text);

// A duration in nanoseconds (Go's time.Duration).
StatusOr<int64_t> ParseApiDuration(std::string_view text);

// The request's time parameter `name`, or `default_ms` if absent or empty.
// Errors read `invalid parameter "<name>": Invalid time value for '<name>':
// ...`, as Prometheus's parseTimeParam words them.
StatusOr<int64_t> TimeParam(const Request& request, std::string_view name,
                            int64_t default_ms);

// The match[] parameters, each parsed as a series selector. Errors carry
// Prometheus's parser messages.
StatusOr<std::vector<std::vector<Matcher>>> MatchersParam(
    const Request& request);

// The `limit` parameter: 0 when absent (no limit); InvalidArgument if it is
// not a non-negative integer.
StatusOr<int64_t> LimitParam(const Request& request);

// Wraps `status`'s message as Prometheus's invalidParamError does.
Status InvalidParam(const Status& status, std::string_view name);

}  // namespace strata::server

#endif  // STRATA_SERVER_API_API_PARAMS_H_
