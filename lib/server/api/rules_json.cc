#include "server/api/rules_json.h"

#include <algorithm>
#include <utility>

#include "server/api/query_json.h"
#include "util/go_format.h"
#include "util/strings.h"
#include "util/time_format.h"

namespace strata::server {
namespace {

// Go's Duration.Seconds() of a millisecond duration: whole seconds plus the
// remainder, as Go computes it, so that the float is the same.
double DurationSeconds(int64_t ms) {
  return static_cast<double>(ms / 1000) +
         static_cast<double>((ms % 1000) * 1000000) / 1e9;
}

// Writes one JSON object field by field, in the order Prometheus's
// encoding/json writes its struct: "{" at construction, a comma before
// every field but the first, "}" on Close.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }

  // Starts field `key`; the caller appends its value to the result.
  std::string* Key(std::string_view key) {
    if (!first_) out_->push_back(',');
    first_ = false;
    CatTo(out_, "\"", key, "\":");
    return out_;
  }
  void String(std::string_view key, std::string_view value) {
    AppendJsonString(Key(key), value);
  }
  void Number(std::string_view key, double value) {
    AppendJsonNumber(Key(key), value);
  }
  void LabelSet(std::string_view key, const Labels& labels) {
    AppendJsonLabels(Key(key), labels);
  }
  // A time.Time: RFC 3339 with nanoseconds, Go's zero time when unset.
  void Time(std::string_view key, std::optional<int64_t> ms) {
    CatTo(Key(key), "\"", FormatRfc3339Nano(ms), "\"");
  }
  void Close() { out_->push_back('}'); }

 private:
  std::string* const out_;
  bool first_ = true;
};

void AppendAlert(std::string* out, const rules::Alert& alert) {
  ObjectWriter o(out);
  o.LabelSet("labels", alert.labels);
  o.LabelSet("annotations", alert.annotations);
  o.String("state", rules::AlertStateName(alert.state));
  o.Time("activeAt", alert.active_at_ms);
  if (alert.keep_firing_since_ms.has_value()) {
    o.Time("keepFiringSince", alert.keep_firing_since_ms);
  }
  o.String("value", FormatGoFloat(alert.value, GoFloatFormat::kExponent));
  o.Close();
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
void AppendRuleTail(ObjectWriter* o, const rules::RuleStatus& rule,
                    std::string_view type) {
  o->String("health", rules::RuleHealthName(rule.health));
  if (!rule.last_error.empty()) o->String("lastError", rule.last_error);
  o->Number("evaluationTime", rule.evaluation_seconds);
  o->Time("lastEvaluation", rule.last_evaluation_ms);
  o->String("type", type);
  o->Close();
}

void AppendAlertingRule(std::string* out, const rules::RuleStatus& rule) {
  ObjectWriter o(out);
  o.String("state", rules::AlertStateName(rule.state));
  o.String("name", rule.name);
  o.String("query", rule.query);
  o.Number("duration", DurationSeconds(rule.for_ms));
  o.Number("keepFiringFor", DurationSeconds(rule.keep_firing_for_ms));
  o.LabelSet("labels", rule.labels);
  o.LabelSet("annotations", rule.annotations);
  AppendAlerts(o.Key("alerts"), rule.alerts);
  AppendRuleTail(&o, rule, "alerting");
}

void AppendRecordingRule(std::string* out, const rules::RuleStatus& rule) {
  ObjectWriter o(out);
  o.String("name", rule.name);
  o.String("query", rule.query);
  if (!rule.labels.empty()) o.LabelSet("labels", rule.labels);
  AppendRuleTail(&o, rule, "recording");
}

void AppendRules(std::string* out, const std::vector<rules::RuleStatus>& rules,
                 RuleTypeFilter filter) {
  out->append("[");
  bool first = true;
  for (const rules::RuleStatus& rule : rules) {
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
  out->append("]");
}

void AppendGroup(std::string* out, const rules::GroupStatus& group,
                 RuleTypeFilter filter) {
  ObjectWriter o(out);
  o.String("name", group.name);
  o.String("file", group.file);
  AppendRules(o.Key("rules"), group.rules, filter);
  o.Number("interval", DurationSeconds(group.interval_ms));
  CatTo(o.Key("limit"), group.limit);
  o.Number("evaluationTime", group.evaluation_seconds);
  o.Time("lastEvaluation", group.last_evaluation_ms);
  o.Close();
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
  return strata::FormatRfc3339Nano(*ms);
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
