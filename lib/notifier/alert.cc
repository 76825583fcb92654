#include "notifier/alert.h"

#include "util/strings.h"
#include "util/time_format.h"

namespace strata::notifier {
std::string EncodePostableAlerts(std::span<const Alert> alerts) {
  std::string out = "[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    const Alert& a = alerts[i];
    if (i > 0) out.push_back(',');
    out.push_back('{');
    if (!a.annotations.empty()) {
      out += "\"annotations\":";
      AppendJsonLabels(&out, a.annotations);
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
    AppendJsonLabels(&out, a.labels);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace strata::notifier
