// Prometheus 2.42's two process-wide rule summaries (rules/manager.go,
// NewGroupMetrics): EvalDuration, every rule evaluation's duration, and
// IterationDuration, every group evaluation's. They are not per group: a
// Manager keeps one EvaluationSummaries that all its groups observe into.
//
// Thread-safety: every method may be called from any thread.
#ifndef STRATA_RULES_EVALUATION_DURATIONS_H_
#define STRATA_RULES_EVALUATION_DURATIONS_H_

#include "util/summary.h"

namespace strata::rules {

// What the strata_rule_evaluation_duration_seconds and
// strata_rule_group_duration_seconds summaries report, in seconds.
struct EvaluationDurations {
  SummarySnapshot rule;   // quantiles 0.5, 0.9, 0.99
  SummarySnapshot group;  // quantiles 0.01, 0.05, 0.5, 0.9, 0.99
};

class EvaluationSummaries {
 public:
  // Prometheus's objectives over client_golang's default window (10m, 5
  // age buckets). `options.quantiles` is ignored; the window, bounds and
  // clock of `options` apply to both summaries (tests inject a clock).
  explicit EvaluationSummaries(SummaryOptions options = SummaryOptions());

  void ObserveRule(double seconds) { rule_.Observe(seconds); }
  void ObserveGroup(double seconds) { group_.Observe(seconds); }

  EvaluationDurations Snapshot() const;

 private:
  Summary rule_;
  Summary group_;
};

}  // namespace strata::rules

#endif  // STRATA_RULES_EVALUATION_DURATIONS_H_
