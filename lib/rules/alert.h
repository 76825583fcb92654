// One instance of an alerting rule: the alert for one label set of the
// rule's expression output (Prometheus 2.42 rules/alerting.go, Alert).
//
// Times are milliseconds since the epoch; "never" is std::nullopt, not 0
// (promtool's rule unit tests evaluate at t=0).
//
// Thread-safety: a plain value.
#ifndef STRATA_RULES_ALERT_H_
#define STRATA_RULES_ALERT_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "strata/labels.h"

namespace strata::rules {

// Ordered: kFiring > kPending > kInactive (a rule's state is the highest of
// its alerts').
enum class AlertState { kInactive = 0, kPending = 1, kFiring = 2 };

// "inactive", "pending", "firing".
std::string_view AlertStateName(AlertState state);

struct Alert {
  AlertState state = AlertState::kInactive;
  // The sample's labels without __name__, the rule's labels (templates
  // expanded) over them, and alertname.
  Labels labels;
  // Expanded annotation templates. An annotation that expands to "" is
  // absent (Labels keeps no empty values).
  Labels annotations;
  // The expression's value at the last evaluation.
  double value = 0;
  // When the condition started to hold (the evaluation that created it,
  // or as restored from ALERTS_FOR_STATE).
  int64_t active_at_ms = 0;
  std::optional<int64_t> fired_at_ms;
  // Set once the alert stopped (inactive); kept 15 minutes, then dropped.
  std::optional<int64_t> resolved_at_ms;
  std::optional<int64_t> last_sent_ms;
  std::optional<int64_t> valid_until_ms;
  // keep_firing_for: when the condition stopped holding while firing.
  std::optional<int64_t> keep_firing_since_ms;
};

}  // namespace strata::rules

#endif  // STRATA_RULES_ALERT_H_
