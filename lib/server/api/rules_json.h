// The JSON of Prometheus 2.42's rule and alert endpoints (web/api/v1/api.go:
// RuleDiscovery, RuleGroup, AlertingRule, RecordingRule, AlertDiscovery,
// Alert, AlertmanagerDiscovery, prometheusConfig), field for field and in
// Go's field order, as the "data" of the API envelope:
//
//   rules:  {"groups":[{"name","file","rules":[...],"interval","limit",
//            "evaluationTime","lastEvaluation"}]}
//     alerting rule:  {"state","name","query","duration","keepFiringFor",
//            "labels","annotations","alerts":[...],"health","lastError"?,
//            "evaluationTime","lastEvaluation","type":"alerting"}
//     recording rule: {"name","query","labels"?,"health","lastError"?,
//            "evaluationTime","lastEvaluation","type":"recording"}
//   alert:  {"labels","annotations","state","activeAt","keepFiringSince"?,
//            "value"}
//
// "?" marks fields Go omits when empty: lastError when "", a recording
// rule's labels when it has none, keepFiringSince when unset. Durations
// are float seconds (Go's Duration.Seconds()); times are RFC 3339 with
// nanoseconds as Go's time.Time marshals them, in UTC
// ("2023-01-02T15:04:05.123Z"), and a time never set is Go's zero time
// "0001-01-01T00:00:00Z". An alert's value is strconv.FormatFloat(v, 'e',
// -1, 64) ("1e+00"). Strings are escaped as Go's encoding/json escapes
// them (HTML-safe: '<' is \u003c).
//
// Groups are listed by file, then name, as Prometheus's Manager.RuleGroups
// sorts them; /api/v1/alerts lists the alerts of every alerting rule in
// that group order.
//
// Thread-safety: pure functions.
#ifndef STRATA_SERVER_API_RULES_JSON_H_
#define STRATA_SERVER_API_RULES_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule_group.h"

namespace strata::server {

// /api/v1/rules?type=: "" (both), "alert" or "record".
enum class RuleTypeFilter { kAll, kAlert, kRecord };

std::string RulesJson(std::vector<rules::GroupStatus> groups,
                      RuleTypeFilter filter);
std::string AlertsJson(std::vector<rules::GroupStatus> groups);
// Active Alertmanager URLs; Strata drops none (no relabelling of targets),
// so droppedAlertmanagers is always [].
std::string AlertmanagersJson(const std::vector<std::string>& urls);
// {"yaml":"<text>"}.
std::string ConfigJson(std::string_view yaml);

// Go's time.Time.MarshalJSON text (RFC 3339, trailing zeros of the
// fraction dropped) of `ms` in UTC, without quotes; nullopt gives Go's zero
// time "0001-01-01T00:00:00Z".
std::string FormatRfc3339Nano(std::optional<int64_t> ms);

}  // namespace strata::server

#endif  // STRATA_SERVER_API_RULES_JSON_H_
