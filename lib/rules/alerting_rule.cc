#include "rules/alerting_rule.h"

namespace strata::rules {

struct AlertingRule::Pending {
  Alert alert;
};

AlertingRule::AlertingRule(std::string alert, promql::ExprPtr expr,
                           AlertingRuleOptions options)
    : Rule(std::move(alert), std::move(expr), options.labels),
      options_(std::move(options)),
      restored_(options_.restored) {}

std::string AlertingRule::Definition() const { return name(); }

StatusOr<promql::Vector> AlertingRule::Eval(const QueryContext&, int64_t) {
  return promql::Vector{};
}

RuleStatus AlertingRule::Snapshot() const { return Rule::Snapshot(); }

std::vector<Notification> AlertingRule::AlertsToSend(int64_t, int64_t,
                                                     int64_t) {
  return {};
}

void AlertingRule::RestoreForState(Querier&, int64_t, int64_t) {}

void AlertingRule::SetRestored(bool restored) {
  MutexLock lock(&mu_);
  restored_ = restored;
}

bool AlertingRule::restored() const {
  MutexLock lock(&mu_);
  return restored_;
}

void AlertingRule::CopyAlertsFrom(const AlertingRule&) {}

}  // namespace strata::rules
