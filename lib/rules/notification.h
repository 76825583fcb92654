// What the rules send towards Alertmanager: Prometheus 2.42's
// rules.SendAlerts turns each alert due for sending into a notifier.Alert.
// The rules module never includes the notifier; tools/strata-server maps
// one onto the other (same fields).
//
// Thread-safety: plain values.
#ifndef STRATA_RULES_NOTIFICATION_H_
#define STRATA_RULES_NOTIFICATION_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "strata/labels.h"

namespace strata::rules {

struct Notification {
  Labels labels;
  Labels annotations;
  // The alert's fired_at (0 if it never fired, Go's zero time there).
  int64_t starts_at_ms = 0;
  // resolved_at once resolved, else valid_until (ts + 4 * max(interval,
  // resend delay)).
  int64_t ends_at_ms = 0;
  // external_url + "/graph?g0.expr=" + QueryEscape(expr) + "&g0.tab=1".
  std::string generator_url;
};

// Called from a group's evaluation thread with one rule's alerts due for
// sending (never with an empty vector). Must not block for long.
using NotifyFunc = std::function<void(std::vector<Notification>)>;

}  // namespace strata::rules

#endif  // STRATA_RULES_NOTIFICATION_H_
