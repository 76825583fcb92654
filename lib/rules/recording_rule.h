// A recording rule (Prometheus 2.42 rules/recording.go): the expression's
// samples renamed to `record`, with the rule's labels set over theirs.
//
// Thread-safety: as Rule.
#ifndef STRATA_RULES_RECORDING_RULE_H_
#define STRATA_RULES_RECORDING_RULE_H_

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
  StatusOr<promql::Vector> Eval(const QueryContext& ctx,
                                int64_t limit) override;
};

}  // namespace strata::rules

#endif  // STRATA_RULES_RECORDING_RULE_H_
