#include "server/api/api_params.h"

#include <charconv>
#include <cmath>
#include <string>

#include "absl/time/time.h"
#include "promql/format.h"
#include "promql/parser.h"
#include "promql/value.h"
#include "util/duration.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// How Go's time package prints the API's boundary times (RFC3339Nano); the
// API accepts exactly these strings although their years have more than
// four digits.
constexpr std::string_view kMinTimeFormatted = "-292273086-05-16T16:47:06Z";
constexpr std::string_view kMaxTimeFormatted =
    "292277025-08-18T07:12:54.999999999Z";

}  // namespace

Status InvalidParam(const Status& status, std::string_view name) {
  return Status::InvalidArgument("invalid parameter " + GoQuoted(name) + ": " +
                                 std::string(status.message()));
}

StatusOr<int64_t> ParseApiTime(std::string_view text) {
  const auto invalid = [text] {
    return Status::InvalidArgument("cannot parse " + GoQuoted(text) +
                                   " to a valid timestamp");
  };
  // Unlike Go, NaN and infinities are refused: they name no time.
  if (StatusOr<double> seconds = promql::ParseFloat(text);
      seconds.ok() && std::isfinite(*seconds)) {
    // Whole seconds and the fraction rounded to milliseconds, as
    // Prometheus's parseTime does with math.Modf.
    double whole = 0;
    const double fraction = std::modf(*seconds, &whole);
    // Outside the API's range the milliseconds would overflow int64 (Go
    // wraps them silently: 9.3e15 becomes a date in 1677, 1e20 the
    // minimum time, so a delete_series meant for the future deletes
    // everything).
    if (!(whole >= static_cast<double>(kApiMinTimeMs / 1000) &&
          whole <= static_cast<double>(kApiMaxTimeMs / 1000))) {
      return invalid();
    }
    const int64_t ms = static_cast<int64_t>(whole) * 1000 +
                       static_cast<int64_t>(std::round(fraction * 1000));
    if (ms < kApiMinTimeMs || ms > kApiMaxTimeMs) return invalid();
    return ms;
  }
  absl::Time t;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &error)) {
    // Rounds down; saturates far outside int64's range.
    const int64_t ms = absl::ToUnixMillis(t);
    if (ms < kApiMinTimeMs || ms > kApiMaxTimeMs) return invalid();
    return ms;
  }
  if (text == kMinTimeFormatted) return kApiMinTimeMs;
  if (text == kMaxTimeFormatted) return kApiMaxTimeMs;
  return invalid();
}

StatusOr<int64_t> ParseApiDuration(std::string_view text) {
  if (StatusOr<double> seconds = promql::ParseFloat(text); seconds.ok()) {
    const double ns = *seconds * 1e9;
    if (!(ns <= 9223372036854775807.0 && ns >= -9223372036854775808.0)) {
      return Status::InvalidArgument("cannot parse " + GoQuoted(text) +
                                     " to a valid duration. It overflows "
                                     "int64");
    }
    return promql::GoInt64(ns);
  }
  if (StatusOr<int64_t> ms = ParseDuration(text); ms.ok()) {
    return *ms * 1000000;
  }
  return Status::InvalidArgument("cannot parse " + GoQuoted(text) +
                                 " to a valid duration");
}

StatusOr<int64_t> TimeParam(const Request& request, std::string_view name,
                            int64_t default_ms) {
  const std::string_view text = request.params.Get(name);
  if (text.empty()) return default_ms;
  StatusOr<int64_t> t = ParseApiTime(text);
  if (!t.ok()) {
    return InvalidParam(
        Status::InvalidArgument("Invalid time value for '" + std::string(name) +
                                "': " + std::string(t.status().message())),
        name);
  }
  return *t;
}

StatusOr<std::vector<std::vector<Matcher>>> MatchersParam(
    const Request& request) {
  std::vector<std::vector<Matcher>> sets;
  for (const std::string& text : request.params.GetAll("match[]")) {
    StatusOr<std::vector<Matcher>> matchers = promql::ParseMetricSelector(text);
    if (!matchers.ok()) return matchers.status();
    sets.push_back(std::move(*matchers));
  }
  for (const std::vector<Matcher>& set : sets) {
    bool selective = false;
    for (const Matcher& m : set) selective = selective || !m.Matches("");
    if (!selective) {
      return Status::InvalidArgument(
          "match[] must contain at least one non-empty matcher");
    }
  }
  return sets;
}

StatusOr<int64_t> LimitParam(const Request& request) {
  const std::string_view text = request.params.Get("limit");
  if (text.empty()) return 0;
  int64_t limit = 0;
  auto [ptr, ec] =
      std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || ptr != text.data() + text.size() || limit < 0) {
    return Status::InvalidArgument("limit must be a non-negative number");
  }
  return limit;
}

}  // namespace strata::server
