// A recording rule (Prometheus 2.42 rules/recording.go): the expression's
// samples renamed to `record`, with the rule's labels set over theirs.
//
// Thread-safety: as Rule.
#ifndef STRATA_RULES_RECORDING_RULE_H_
#define STRATA_RULES_RECORDING_RULE_H_

#include <memory>
#include <string>

#include "rules/rule.h"

namespace strata::rules {

class RecordingRule final : public Rule {
 public:
  RecordingRule(std::string record, promql::ExprPtr expr, LabelPairs labels)
      : Rule(std::move(record), std::move(expr), std::move(labels)) {}

  bool is_alerting() const override { return false; }
  std::string Definition() const override;
  // Errors: "vector contains metrics with the same labelset after applying
  // rule labels", "exceeded limit of N with M series", query errors.
  // Native histogram results (Sample::h) point into histograms the rule
  // keeps until its next Eval.
  StatusOr<promql::Vector> Eval(const QueryContext& ctx,
                                int64_t limit) override;

 private:
  // The last evaluation's histograms. Only the group's evaluation thread
  // touches it (Eval, then appending the samples).
  std::shared_ptr<promql::HistogramStore> histograms_;
};

}  // namespace strata::rules

#endif  // STRATA_RULES_RECORDING_RULE_H_
