#include "rules/rule.h"

#include <algorithm>
#include <utility>

#include "promql/parser.h"
#include "util/strings.h"

namespace strata::rules {

std::string_view AlertStateName(AlertState state) {
  switch (state) {
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
  }
  return "inactive";
}

std::string_view RuleHealthName(RuleHealth health) {
  switch (health) {
    case RuleHealth::kUnknown:
      return "unknown";
    case RuleHealth::kOk:
      return "ok";
    case RuleHealth::kErr:
      return "err";
  }
  return "unknown";
}

namespace {

StatusOr<promql::Vector> ToVector(
    StatusOr<promql::Result> result,
    std::shared_ptr<promql::HistogramStore>* histograms = nullptr) {
  if (!result.ok()) return result.status();
  promql::Result& r = *result;
  if (histograms != nullptr) *histograms = r.histograms;
  switch (r.type) {
    case promql::ValueType::kVector:
      return std::move(r.vector);
    case promql::ValueType::kScalar:
      return promql::Vector{promql::Sample{Labels(), r.t, r.scalar}};
    default:
      return Status::FailedPrecondition(
          "rule result is not a vector or scalar");
  }
}

}  // namespace

StatusOr<promql::Vector> QueryVector(
    const QueryContext& ctx, const promql::Expr& expr,
    std::shared_ptr<promql::HistogramStore>* histograms) {
  return ToVector(ctx.engine->InstantExpr(*ctx.db, expr, ctx.ts_ms),
                  histograms);
}

StatusOr<promql::Vector> QueryVector(const QueryContext& ctx,
                                     std::string_view query) {
  return ToVector(ctx.engine->Instant(*ctx.db, query, ctx.ts_ms));
}

LabelPairs SortedPairs(std::vector<std::pair<std::string, std::string>> pairs) {
  std::stable_sort(
      pairs.begin(), pairs.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  return pairs;
}

Labels PairsToLabels(const LabelPairs& pairs) {
  std::vector<Label> labels;
  labels.reserve(pairs.size());
  for (const auto& [name, value] : pairs) labels.push_back({name, value});
  return Labels::FromUnchecked(std::move(labels));
}

Labels OverrideLabels(const Labels& base, const LabelPairs& overrides) {
  std::vector<Label> labels = base.pairs();
  for (const auto& [name, value] : overrides) {
    auto it = std::lower_bound(
        labels.begin(), labels.end(), name,
        [](const Label& l, const std::string& n) { return l.name < n; });
    const bool present = it != labels.end() && it->name == name;
    if (value.empty()) {
      if (present) labels.erase(it);
    } else if (present) {
      it->value = value;
    } else {
      labels.insert(it, Label{name, value});
    }
  }
  return Labels::FromUnchecked(std::move(labels));
}

Rule::Rule(std::string name, promql::ExprPtr expr, LabelPairs labels)
    : name_(std::move(name)),
      expr_(std::move(expr)),
      query_(expr_->String()),
      labels_(std::move(labels)) {}

std::string Rule::NameAndLabels() const {
  // Prometheus: rule.Name() + rule.Labels().String().
  return Cat(name_, PairsToLabels(labels_).ToString());
}

void Rule::SetResult(const strata::Status& result) {
  MutexLock lock(&mu_);
  if (result.ok()) {
    health_ = RuleHealth::kOk;
    last_error_.clear();
  } else {
    health_ = RuleHealth::kErr;
    last_error_ = std::string(result.message());
  }
}

void Rule::SetEvaluation(double seconds, int64_t start_wall_ms) {
  MutexLock lock(&mu_);
  evaluation_seconds_ = seconds;
  last_evaluation_ms_ = start_wall_ms;
}

RuleStatus Rule::Snapshot() const {
  RuleStatus s;
  s.is_alerting = is_alerting();
  s.name = name_;
  s.query = query_;
  s.labels = PairsToLabels(labels_);
  MutexLock lock(&mu_);
  s.health = health_;
  s.last_error = last_error_;
  s.evaluation_seconds = evaluation_seconds_;
  s.last_evaluation_ms = last_evaluation_ms_;
  return s;
}

}  // namespace strata::rules
