#include "rules/recording_rule.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "util/strings.h"

namespace strata::rules {

namespace {

// Prometheus's labels.Builder over a sample's labels: Set with "" deletes.
class LabelsBuilder {
 public:
  explicit LabelsBuilder(const Labels& base) {
    for (const Label& l : base) labels_[l.name] = l.value;
  }
  void Set(const std::string& name, std::string value) {
    if (value.empty()) {
      labels_.erase(name);
    } else {
      labels_[name] = std::move(value);
    }
  }
  Labels Build() const {
    std::vector<Label> out;
    out.reserve(labels_.size());
    for (const auto& [name, value] : labels_) out.push_back({name, value});
    return Labels::FromUnchecked(std::move(out));
  }

 private:
  std::map<std::string, std::string> labels_;
};

}  // namespace

std::string RecordingRule::Definition() const {
  return Cat("record: ", name(), "\nexpr: ", query(),
             "\nlabels: ", PairsToLabels(label_pairs()).ToString(), "\n");
}

StatusOr<promql::Vector> RecordingRule::Eval(const QueryContext& ctx,
                                             int64_t limit) {
  StatusOr<promql::Vector> result = QueryVector(ctx, expr());
  if (!result.ok()) return result.status();
  promql::Vector& vector = *result;
  std::set<Labels> seen;
  bool duplicate = false;
  for (promql::Sample& sample : vector) {
    LabelsBuilder builder(sample.metric);
    builder.Set(std::string(kMetricNameLabel), name());
    for (const auto& [label, value] : label_pairs()) builder.Set(label, value);
    sample.metric = builder.Build();
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
