#include "rules/rule_group.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "promql/parser.h"
#include "rules/alerting_rule.h"
#include "rules/recording_rule.h"
#include "util/log.h"
#include "util/strings.h"
#include "xxhash.h"

namespace strata::rules {

namespace {

int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// Errors a sample can meet that are expected when rules overlap or the
// clock moves: counted and logged at debug level, as Prometheus does.
bool IsSampleError(const strata::Status& s) {
  return s.Is(StatusCode::kOutOfOrder) || s.Is(StatusCode::kOutOfBounds) ||
         s.Is(StatusCode::kTooOldSample) || s.Is(StatusCode::kDuplicateSample);
}

StatusOr<std::unique_ptr<Rule>> NewRule(const std::string& file,
                                        const RuleSpec& spec,
                                        const GroupOptions& options) {
  StatusOr<promql::ExprPtr> expr = promql::ParseExpr(spec.expr);
  if (!expr.ok()) {
    return Status::InvalidArgument(Cat(file, ": ", expr.status().message()));
  }
  if (!spec.is_alert()) {
    return std::unique_ptr<Rule>(std::make_unique<RecordingRule>(
        spec.record, std::move(*expr), SortedPairs(spec.labels)));
  }
  AlertingRuleOptions o;
  o.for_ms = spec.for_ms;
  o.keep_firing_for_ms = spec.keep_firing_for_ms;
  o.labels = SortedPairs(spec.labels);
  o.annotations = SortedPairs(spec.annotations);
  o.external_labels = options.external_labels;
  o.external_url = options.external_url;
  o.manager_external_url_unset = options.manager_external_url_unset;
  o.restored = !options.restore_for_state;
  return std::unique_ptr<Rule>(std::make_unique<AlertingRule>(
      spec.alert, std::move(*expr), std::move(o)));
}

// Prometheus 2.42 records every native histogram result as a gauge
// histogram (its PromQL does not tell counter resets yet): `h` with that
// hint, copied into *scratch; null for a float sample.
const FloatHistogram* AsGaugeHistogram(const FloatHistogram* h,
                                       FloatHistogram* scratch) {
  if (h == nullptr) return nullptr;
  *scratch = *h;
  scratch->counter_reset_hint = CounterResetHint::kGauge;
  return scratch;
}

}  // namespace

StatusOr<std::unique_ptr<RuleGroup>> RuleGroup::Create(
    std::string file, const RuleGroupSpec& spec, GroupOptions options) {
  if (options.db == nullptr || options.engine == nullptr) {
    return Status::InvalidArgument("rule group needs a DB and an engine");
  }
  std::vector<std::unique_ptr<Rule>> rules;
  rules.reserve(spec.rules.size());
  for (const RuleSpec& r : spec.rules) {
    StatusOr<std::unique_ptr<Rule>> rule = NewRule(file, r, options);
    if (!rule.ok()) return rule.status();
    rules.push_back(std::move(*rule));
  }
  return std::unique_ptr<RuleGroup>(new RuleGroup(
      std::move(file), spec, std::move(options), std::move(rules)));
}

RuleGroup::RuleGroup(std::string file, const RuleGroupSpec& spec,
                     GroupOptions options,
                     std::vector<std::unique_ptr<Rule>> rules)
    : name_(spec.name),
      file_(std::move(file)),
      interval_ms_(spec.interval_ms != 0 ? spec.interval_ms
                                         : options.interval_ms),
      limit_(spec.limit),
      options_(std::move(options)),
      rules_(std::move(rules)),
      series_in_previous_eval_(rules_.size()) {}

RuleGroup::~RuleGroup() = default;

void RuleGroup::Eval(int64_t ts_ms) {
  const int64_t start_wall_ms = WallNowMs();
  const auto start = std::chrono::steady_clock::now();
  int64_t samples = 0;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const auto rule_start = std::chrono::steady_clock::now();
    samples += EvalRule(i, ts_ms);
    if (options_.summaries != nullptr) {
      options_.summaries->ObserveRule(SecondsSince(rule_start));
    }
  }
  WriteStaleSeries(ts_ms);
  const double seconds = SecondsSince(start);
  if (options_.summaries != nullptr) options_.summaries->ObserveGroup(seconds);
  MutexLock lock(&mu_);
  last_evaluation_samples_ = samples;
  evaluation_seconds_ = seconds;
  last_evaluation_ms_ = start_wall_ms;
}

