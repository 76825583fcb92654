// Rule: what recording and alerting rules share (Prometheus 2.42
// rules/manager.go, the Rule interface): a parsed PromQL expression
// evaluated at a time, health and last error, and the status snapshot the
// HTTP API and the rule unit tests read.
//
// Thread-safety: Eval is called by one thread at a time (the group's);
// Snapshot and the accessors may be called concurrently with it.
#ifndef STRATA_RULES_RULE_H_
#define STRATA_RULES_RULE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "promql/ast.h"
#include "promql/engine.h"
#include "promql/value.h"
#include "rules/alert.h"
#include "strata/db.h"
#include "strata/labels.h"
#include "strata/status.h"
#include "util/mutex.h"

namespace strata::rules {

enum class RuleHealth { kUnknown, kOk, kErr };

// "unknown", "ok", "err".
std::string_view RuleHealthName(RuleHealth health);

// A snapshot of one rule, for the HTTP API and tests.
struct RuleStatus {
  bool is_alerting = false;
  std::string name;    // record or alert name
  std::string query;   // the parsed expression as Prometheus prints it
  Labels labels;       // as written (not expanded)
  Labels annotations;  // alerting: as written
  int64_t for_ms = 0;  // alerting
  int64_t keep_firing_for_ms = 0;  // alerting
  RuleHealth health = RuleHealth::kUnknown;
  std::string last_error;                     // "" if none
  double evaluation_seconds = 0;              // duration of the last evaluation
  std::optional<int64_t> last_evaluation_ms;  // wall clock at its start
  // Alerting: the highest state of its alerts (resolved ones included, as
  // Prometheus's AlertingRule.State).
  AlertState state = AlertState::kInactive;
  // Alerting: pending and firing alerts (Prometheus's ActiveAlerts, so the
  // resolved ones still kept for notification are left out), sorted by
  // labels.
  std::vector<Alert> alerts;
};

// Where and when a rule evaluates: Prometheus's EngineQueryFunc at `ts_ms`.
struct QueryContext {
  DB* db = nullptr;                        // not owned
  const promql::Engine* engine = nullptr;  // not owned
  int64_t ts_ms = 0;
};

// Evaluates `expr` at ctx.ts_ms. A scalar becomes a one-sample vector with
// no labels; other non-vector results fail with "rule result is not a
// vector or scalar". The native histograms of the samples (Sample::h) stay
// valid while `*histograms` is kept (when null, the caller must not read
// them).
StatusOr<promql::Vector> QueryVector(
    const QueryContext& ctx, const promql::Expr& expr,
    std::shared_ptr<promql::HistogramStore>* histograms = nullptr);
// The same for query text (the templates' `query` function).
StatusOr<promql::Vector> QueryVector(const QueryContext& ctx,
                                     std::string_view query);

// Label pairs as written in the rule file, sorted by name. Unlike Labels
// they keep empty values: setting a label to "" removes it from the output
// series, as Prometheus's labels.Builder does.
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

class Rule {
 public:
  virtual ~Rule() = default;
  Rule(const Rule&) = delete;
  Rule& operator=(const Rule&) = delete;

  const std::string& name() const { return name_; }
  const promql::Expr& expr() const { return *expr_; }
  // The expression printed as Prometheus prints it (expr.String()).
  const std::string& query() const { return query_; }
  const LabelPairs& label_pairs() const { return labels_; }
  virtual bool is_alerting() const = 0;

  // Prometheus's Rule.String(): equal for rules with the same definition
  // (kind, name, printed expression, durations, labels, annotations).
  virtual std::string Definition() const = 0;
  // Name and labels, the key Prometheus's CopyState matches rules by.
  std::string NameAndLabels() const;

  // Evaluates at ctx.ts_ms: the samples to append (stamped ctx.ts_ms).
  // `limit` > 0 bounds the series (recording) or alerts (alerting).
  virtual StatusOr<promql::Vector> Eval(const QueryContext& ctx,
                                        int64_t limit) = 0;

  // Health after an evaluation step: OK sets kOk and clears the error,
  // an error sets kErr and its message.
  void SetResult(const strata::Status& result);
  void SetEvaluation(double seconds, int64_t start_wall_ms);

  virtual RuleStatus Snapshot() const;

 protected:
  Rule(std::string name, promql::ExprPtr expr, LabelPairs labels);

  // Constant after construction.
  const std::string name_;
  const promql::ExprPtr expr_;
  const std::string query_;
  const LabelPairs labels_;

  mutable Mutex mu_;
  RuleHealth health_ ABSL_GUARDED_BY(mu_) = RuleHealth::kUnknown;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  double evaluation_seconds_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<int64_t> last_evaluation_ms_ ABSL_GUARDED_BY(mu_);
};

// `base` with each pair of `overrides` set in order as Prometheus's
// labels.Builder.Set does: an empty value removes the label.
Labels OverrideLabels(const Labels& base, const LabelPairs& overrides);

// For hash containers of Labels.
struct LabelsHash {
  size_t operator()(const Labels& labels) const { return labels.Hash(); }
};

// Sorts and converts a rule file's pairs.
LabelPairs SortedPairs(std::vector<std::pair<std::string, std::string>> pairs);
// The pairs as Labels (empty values dropped).
Labels PairsToLabels(const LabelPairs& pairs);

}  // namespace strata::rules

#endif  // STRATA_RULES_RULE_H_
