// Times in UTC as Go prints them: the one formatter for every RFC 3339 time
// Strata writes (API JSON, Alertmanager's wire format, strata-tsdb output).
//
// Thread-safety: pure functions.
#ifndef STRATA_UTIL_TIME_FORMAT_H_
#define STRATA_UTIL_TIME_FORMAT_H_

#include <cstdint>
#include <string>

namespace strata {

// "2006-01-02T15:04:05.000Z" for `ms` since the epoch: always three
// decimals (go-openapi's strfmt.DateTime, which Alertmanager's API v2
// takes; promtool's times).
std::string FormatRfc3339Millis(int64_t ms);

// Go's time.RFC3339Nano in UTC: the fraction without trailing zeros and
// without a dot when it is zero ("2006-01-02T15:04:05.5Z",
// "2006-01-02T15:04:05Z"), as encoding/json writes a time.Time.
std::string FormatRfc3339Nano(int64_t ms);

}  // namespace strata

#endif  // STRATA_UTIL_TIME_FORMAT_H_
