#include "util/time_format.h"

#include "absl/time/time.h"

namespace strata {

std::string FormatRfc3339Millis(int64_t ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(ms),
                          absl::UTCTimeZone());
}

std::string FormatRfc3339Nano(int64_t ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", absl::FromUnixMillis(ms),
                          absl::UTCTimeZone());
}

}  // namespace strata
