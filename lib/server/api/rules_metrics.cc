#include "server/api/rules_metrics.h"

#include <optional>
#include <string>
#include <utility>

#include "util/strings.h"

namespace strata::server {
namespace {

struct FamilySpec {
  std::string_view name;
  std::string_view help;
  MetricType type;
};

// Prometheus 2.42's NewGroupMetrics.
enum RuleFamily : size_t {
  kEvaluationDuration,
  kGroupDuration,
  kEvaluations,
  kEvaluationFailures,
  kIterations,
  kIterationsMissed,
  kInterval,
  kLastEvaluationTimestamp,
  kLastDuration,
  kRules,
  kLastEvaluationSamples,
  kRuleFamilyCount,
};

constexpr FamilySpec kRuleFamilies[kRuleFamilyCount] = {
    {"strata_rule_evaluation_duration_seconds",
     "The duration for a rule to execute.", MetricType::kSummary},
    {"strata_rule_group_duration_seconds",
     "The duration of rule group evaluations.", MetricType::kSummary},
    {"strata_rule_evaluations_total", "The total number of rule evaluations.",
     MetricType::kCounter},
    {"strata_rule_evaluation_failures_total",
     "The total number of rule evaluation failures.", MetricType::kCounter},
    {"strata_rule_group_iterations_total",
     "The total number of scheduled rule group evaluations, whether executed "
     "or missed.",
     MetricType::kCounter},
    {"strata_rule_group_iterations_missed_total",
     "The total number of rule group evaluations missed due to slow rule "
     "group evaluation.",
     MetricType::kCounter},
    {"strata_rule_group_interval_seconds", "The interval of a rule group.",
     MetricType::kGauge},
    {"strata_rule_group_last_evaluation_timestamp_seconds",
     "The timestamp of the last rule group evaluation in seconds.",
     MetricType::kGauge},
    {"strata_rule_group_last_duration_seconds",
     "The duration of the last rule group evaluation.", MetricType::kGauge},
    {"strata_rule_group_rules", "The number of rules.", MetricType::kGauge},
    {"strata_rule_group_last_evaluation_samples",
     "The number of samples returned during the last rule group evaluation.",
     MetricType::kGauge},
};

// Prometheus's notifier metrics (newAlertMetrics).
enum NotifierFamily : size_t {
  kLatency,
  kErrors,
  kSent,
  kDropped,
  kQueueLength,
  kQueueCapacity,
  kAlertmanagersDiscovered,
  kNotifierFamilyCount,
};

constexpr FamilySpec kNotifierFamilies[kNotifierFamilyCount] = {
    {"strata_notifications_latency_seconds",
     "Latency quantiles for sending alert notifications.",
     MetricType::kSummary},
    {"strata_notifications_errors_total",
     "Total number of errors sending alert notifications.",
     MetricType::kCounter},
    {"strata_notifications_sent_total", "Total number of alerts sent.",
     MetricType::kCounter},
    {"strata_notifications_dropped_total",
     "Total number of alerts dropped due to errors when sending to "
     "Alertmanager.",
     MetricType::kCounter},
    {"strata_notifications_queue_length",
     "The number of alert notifications in the queue.", MetricType::kGauge},
    {"strata_notifications_queue_capacity",
     "The capacity of the alert notifications queue.", MetricType::kGauge},
    {"strata_notifications_alertmanagers_discovered",
     "The number of alertmanagers discovered and active.", MetricType::kGauge},
};

template <size_t N>
std::vector<MetricFamily> EmptyFamilies(const FamilySpec (&specs)[N]) {
  std::vector<MetricFamily> families(N);
  for (size_t i = 0; i < N; ++i) {
    families[i].name = std::string(specs[i].name);
    families[i].help = std::string(specs[i].help);
    families[i].type = specs[i].type;
  }
  return families;
}

template <size_t N>
std::vector<std::string> Names(const FamilySpec (&specs)[N]) {
  std::vector<std::string> names;
  for (const FamilySpec& spec : specs) names.emplace_back(spec.name);
  return names;
}

void AddPoint(MetricFamily* family, std::string_view label_name,
              const std::string& label_value, double value) {
  MetricPoint point;
  point.labels.emplace_back(std::string(label_name), label_value);
  point.value = value;
  family->points.push_back(std::move(point));
}

MetricPoint SummaryPoint(const SummarySnapshot& summary) {
  MetricPoint point;
  point.count = summary.count;
  point.sum = summary.sum;
  point.quantiles = summary.quantiles;
  return point;
}

// Moves the families that have points to `out`, as client_golang leaves
// empty vectors out.
void EmitNonEmpty(std::vector<MetricFamily> families,
                  std::vector<MetricFamily>* out) {
  for (MetricFamily& family : families) {
    if (!family.points.empty()) out->push_back(std::move(family));
  }
}

}  // namespace

std::vector<MetricFamily> RuleMetricFamilies(
    const std::vector<rules::GroupStatus>& groups,
    const rules::EvaluationDurations* durations) {
  std::vector<MetricFamily> families = EmptyFamilies(kRuleFamilies);
  if (durations != nullptr) {
    families[kEvaluationDuration].points.push_back(
        SummaryPoint(durations->rule));
    families[kGroupDuration].points.push_back(SummaryPoint(durations->group));
  }
  for (const rules::GroupStatus& group : groups) {
    // Prometheus's GroupKey.
    const std::string key = Cat(group.file, ";", group.name);
    const auto add = [&](RuleFamily family, double value) {
      AddPoint(&families[family], "rule_group", key, value);
    };
    add(kEvaluations, static_cast<double>(group.evaluations_total));
    add(kEvaluationFailures,
        static_cast<double>(group.evaluation_failures_total));
    add(kIterations, static_cast<double>(group.iterations_total));
    add(kIterationsMissed, static_cast<double>(group.iterations_missed_total));
    add(kInterval, static_cast<double>(group.interval_ms) / 1000);
    add(kLastEvaluationTimestamp,
        group.last_evaluation_ms.has_value()
            ? static_cast<double>(*group.last_evaluation_ms * 1000000) / 1e9
            : 0);
    add(kLastDuration, group.evaluation_seconds);
    add(kRules, static_cast<double>(group.rules.size()));
    add(kLastEvaluationSamples,
        static_cast<double>(group.last_evaluation_samples));
  }
  return families;
}

std::vector<MetricFamily> NotifierMetricFamilies(const notifier::Stats& stats) {
  std::vector<MetricFamily> families = EmptyFamilies(kNotifierFamilies);
  for (const notifier::AlertmanagerStats& am : stats.alertmanagers) {
    MetricPoint latency = SummaryPoint(am.latency);
    latency.labels.emplace_back("alertmanager", am.url);
    families[kLatency].points.push_back(std::move(latency));
    AddPoint(&families[kErrors], "alertmanager", am.url,
             static_cast<double>(am.errors_total));
    AddPoint(&families[kSent], "alertmanager", am.url,
             static_cast<double>(am.sent_total));
  }
  const auto set = [&](NotifierFamily family, double value) {
    MetricPoint point;
    point.value = value;
    families[family].points.push_back(std::move(point));
  };
  set(kDropped, static_cast<double>(stats.dropped_total));
  set(kQueueLength, static_cast<double>(stats.queue_length));
  set(kQueueCapacity, static_cast<double>(stats.queue_capacity));
  set(kAlertmanagersDiscovered,
      static_cast<double>(stats.alertmanagers_discovered));
  return families;
}

void AddRuleMetrics(MetricsRegistry* registry,
                    std::function<std::vector<rules::GroupStatus>()> groups,
                    std::function<rules::EvaluationDurations()> durations) {
  registry->AddCollector(
      Names(kRuleFamilies),
      [groups = std::move(groups),
       durations = std::move(durations)](std::vector<MetricFamily>* out) {
        std::optional<rules::EvaluationDurations> d;
        if (durations) d = durations();
        EmitNonEmpty(RuleMetricFamilies(
                         groups ? groups() : std::vector<rules::GroupStatus>{},
                         d.has_value() ? &*d : nullptr),
                     out);
      });
}

void AddNotifierMetrics(MetricsRegistry* registry,
                        std::function<notifier::Stats()> stats) {
  registry->AddCollector(
      Names(kNotifierFamilies),
      [stats = std::move(stats)](std::vector<MetricFamily>* out) {
        if (!stats) return;
        EmitNonEmpty(NotifierMetricFamilies(stats()), out);
      });
}

}  // namespace strata::server