int64_t RuleGroup::EvalRule(size_t i, int64_t ts_ms) {
  Rule& rule = *rules_[i];
  const int64_t start_wall_ms = WallNowMs();
  const auto start = std::chrono::steady_clock::now();
  {
    MutexLock lock(&mu_);
    ++evaluations_total_;
  }
  const QueryContext ctx{options_.db, options_.engine, ts_ms};
  StatusOr<promql::Vector> vector = rule.Eval(ctx, limit_);
  if (!vector.ok()) {
    rule.SetResult(vector.status());
    {
      MutexLock lock(&mu_);
      ++evaluation_failures_total_;
    }
    if (!vector.status().Is(StatusCode::kCancelled)) {
      STRATA_LOG(kWarn, "Evaluating rule failed",
                 {{"file", file_},
                  {"group", name_},
                  {"name", rule.name()},
                  {"index", Cat(i)},
                  {"err", std::string(vector.status().message())}});
    }
    rule.SetEvaluation(SecondsSince(start), start_wall_ms);
    return 0;
  }
  rule.SetResult(strata::Status::OK());
  if (rule.is_alerting()) {
    std::vector<Notification> due =
        static_cast<AlertingRule&>(rule).AlertsToSend(
            ts_ms, options_.resend_delay_ms, interval_ms_);
    if (!due.empty() && options_.notify) options_.notify(std::move(due));
  }
  SeriesRefs returned;
  strata::Status commit = AppendOutput(rule, *vector, ts_ms,
                                       series_in_previous_eval_[i], &returned);
  if (!commit.ok()) {
    rule.SetResult(commit);
    {
      MutexLock lock(&mu_);
      ++evaluation_failures_total_;
    }
    STRATA_LOG(kWarn, "Rule sample appending failed",
               {{"file", file_},
                {"group", name_},
                {"name", rule.name()},
                {"index", Cat(i)},
                {"err", std::string(commit.message())}});
  } else {
    series_in_previous_eval_[i] = std::move(returned);
  }
  rule.SetEvaluation(SecondsSince(start), start_wall_ms);
  return static_cast<int64_t>(vector->size());
}

