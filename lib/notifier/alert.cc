#include "notifier/alert.h"

#include <time.h>

#include <cstdio>

#include "util/strings.h"

namespace strata::notifier {
namespace {

// A Go map[string]string as encoding/json writes it: keys sorted (Labels
// are), HTML-safe escapes.
void AppendLabelSet(std::string* out, const Labels& labels) {
  out->push_back('{');
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, l.name);
    out->push_back(':');
    AppendJsonString(out, l.value);
  }
  out->push_back('}');
}

}  // namespace

std::string FormatRfc3339Millis(int64_t ms) {
  int64_t secs = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {  // floor, for times before the epoch
    millis += 1000;
    secs -= 1;
  }
  const time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buf;
}

std::string EncodePostableAlerts(std::span<const Alert> alerts) {
  std::string out = "[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    const Alert& a = alerts[i];
    if (i > 0) out.push_back(',');
    out.push_back('{');
    if (!a.annotations.empty()) {
      out += "\"annotations\":";
      AppendLabelSet(&out, a.annotations);
      out.push_back(',');
    }
    if (a.ends_at_ms != 0) {
      CatTo(&out, "\"endsAt\":\"", FormatRfc3339Millis(a.ends_at_ms), "\",");
    }
    if (a.starts_at_ms != 0) {
      CatTo(&out, "\"startsAt\":\"", FormatRfc3339Millis(a.starts_at_ms),
            "\",");
    }
    if (!a.generator_url.empty()) {
      out += "\"generatorURL\":";
      AppendJsonString(&out, a.generator_url);
      out.push_back(',');
    }
    out += "\"labels\":";
    AppendLabelSet(&out, a.labels);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace strata::notifier
