// An alerting rule (Prometheus 2.42 rules/alerting.go): each sample of the
// expression is an alert, pending until it has held for `for`, then firing;
// firing alerts stay firing `keep_firing_for` after the condition stops,
// and resolved ones are kept 15 minutes so Alertmanager hears of the
// resolution. Each evaluation writes ALERTS{alertstate} = 1 and
// ALERTS_FOR_STATE = active_at (Unix seconds) for every pending and firing
// alert, once the rule is "restored" (see RuleGroup::RestoreForState).
//
// Thread-safety: as Rule; the active alerts are guarded by mu_.
#ifndef STRATA_RULES_ALERTING_RULE_H_
#define STRATA_RULES_ALERTING_RULE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rules/alert.h"
#include "rules/notification.h"
#include "rules/rule.h"
#include "strata/querier.h"

namespace strata::rules {

// How long a resolved alert is kept (and re-sent) before it is dropped.
inline constexpr int64_t kResolvedRetentionMs = 15 * 60 * 1000;

inline constexpr std::string_view kAlertMetricName = "ALERTS";
inline constexpr std::string_view kAlertForStateMetricName = "ALERTS_FOR_STATE";
inline constexpr std::string_view kAlertNameLabel = "alertname";
inline constexpr std::string_view kAlertStateLabel = "alertstate";

struct AlertingRuleOptions {
  int64_t for_ms = 0;
  int64_t keep_firing_for_ms = 0;
  LabelPairs labels;       // templates
  LabelPairs annotations;  // templates
  Labels external_labels;
  std::string external_url;
  // promtool's unit tests: the externalURL and pathPrefix template
  // functions fail (tmpl::AlertData::manager_external_url_unset).
  bool manager_external_url_unset = false;
  // False until RestoreForState has run: no ALERTS samples before.
  bool restored = true;
};

class AlertingRule final : public Rule {
 public:
  AlertingRule(std::string alert, promql::ExprPtr expr,
               AlertingRuleOptions options);

  bool is_alerting() const override { return true; }
  std::string Definition() const override;
  // Errors: "vector contains metrics with the same labelset after applying
  // alert labels", "exceeded limit of N with M alerts" (which also drops
  // every alert), query errors.
  StatusOr<promql::Vector> Eval(const QueryContext& ctx,
                                int64_t limit) override;
  RuleStatus Snapshot() const override;

  int64_t for_ms() const { return options_.for_ms; }

  // Prometheus's sendAlerts: the alerts due at `ts_ms` (firing ones every
  // resend delay, resolved ones once more after resolving), marked sent
  // with valid_until = ts + 4 * max(interval, resend delay).
  std::vector<Notification> AlertsToSend(int64_t ts_ms, int64_t resend_delay_ms,
                                         int64_t interval_ms);

  // Moves each active alert's active_at as Prometheus's RestoreForState
  // does, from the newest ALERTS_FOR_STATE sample `querier` holds for it.
  void RestoreForState(Querier& querier, int64_t ts_ms,
                       int64_t for_grace_period_ms);
  void SetRestored(bool restored);
  bool restored() const;

  // Takes over `from`'s alerts (Prometheus's CopyState on reload).
  void CopyAlertsFrom(const AlertingRule& from);

 private:
  struct Pending;  // One sample's alert before it is merged into active_.

  // The labels of a sample series `kind` (ALERTS or ALERTS_FOR_STATE) of
  // alert `alert`.
  Labels SeriesLabels(const Alert& alert, std::string_view metric,
                      bool with_state) const;
  // Expands the label and annotation templates for one sample.
  StatusOr<std::vector<Pending>> BuildAlerts(const QueryContext& ctx,
                                             const promql::Vector& samples);
  // The state machine over active_ (the core of Prometheus's Eval).
  StatusOr<promql::Vector> Advance(std::vector<Pending> current, int64_t ts_ms,
                                   int64_t limit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction (restored excepted, under mu_).
  AlertingRuleOptions options_;
  bool restored_ ABSL_GUARDED_BY(mu_);
  // Pending, firing and recently resolved alerts by their labels.
  std::map<Labels, Alert> active_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata::rules

#endif  // STRATA_RULES_ALERTING_RULE_H_
