#include "rules/evaluation_durations.h"

#include <utility>
#include <vector>

namespace strata::rules {
namespace {

SummaryOptions WithQuantiles(SummaryOptions options,
                             std::vector<double> quantiles) {
  options.quantiles = std::move(quantiles);
  return options;
}

}  // namespace

EvaluationSummaries::EvaluationSummaries(SummaryOptions options)
    : rule_(WithQuantiles(options, {0.5, 0.9, 0.99})),
      group_(WithQuantiles(std::move(options), {0.01, 0.05, 0.5, 0.9, 0.99})) {}

EvaluationDurations EvaluationSummaries::Snapshot() const {
  return EvaluationDurations{rule_.Snapshot(), group_.Snapshot()};
}

}  // namespace strata::rules
