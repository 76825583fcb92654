#include "cli.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>

#include "absl/time/time.h"
#include "index/reader.h"
#include "inspect/data_dir.h"
#include "inspect/export.h"
#include "promql/parser.h"
#include "util/time_format.h"

namespace strata::tsdb {

StatusOr<int64_t> ParseTime(const std::string& text) {
  if (text.empty()) return Status::InvalidArgument("empty time");
  char* end = nullptr;
  errno = 0;
  const long long ms = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() + text.size() && errno == 0) return int64_t{ms};
  const double secs = std::strtod(text.c_str(), &end);
  if (end == text.c_str() + text.size() && std::isfinite(secs)) {
    return static_cast<int64_t>(std::llround(secs * 1000));
  }
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return absl::ToUnixMillis(t);
  }
  return Status::InvalidArgument("cannot parse time \"" + text +
                                 "\": want milliseconds, seconds.fraction "
                                 "or RFC 3339");
}

std::string FormatTime(int64_t t_ms) { return FormatRfc3339Millis(t_ms); }

std::string FormatBytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f%s" : "%.1f%s", v, kUnits[u]);
  return buf;
}

StatusOr<std::vector<std::vector<Matcher>>> ParseSelectors(
    const std::vector<std::string>& selectors) {
  std::vector<std::vector<Matcher>> out;
  for (const std::string& s : selectors) {
    StatusOr<std::vector<Matcher>> m = promql::ParseMetricSelector(s);
    if (!m.ok()) {
      return Status::InvalidArgument("bad selector " + s + ": " +
                                     std::string(m.status().message()));
    }
    bool selective = false;
    for (const Matcher& matcher : *m) selective |= !matcher.Matches("");
    if (!selective) {
      return Status::InvalidArgument(
          "bad selector " + s +
          ": vector selector must contain at least one non-empty matcher");
    }
    out.push_back(std::move(m).value());
  }
  if (out.empty()) out.push_back(inspect::EveryNamedSeries());
  return out;
}

void TimeRangeFlags::Add(CLI::App* sub) {
  sub->add_option("--min-time", min_time,
                  "Oldest sample to include (ms, seconds.fraction or RFC "
                  "3339). Default: all.");
  sub->add_option("--max-time", max_time,
                  "Newest sample to include (inclusive). Default: all.");
}

StatusOr<std::pair<int64_t, int64_t>> TimeRangeFlags::Get() const {
  int64_t lo = kMinTime, hi = kMaxTime;
  if (!min_time.empty()) {
    STRATA_ASSIGN_OR_RETURN(lo, ParseTime(min_time));
  }
  if (!max_time.empty()) {
    STRATA_ASSIGN_OR_RETURN(hi, ParseTime(max_time));
  }
  if (lo > hi) return Status::InvalidArgument("--min-time after --max-time");
  return std::make_pair(lo, hi);
}

bool StderrIsTty() { return isatty(STDERR_FILENO) == 1; }

StatusOr<inspect::SeriesSelection> ParseSelection(
    const std::vector<std::string>& selectors, const TimeRangeFlags& range) {
  inspect::SeriesSelection s;
  STRATA_ASSIGN_OR_RETURN(auto r, range.Get());
  s.min_time = r.first;
  s.max_time = r.second;
  STRATA_ASSIGN_OR_RETURN(s.selectors, ParseSelectors(selectors));
  return s;
}

void WarnIfHeadBoundaryMoved(const std::string& dir, int64_t previous_end) {
  const std::optional<int64_t> end =
      inspect::MovedHeadBoundary(dir, previous_end);
  if (!end) return;
  std::fprintf(stderr,
               "warning: the newest block now ends at %lld; on the next open, "
               "WAL samples older than that are taken as persisted and not "
               "replayed into the head. Backfill data older than the head "
               "(check with `list`).\n",
               static_cast<long long>(*end));
}

}  // namespace strata::tsdb
