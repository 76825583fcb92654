// An alert as the notifier sends it to Alertmanager, and its wire form:
// Alertmanager API v2's PostableAlerts JSON (what Prometheus 2.42's
// notifier.alertsToOpenAPIAlerts marshals).
//
// Thread-safety: plain struct; pure functions.
#ifndef STRATA_NOTIFIER_ALERT_H_
#define STRATA_NOTIFIER_ALERT_H_

#include <cstdint>
#include <span>
#include <string>

#include "strata/labels.h"

namespace strata::notifier {

// The same fields as rules::Notification (the server maps one to the
// other; rules and notifier do not include each other).
struct Alert {
  Labels labels;  // includes alertname
  Labels annotations;
  // Milliseconds since the epoch; 0 means unset (the field is omitted).
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;  // resolved at, or valid until while firing
  std::string generator_url;

  friend bool operator==(const Alert&, const Alert&) = default;
};

// The JSON array Alertmanager's POST /api/v2/alerts takes, fields in
// Prometheus's order: {"annotations":{..},"endsAt":"..","startsAt":"..",
// "generatorURL":"..","labels":{..}}. Label maps have their keys sorted;
// "annotations" and "generatorURL" are omitted when empty, "startsAt" and
// "endsAt" when 0. Times are UTC with milliseconds as go-openapi's
// strfmt.DateTime marshals them: "2023-01-02T15:04:05.000Z".
std::string EncodePostableAlerts(std::span<const Alert> alerts);

// "2006-01-02T15:04:05.000Z" for `ms` since the epoch (UTC, strfmt's
// RFC3339Millis).
std::string FormatRfc3339Millis(int64_t ms);

}  // namespace strata::notifier

#endif  // STRATA_NOTIFIER_ALERT_H_
