#include "rules/recording_rule.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "util/strings.h"

namespace strata::rules {

std::string RecordingRule::Definition() const {
  return Cat("record: ", name(), "\nexpr: ", query(),
             "\nlabels: ", PairsToLabels(label_pairs()).ToString(), "\n");
}

StatusOr<promql::Vector> RecordingRule::Eval(const QueryContext& ctx,
                                             int64_t limit) {
  StatusOr<promql::Vector> result = QueryVector(ctx, expr(), &histograms_);
  if (!result.ok()) return result.status();
  promql::Vector& vector = *result;
  LabelPairs overrides;
  overrides.reserve(label_pairs().size() + 1);
  overrides.emplace_back(std::string(kMetricNameLabel), name());
  overrides.insert(overrides.end(), label_pairs().begin(), label_pairs().end());
  absl::flat_hash_set<Labels, LabelsHash> seen;
  seen.reserve(vector.size());
  bool duplicate = false;
  for (promql::Sample& sample : vector) {
    sample.metric = OverrideLabels(sample.metric, overrides);
    if (!seen.insert(sample.metric).second) duplicate = true;
  }
  if (duplicate) {
    return Status::FailedPrecondition(
        "vector contains metrics with the same labelset after applying rule "
        "labels");
  }
  if (limit > 0 && static_cast<int64_t>(vector.size()) > limit) {
    return Status::FailedPrecondition(
        Cat("exceeded limit of ", limit, " with ", vector.size(), " series"));
  }
  return std::move(vector);
}

}  // namespace strata::rules