strata::Status RuleGroup::AppendOutput(Rule& rule, const promql::Vector& vector,
                                       int64_t ts_ms,
                                       const SeriesRefs& previous,
                                       SeriesRefs* returned) {
  std::unique_ptr<Appender> app = options_.db->NewAppender();
  int64_t out_of_order = 0, too_old = 0, duplicates = 0;
  returned->reserve(vector.size());
  // By the reference of the previous evaluation when there is one; by
  // labels if there is none or the series has been garbage collected. A
  // native histogram `h` is appended as one (Prometheus 2.42's
  // AppendHistogram), else the float `v`.
  auto append = [&app, &previous](
                    const Labels& series, int64_t t, double v,
                    const FloatHistogram* h) -> StatusOr<SeriesRef> {
    const auto add = [&](const auto& key) {
      return h != nullptr ? app->AppendHistogram(key, t, nullptr, h)
                          : app->Append(key, t, v);
    };
    if (auto it = previous.find(series); it != previous.end() && it->second) {
      StatusOr<SeriesRef> ref = add(it->second);
      if (ref.ok() || !ref.status().IsNotFound()) return ref;
    }
    return add(series);
  };
  FloatHistogram scratch;
  for (const promql::Sample& s : vector) {
    StatusOr<SeriesRef> ref =
        append(s.metric, s.t, s.v, AsGaugeHistogram(s.h, &scratch));
    if (ref.ok()) {
      returned->emplace(s.metric, *ref);
      continue;
    }
    const strata::Status& err = ref.status();
    rule.SetResult(err);
    if (err.Is(StatusCode::kOutOfOrder)) {
      ++out_of_order;
    } else if (err.Is(StatusCode::kOutOfBounds) ||
               err.Is(StatusCode::kTooOldSample)) {
      ++too_old;
    } else if (err.Is(StatusCode::kDuplicateSample)) {
      ++duplicates;
    } else {
      STRATA_LOG(kWarn, "Rule evaluation result discarded",
                 {{"name", rule.name()},
                  {"err", std::string(err.message())},
                  {"sample", s.metric.ToString()}});
    }
  }
  if (out_of_order > 0) {
    STRATA_LOG(kWarn,
               "Error on ingesting out-of-order result from rule evaluation",
               {{"name", rule.name()}, {"numDropped", Cat(out_of_order)}});
  }
  if (too_old > 0) {
    STRATA_LOG(kWarn, "Error on ingesting too old result from rule evaluation",
               {{"name", rule.name()}, {"numDropped", Cat(too_old)}});
  }
  if (duplicates > 0) {
    STRATA_LOG(kWarn,
               "Error on ingesting results from rule evaluation with different "
               "value but same timestamp",
               {{"name", rule.name()}, {"numDropped", Cat(duplicates)}});
  }
  for (const auto& [series, unused_ref] : previous) {
    if (returned->contains(series)) continue;
    // Series no longer returned: mark it stale. Failures other than the
    // expected ones (another rule may write the series) are logged.
    StatusOr<SeriesRef> ref =
        append(series, ts_ms, promql::StaleNaN(), nullptr);
    if (!ref.ok() && !IsSampleError(ref.status())) {
      STRATA_LOG(kWarn, "Adding stale sample failed",
                 {{"name", rule.name()},
                  {"sample", series.ToString()},
                  {"err", std::string(ref.status().message())}});
    }
  }
  return app->Commit();
}

void RuleGroup::WriteStaleSeries(int64_t ts_ms) {
  if (stale_series_.empty()) return;
  std::unique_ptr<Appender> app = options_.db->NewAppender();
  for (const Labels& series : stale_series_) {
    // A rule that produced the series is no longer configured.
    StatusOr<SeriesRef> ref = app->Append(series, ts_ms, promql::StaleNaN());
    if (!ref.ok() && !IsSampleError(ref.status())) {
      STRATA_LOG(kWarn, "Adding stale sample for previous configuration failed",
                 {{"file", file_},
                  {"group", name_},
                  {"sample", series.ToString()},
                  {"err", std::string(ref.status().message())}});
    }
  }
  strata::Status commit = app->Commit();
  if (!commit.ok()) {
    STRATA_LOG(kWarn,
               "Stale sample appending for previous configuration failed",
               {{"file", file_},
                {"group", name_},
                {"err", std::string(commit.message())}});
    return;
  }
  stale_series_.clear();
}

void RuleGroup::MarkAllSeriesStale(int64_t ts_ms) {
  for (SeriesRefs& set : series_in_previous_eval_) {
    for (const auto& [series, ref] : set) stale_series_.push_back(series);
    set.clear();
  }
  WriteStaleSeries(ts_ms);
}

void RuleGroup::RestoreForState(int64_t ts_ms) {
  StatusOr<std::unique_ptr<Querier>> querier =
      options_.db->NewQuerier(ts_ms - options_.outage_tolerance_ms, ts_ms);
  if (!querier.ok()) {
    STRATA_LOG(kError, "Failed to get Querier",
               {{"file", file_},
                {"group", name_},
                {"err", std::string(querier.status().message())}});
    return;
  }
  for (const std::unique_ptr<Rule>& rule : rules_) {
    if (!rule->is_alerting()) continue;
    static_cast<AlertingRule&>(*rule).RestoreForState(
        **querier, ts_ms, options_.for_grace_period_ms);
  }
}

