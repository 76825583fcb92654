#include "notifier/alert.h"

#include <time.h>

#include <cstdio>

#include "nlohmann/json.hpp"

namespace strata::notifier {
namespace {

nlohmann::ordered_json LabelSet(const Labels& labels) {
  // std::map order: Go's encoding/json sorts map keys the same way.
  nlohmann::json set = nlohmann::json::object();
  for (const Label& l : labels) set[l.name] = l.value;
  return nlohmann::ordered_json(set);
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
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Alert& a : alerts) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    if (!a.annotations.empty()) j["annotations"] = LabelSet(a.annotations);
    if (a.ends_at_ms != 0) j["endsAt"] = FormatRfc3339Millis(a.ends_at_ms);
    if (a.starts_at_ms != 0) {
      j["startsAt"] = FormatRfc3339Millis(a.starts_at_ms);
    }
    if (!a.generator_url.empty()) j["generatorURL"] = a.generator_url;
    j["labels"] = LabelSet(a.labels);
    out.push_back(std::move(j));
  }
  // Label values are valid UTF-8 (Labels guarantees it for validated sets);
  // replace anything else rather than throw.
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace strata::notifier
