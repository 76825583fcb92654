// RuleGroup: one group of a rule file, evaluated as Prometheus 2.42's
// rules.Group (rules/manager.go): every rule in order at one timestamp,
// each rule's output committed through its own appender before the next
// rule runs (so later rules see it), staleness markers for series a rule
// returned last time but not now, alerts sent through the NotifyFunc.
//
//   auto group = RuleGroup::Create("rules.yml", spec, options);
//   (*group)->Eval(ts_ms);
//   GroupStatus status = (*group)->Status();
//
// The ticker that calls Eval at the group's interval is the Manager's.
//
// Thread-safety: Eval, RestoreForState, CopyStateFrom and
// MarkAllSeriesStale must not run concurrently with each other (the
// owner's thread calls them); Status and the accessors may be called from
// any thread at any time.
#ifndef STRATA_RULES_RULE_GROUP_H_
#define STRATA_RULES_RULE_GROUP_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "promql/engine.h"
#include "rules/evaluation_durations.h"
#include "rules/notification.h"
#include "rules/rule.h"
#include "rules/rule_file.h"
#include "strata/db.h"
#include "strata/labels.h"
#include "strata/status.h"
#include "util/mutex.h"

namespace strata::rules {

struct GroupStatus {
  std::string name;
  std::string file;
  int64_t interval_ms = 0;
  int64_t limit = 0;
  std::vector<RuleStatus> rules;              // in file order
  double evaluation_seconds = 0;              // last whole-group evaluation
  std::optional<int64_t> last_evaluation_ms;  // wall clock at its start
  // For the strata_rule_* metrics. Prometheus counts evaluations and
  // failures per group too (one increment per rule evaluated or failed).
  uint64_t evaluations_total = 0;
  uint64_t evaluation_failures_total = 0;
  uint64_t iterations_total = 0;  // scheduled, whether run or missed
  uint64_t iterations_missed_total = 0;
  int64_t last_evaluation_samples = 0;
};

struct GroupOptions {
  DB* db = nullptr;                        // not owned; appends and queries
  const promql::Engine* engine = nullptr;  // not owned
  int64_t interval_ms = 60000;             // the group's, or the global default
  Labels external_labels;                  // for templates ($externalLabels)
  std::string external_url;                // for templates and generatorURL
  // As promtool's unit tests: $externalURL is external_url but the
  // externalURL and pathPrefix functions fail (a nil manager URL).
  bool manager_external_url_unset = false;
  int64_t outage_tolerance_ms = 3600000;
  int64_t for_grace_period_ms = 600000;
  int64_t resend_delay_ms = 60000;
  NotifyFunc notify;  // may be empty
  // True on a start (the Manager's first Update): alerting rules write no
  // ALERTS / ALERTS_FOR_STATE until RestoreForState has run. False (the
  // default, as for promtool's unit tests and groups added by a reload):
  // they write them from the first evaluation.
  bool restore_for_state = false;
  // Where each rule evaluation's and each Eval's duration is observed (the
  // Manager's, shared by its groups); not owned, may be null.
  EvaluationSummaries* summaries = nullptr;
};

class RuleGroup {
 public:
  // InvalidArgument if an expression does not parse (the spec comes from
  // ParseRuleFile, so normally fine) or an option is missing. The group's
  // interval is spec.interval_ms, or options.interval_ms when that is 0
  // (and may be 0 itself: the Manager refuses that, promtool's unit tests
  // evaluate such a group).
  static StatusOr<std::unique_ptr<RuleGroup>> Create(std::string file,
                                                     const RuleGroupSpec& spec,
                                                     GroupOptions options);
  ~RuleGroup();
  RuleGroup(const RuleGroup&) = delete;
  RuleGroup& operator=(const RuleGroup&) = delete;

  // One evaluation of every rule, in order, at ts_ms; appends the output to
  // the DB; notifies. Rule errors are recorded in the rules' status, not
  // returned. Also records the group's evaluation time and last evaluation
  // (wall clock) and writes pending staleness markers of removed rules.
  void Eval(int64_t ts_ms);

  // Prometheus's RestoreForState: call after the first Eval after a start
  // (with ts_ms = now). Alerting rules whose `for` is shorter than the
  // grace period are not restored; the others' active alerts take their
  // active_at from the newest ALERTS_FOR_STATE sample within the outage
  // tolerance. Every alerting rule is "restored" afterwards.
  void RestoreForState(int64_t ts_ms);

  GroupStatus Status() const;

  // Prometheus's Group.Equals: same name, file, interval, limit and rule
  // definitions (external labels and URL are not compared, as in 2.42).
  bool Equals(const RuleGroup& other) const;
  // Prometheus's CopyState on reload: evaluation time, each rule's
  // previous output series and alerts from the rule of `from` with the same
  // name and labels (duplicates matched in order); the series of `from`'s
  // unmatched rules become staleness markers written at the next Eval.
  // `from` must not be evaluating.
  void CopyStateFrom(const RuleGroup& from);
  // For a group removed on reload: writes a staleness marker at ts_ms for
  // every series its rules returned at their last evaluation.
  void MarkAllSeriesStale(int64_t ts_ms);

  // Prometheus's EvalTimestamp: the latest slot at or before `now_ns` of
  // this group's evaluation schedule (interval slots shifted by a hash of
  // file and name), in nanoseconds.
  int64_t EvalTimestampNs(int64_t now_ns) const;
  // The ticker's counts (Prometheus's iterations_total and _missed_total).
  void AddIterations(uint64_t scheduled, uint64_t missed);

  const std::string& name() const { return name_; }
  const std::string& file() const { return file_; }
  int64_t interval_ms() const { return interval_ms_; }
  int64_t limit() const { return limit_; }

 private:
  // A rule's output series and their references in the DB (0 if not
  // known), so the next evaluation appends by reference.
  using SeriesRefs = absl::flat_hash_map<Labels, SeriesRef, LabelsHash>;

  RuleGroup(std::string file, const RuleGroupSpec& spec, GroupOptions options,
            std::vector<std::unique_ptr<Rule>> rules);

  // One rule's evaluation, append and staleness markers; returns the
  // number of samples it produced.
  int64_t EvalRule(size_t i, int64_t ts_ms);
  // Appends `vector`, then markers for series of `previous` not in it;
  // fills `returned` with the series appended.
  strata::Status AppendOutput(Rule& rule, const promql::Vector& vector,
                              int64_t ts_ms, const SeriesRefs& previous,
                              SeriesRefs* returned);
  void WriteStaleSeries(int64_t ts_ms);

  // Constant after construction.
  const std::string name_;
  const std::string file_;
  const int64_t interval_ms_;
  const int64_t limit_;
  const GroupOptions options_;
  const std::vector<std::unique_ptr<Rule>> rules_;

  // Owned by the evaluating thread (see the class comment).
  std::vector<SeriesRefs> series_in_previous_eval_;  // one per rule
  std::vector<Labels> stale_series_;  // of rules removed by a reload

  mutable Mutex mu_;
  double evaluation_seconds_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<int64_t> last_evaluation_ms_ ABSL_GUARDED_BY(mu_);
  uint64_t evaluations_total_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t evaluation_failures_total_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t iterations_total_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t iterations_missed_total_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_evaluation_samples_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace strata::rules

#endif  // STRATA_RULES_RULE_GROUP_H_
