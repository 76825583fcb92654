// Metrics of rule evaluation and notification, read at scrape time from
// the rule manager's and the notifier's snapshots. Names, types, labels and
// help texts are Prometheus 2.42's with `strata_` for `prometheus_`:
//
// Per rule group, labelled rule_group="<file>;<group name>" (groups that
// were removed by a reload disappear, as Prometheus deletes their series):
//   strata_rule_evaluations_total, strata_rule_evaluation_failures_total,
//   strata_rule_group_iterations_total,
//   strata_rule_group_iterations_missed_total           (counters)
//   strata_rule_group_interval_seconds, strata_rule_group_rules,
//   strata_rule_group_last_duration_seconds,
//   strata_rule_group_last_evaluation_timestamp_seconds (0 before the first
//   evaluation), strata_rule_group_last_evaluation_samples     (gauges)
// and, process-wide (unlabelled, present before any group has run, as
// Prometheus registers them at start):
//   strata_rule_evaluation_duration_seconds (every rule evaluation),
//   strata_rule_group_duration_seconds (every group evaluation) (summaries)
//
// Per Alertmanager URL, labelled alertmanager="<url>":
//   strata_notifications_sent_total, strata_notifications_errors_total
//   (counters), strata_notifications_latency_seconds (summary)
// and strata_notifications_dropped_total, strata_notifications_queue_length,
// strata_notifications_queue_capacity,
// strata_notifications_alertmanagers_discovered.
//
// Thread-safety: the providers are called from scrapes, concurrently.
#ifndef STRATA_SERVER_API_RULES_METRICS_H_
#define STRATA_SERVER_API_RULES_METRICS_H_

#include <functional>
#include <vector>

#include "notifier/manager.h"
#include "rules/evaluation_durations.h"
#include "rules/rule_group.h"
#include "server/metrics/metrics.h"

namespace strata::server {

// `groups` is rules::Manager::Groups (or an empty list while there is no
// manager); `durations` is rules::Manager::Durations (or
// rules::EvaluationSummaries().Snapshot() while there is none); unset, the
// two summaries are left out. `registry` is not owned.
void AddRuleMetrics(
    MetricsRegistry* registry,
    std::function<std::vector<rules::GroupStatus>()> groups,
    std::function<rules::EvaluationDurations()> durations = nullptr);

// `stats` is notifier::Manager::GetStats.
void AddNotifierMetrics(MetricsRegistry* registry,
                        std::function<notifier::Stats()> stats);

// What the collectors emit, for tests: every family, including those
// without points.
// `durations` null: the two summaries without points.
std::vector<MetricFamily> RuleMetricFamilies(
    const std::vector<rules::GroupStatus>& groups,
    const rules::EvaluationDurations* durations = nullptr);
std::vector<MetricFamily> NotifierMetricFamilies(const notifier::Stats& stats);

}  // namespace strata::server

#endif  // STRATA_SERVER_API_RULES_METRICS_H_
