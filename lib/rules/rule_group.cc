#include "rules/rule_group.h"

namespace strata::rules {

StatusOr<std::unique_ptr<RuleGroup>> RuleGroup::Create(std::string,
                                                       const RuleGroupSpec&,
                                                       GroupOptions) {
  return Status::NotSupported("not yet");
}

RuleGroup::~RuleGroup() = default;

void RuleGroup::Eval(int64_t) {}
void RuleGroup::RestoreForState(int64_t) {}
GroupStatus RuleGroup::Status() const { return {}; }
bool RuleGroup::Equals(const RuleGroup&) const { return false; }
void RuleGroup::CopyStateFrom(const RuleGroup&) {}
void RuleGroup::MarkAllSeriesStale(int64_t) {}
int64_t RuleGroup::EvalTimestampNs(int64_t now_ns) const { return now_ns; }
void RuleGroup::AddIterations(uint64_t, uint64_t) {}

}  // namespace strata::rules
