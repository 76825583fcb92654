#include "server/api/rules_json.h"

#include <algorithm>
#include <utility>

#include "absl/time/time.h"
#include "server/api/query_json.h"
#include "util/go_format.h"
#include "util/strings.h"

namespace strata::server {
namespace {

// Go's Duration.Seconds() of a millisecond duration: whole seconds plus the
// remainder, as Go computes it, so that the float is the same.
double DurationSeconds(int64_t ms) {
  return static_cast<double>(ms / 1000) +
         static_cast<double>((ms % 1000) * 1000000) / 1e9;
}

void AppendKey(std::string* out, std::string_view key) {
  CatTo(out, "\"", key, "\":");
}

void AppendTime(std::string* out, std::optional<int64_t> ms) {
  CatTo(out, "\"", FormatRfc3339Nano(ms), "\"");
}

void AppendAlert(std::string* out, const rules::Alert& alert) {
  out->append("{");
  AppendKey(out, "labels");
  AppendJsonLabels(out, alert.labels);
  out->append(",");
  AppendKey(out, "annotations");
  AppendJsonLabels(out, alert.annotations);
  out->append(",");
  AppendKey(out, "state");
  AppendJsonString(out, rules::AlertStateName(alert.state));
  out->append(",");
  AppendKey(out, "activeAt");
  AppendTime(out, alert.active_at_ms);
  if (alert.keep_firing_since_ms.has_value()) {
    out->append(",");
    AppendKey(out, "keepFiringSince");
    AppendTime(out, alert.keep_firing_since_ms);
  }
  out->append(",");
  AppendKey(out, "value");
  out->append("\"");
  AppendGoFloat(out, alert.value, GoFloatFormat::kExponent);
  out->append("\"}");
}

void AppendAlerts(std::string* out, const std::vector<rules::Alert>& alerts) {
  out->append("[");
  for (size_t i = 0; i < alerts.size(); ++i) {
    if (i > 0) out->append(",");
    AppendAlert(out, alerts[i]);
  }
  out->append("]");
}

// The fields every rule ends with: health, lastError, evaluationTime,
// lastEvaluation and type.
void AppendRuleTail(std::string* out, const rules::RuleStatus& rule,
                    std::string_view type) {
  AppendKey(out, "health");
  AppendJsonString(out, rules::RuleHealthName(rule.health));
  if (!rule.last_error.empty()) {
    out->append(",");
    AppendKey(out, "lastError");
    AppendJsonString(out, rule.last_error);
  }
  out->append(",");
  AppendKey(out, "evaluationTime");
  AppendJsonNumber(out, rule.evaluation_seconds);
  out->append(",");
  AppendKey(out, "lastEvaluation");
  AppendTime(out, rule.last_evaluation_ms);
  out->append(",");
  AppendKey(out, "type");
  AppendJsonString(out, type);
  out->append("}");
}

void AppendAlertingRule(std::string* out, const rules::RuleStatus& rule) {
  out->append("{");
  AppendKey(out, "state");
  AppendJsonString(out, rules::AlertStateName(rule.state));
  out->append(",");
  AppendKey(out, "name");
  AppendJsonString(out, rule.name);
  out->append(",");
  AppendKey(out, "query");
  AppendJsonString(out, rule.query);
  out->append(",");
  AppendKey(out, "duration");
  AppendJsonNumber(out, DurationSeconds(rule.for_ms));
  out->append(",");
  AppendKey(out, "keepFiringFor");
  AppendJsonNumber(out, DurationSeconds(rule.keep_firing_for_ms));
  out->append(",");
  AppendKey(out, "labels");
  AppendJsonLabels(out, rule.labels);
  out->append(",");
  AppendKey(out, "annotations");
  AppendJsonLabels(out, rule.annotations);
  out->append(",");
  AppendKey(out, "alerts");
  AppendAlerts(out, rule.alerts);
  out->append(",");
  AppendRuleTail(out, rule, "alerting");
}

void AppendRecordingRule(std::string* out, const rules::RuleStatus& rule) {
  out->append("{");
  AppendKey(out, "name");
  AppendJsonString(out, rule.name);
  out->append(",");
  AppendKey(out, "query");
  AppendJsonString(out, rule.query);
  out->append(",");
  if (!rule.labels.empty()) {
    AppendKey(out, "labels");
    AppendJsonLabels(out, rule.labels);
    out->append(",");
  }
  AppendRuleTail(out, rule, "recording");
}

void AppendGroup(std::string* out, const rules::GroupStatus& group,
                 RuleTypeFilter filter) {
  out->append("{");
  AppendKey(out, "name");
  AppendJsonString(out, group.name);
  out->append(",");
  AppendKey(out, "file");
  AppendJsonString(out, group.file);
  out->append(",");
  AppendKey(out, "rules");
  out->append("[");
  bool first = true;
  for (const rules::RuleStatus& rule : group.rules) {
    const bool wanted = rule.is_alerting ? filter != RuleTypeFilter::kRecord
                                         : filter != RuleTypeFilter::kAlert;
    if (!wanted) continue;
    if (!first) out->append(",");
    first = false;
    if (rule.is_alerting) {
      AppendAlertingRule(out, rule);
    } else {
      AppendRecordingRule(out, rule);
    }
  }
  out->append("],");
  AppendKey(out, "interval");
  AppendJsonNumber(out, DurationSeconds(group.interval_ms));
  out->append(",");
  AppendKey(out, "limit");
  CatTo(out, group.limit);
  out->append(",");
  AppendKey(out, "evaluationTime");
  AppendJsonNumber(out, group.evaluation_seconds);
  out->append(",");
  AppendKey(out, "lastEvaluation");
  AppendTime(out, group.last_evaluation_ms);
  out->append("}");
}

// Prometheus's Manager.RuleGroups order.
void SortGroups(std::vector<rules::GroupStatus>* groups) {
  std::stable_sort(
      groups->begin(), groups->end(),
      [](const rules::GroupStatus& a, const rules::GroupStatus& b) {
        if (a.file != b.file) return a.file < b.file;
        return a.name < b.name;
      });
}

}  // namespace

std::string FormatRfc3339Nano(std::optional<int64_t> ms) {
  if (!ms.has_value()) return "0001-01-01T00:00:00Z";
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", absl::FromUnixMillis(*ms),
                          absl::UTCTimeZone());
}