GroupStatus RuleGroup::Status() const {
  GroupStatus s;
  s.name = name_;
  s.file = file_;
  s.interval_ms = interval_ms_;
  s.limit = limit_;
  s.rules.reserve(rules_.size());
  for (const std::unique_ptr<Rule>& rule : rules_) {
    s.rules.push_back(rule->Snapshot());
  }
  MutexLock lock(&mu_);
  s.evaluation_seconds = evaluation_seconds_;
  s.last_evaluation_ms = last_evaluation_ms_;
  s.evaluations_total = evaluations_total_;
  s.evaluation_failures_total = evaluation_failures_total_;
  s.iterations_total = iterations_total_;
  s.iterations_missed_total = iterations_missed_total_;
  s.last_evaluation_samples = last_evaluation_samples_;
  return s;
}

bool RuleGroup::Equals(const RuleGroup& other) const {
  if (name_ != other.name_ || file_ != other.file_ ||
      interval_ms_ != other.interval_ms_ || limit_ != other.limit_ ||
      rules_.size() != other.rules_.size()) {
    return false;
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i]->Definition() != other.rules_[i]->Definition()) return false;
  }
  return true;
}

void RuleGroup::CopyStateFrom(const RuleGroup& from) {
  {
    MutexLock from_lock(&from.mu_);
    MutexLock lock(&mu_);
    evaluation_seconds_ = from.evaluation_seconds_;
    last_evaluation_ms_ = from.last_evaluation_ms_;
    // Prometheus's counters are per "<file>;<group>" and survive a reload.
    evaluations_total_ = from.evaluations_total_;
    evaluation_failures_total_ = from.evaluation_failures_total_;
    iterations_total_ = from.iterations_total_;
    iterations_missed_total_ = from.iterations_missed_total_;
    last_evaluation_samples_ = from.last_evaluation_samples_;
  }
  // Rules match by name and labels; duplicates first to first, and so on.
  std::map<std::string, std::deque<size_t>> by_key;
  for (size_t fi = 0; fi < from.rules_.size(); ++fi) {
    by_key[from.rules_[fi]->NameAndLabels()].push_back(fi);
  }
  for (size_t i = 0; i < rules_.size(); ++i) {
    std::deque<size_t>& indexes = by_key[rules_[i]->NameAndLabels()];
    if (indexes.empty()) continue;
    const size_t fi = indexes.front();
    indexes.pop_front();
    series_in_previous_eval_[i] = from.series_in_previous_eval_[fi];
    if (rules_[i]->is_alerting() && from.rules_[fi]->is_alerting()) {
      static_cast<AlertingRule&>(*rules_[i])
          .CopyAlertsFrom(static_cast<const AlertingRule&>(*from.rules_[fi]));
    }
  }
  // Deleted and unmatched duplicate rules: their series go stale.
  stale_series_ = from.stale_series_;
  for (size_t fi = 0; fi < from.rules_.size(); ++fi) {
    if (by_key[from.rules_[fi]->NameAndLabels()].empty()) continue;
    for (const auto& [series, ref] : from.series_in_previous_eval_[fi]) {
      stale_series_.push_back(series);
    }
  }
}

int64_t RuleGroup::EvalTimestampNs(int64_t now_ns) const {
  // Prometheus's Group.hash(): labels {file, name} hashed as
  // labels.Labels.Hash does (xxhash64 of name, 0xff, value, 0xff, ...).
  const std::string key = Cat("file\xff", file_, "\xffname\xff", name_, "\xff");
  const uint64_t hash = XXH64(key.data(), key.size(), 0);
  const int64_t interval_ns = std::max<int64_t>(interval_ms_, 1) * 1000000;
  const int64_t offset =
      static_cast<int64_t>(hash % static_cast<uint64_t>(interval_ns));
  const int64_t adjusted = now_ns - offset;
  const int64_t base = adjusted - adjusted % interval_ns;
  return base + offset;
}

void RuleGroup::AddIterations(uint64_t scheduled, uint64_t missed) {
  MutexLock lock(&mu_);
  iterations_total_ += scheduled;
  iterations_missed_total_ += missed;
}

}  // namespace strata::rules
