// Manager: runs the rule groups of the configured rule files, each on its
// own thread ticking at the group's interval, as Prometheus 2.42's
// rules.Manager (rules/manager.go): evaluation slots aligned by
// RuleGroup::EvalTimestampNs, missed iterations counted and skipped (never
// queued), for-state restored after the first start, and reloads that keep
// the alert state of unchanged rules.
//
// Thread-safety: all methods are safe to call concurrently; Update and
// Stop serialize with each other.
#ifndef STRATA_RULES_MANAGER_H_
#define STRATA_RULES_MANAGER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "promql/engine.h"
#include "rules/evaluation_durations.h"
#include "rules/notification.h"
#include "rules/rule_file.h"
#include "rules/rule_group.h"
#include "strata/db.h"
#include "strata/labels.h"
#include "strata/status.h"
#include "util/mutex.h"

namespace strata::rules {

struct ManagerOptions {
  DB* db = nullptr;                        // not owned
  const promql::Engine* engine = nullptr;  // not owned
  int64_t default_interval_ms = 60000;     // global.evaluation_interval
  Labels external_labels;
  std::string external_url;
  int64_t outage_tolerance_ms = 3600000;  // --rules.alert.for-outage-tolerance
  int64_t for_grace_period_ms = 600000;   // --rules.alert.for-grace-period
  int64_t resend_delay_ms = 60000;        // --rules.alert.resend-delay
  NotifyFunc notify;                      // may be empty
};

class Manager {
 public:
  explicit Manager(ManagerOptions options);
  ~Manager();  // Stop()
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Replaces the running groups with those of `files` (paths and their
  // parsed content, in order). A group whose file, name, interval, limit
  // and rules are unchanged keeps running untouched; a changed one is
  // stopped and its replacement takes over its state (alerts of rules with
  // the same name and labels, previous output for staleness markers); a
  // removed one gets staleness markers for its series two intervals later.
  // On error (an expression does not parse) nothing changes.
  // The first Update after construction restores for-state (Prometheus's
  // start); later ones do not.
  strata::Status Update(
      const std::vector<std::pair<std::string, RuleFile>>& files,
      ManagerOptions options);

  // Snapshots of the running groups, sorted by file then group name (as
  // Prometheus's RuleGroups, which the HTTP API lists).
  std::vector<GroupStatus> Groups() const;

  // Prometheus's two summaries over every group this manager has run, for
  // strata_rule_evaluation_duration_seconds and
  // strata_rule_group_duration_seconds.
  EvaluationDurations Durations() const { return summaries_.Snapshot(); }

  // Stops every group's thread (an evaluation in progress finishes first)
  // and drops pending staleness markers of removed groups, as Prometheus
  // does on shutdown. Idempotent.
  void Stop();

 private:
  class GroupRunner;  // One group's thread.
  class StaleMarker;  // A removed group's delayed staleness markers.

  // Thread-safe; observed into by every group's thread, so declared before
  // (destroyed after) groups_.
  EvaluationSummaries summaries_;

  mutable Mutex mu_;
  ManagerOptions options_ ABSL_GUARDED_BY(mu_);
  bool restored_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  // By "<file>;<group name>".
  std::map<std::string, std::unique_ptr<GroupRunner>> groups_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<StaleMarker>> stale_markers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace strata::rules

#endif  // STRATA_RULES_MANAGER_H_