std::string RulesJson(std::vector<rules::GroupStatus> groups,
                      RuleTypeFilter filter) {
  SortGroups(&groups);
  std::string out = R"({"groups":[)";
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) out.append(",");
    AppendGroup(&out, groups[i], filter);
  }
  out.append("]}");
  return out;
}

std::string AlertsJson(std::vector<rules::GroupStatus> groups) {
  SortGroups(&groups);
  std::string out = R"({"alerts":[)";
  bool first = true;
  for (const rules::GroupStatus& group : groups) {
    for (const rules::RuleStatus& rule : group.rules) {
      if (!rule.is_alerting) continue;
      for (const rules::Alert& alert : rule.alerts) {
        if (!first) out.append(",");
        first = false;
        AppendAlert(&out, alert);
      }
    }
  }
  out.append("]}");
  return out;
}

std::string AlertmanagersJson(const std::vector<std::string>& urls) {
  std::string out = R"({"activeAlertmanagers":[)";
  for (size_t i = 0; i < urls.size(); ++i) {
    if (i > 0) out.append(",");
    out.append(R"({"url":)");
    AppendJsonString(&out, urls[i]);
    out.append("}");
  }
  out.append(R"(],"droppedAlertmanagers":[]})");
  return out;
}

std::string ConfigJson(std::string_view yaml) {
  std::string out = R"({"yaml":)";
  AppendJsonString(&out, yaml);
  out.append("}");
  return out;
}

}  // namespace strata::server
