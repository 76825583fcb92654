// RuleGroup evaluation on a real DB: recording output, staleness markers,
// ALERTS / ALERTS_FOR_STATE, the alert state machine, templates, limits,
// notifications and for-state restore, with Prometheus 2.42's semantics
// (rules/manager.go, alerting.go, recording.go).
#include "rules/rule_group.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rules_test_util.h"

namespace strata::rules {
namespace {

using testing::kMinute;

class RuleGroupTest : public testing::RulesTest {
 protected:
  std::unique_ptr<RuleGroup> NewGroup(std::string_view yaml,
                                      bool restore = false) {
    GroupOptions options;
    options.db = db_.get();
    options.engine = &engine_;
    options.interval_ms = kMinute;
    options.external_labels = Labels::Of({{"cluster", "c1"}});
    options.external_url = "http://strata.example:9090";
    options.restore_for_state = restore;
    options.notify = [this](std::vector<Notification> n) {
      sent_.insert(sent_.end(), n.begin(), n.end());
    };
    auto group = RuleGroup::Create("rules.yml", ParseGroup(yaml), options);
    EXPECT_TRUE(group.ok()) << group.status().ToString();
    return group.ok() ? std::move(*group) : nullptr;
  }

  static Labels Up(std::string_view instance) {
    return Labels::Of(
        {{"__name__", "up"}, {"job", "api"}, {"instance", instance}});
  }

  std::vector<Notification> sent_;
};

constexpr const char* kRecording = R"(groups:
- name: g
  rules:
  - record: job:up:sum
    expr: sum by (job) (up)
    labels: {team: a}
  - record: job:up:sum_plus_one
    expr: job:up:sum + 1
)";

TEST_F(RuleGroupTest, RecordingRulesSeeEarlierRulesOutput) {
  Append(Up("1"), 0, 1);
  Append(Up("2"), 0, 1);
  auto group = NewGroup(kRecording);
  ASSERT_NE(group, nullptr);
  group->Eval(30000);
  EXPECT_EQ(Query("job:up:sum", 30000),
            std::vector<std::string>{
                "job:up:sum{job=\"api\", team=\"a\"} => 2.000000"});
  EXPECT_EQ(Query("job:up:sum_plus_one", 30000),
            std::vector<std::string>{
                "job:up:sum_plus_one{job=\"api\", team=\"a\"} => 3.000000"});
  GroupStatus s = group->Status();
  EXPECT_EQ(s.name, "g");
  EXPECT_EQ(s.file, "rules.yml");
  EXPECT_EQ(s.interval_ms, kMinute);
  ASSERT_EQ(s.rules.size(), 2u);
  EXPECT_EQ(s.rules[0].health, RuleHealth::kOk);
  EXPECT_EQ(s.rules[0].query, "sum by (job) (up)");
  EXPECT_EQ(s.rules[0].labels, Labels::Of({{"team", "a"}}));
  EXPECT_TRUE(s.rules[0].last_evaluation_ms.has_value());
  EXPECT_TRUE(s.last_evaluation_ms.has_value());
  EXPECT_EQ(s.evaluations_total, 2u);
  EXPECT_EQ(s.evaluation_failures_total, 0u);
  EXPECT_EQ(s.last_evaluation_samples, 2);
}

TEST_F(RuleGroupTest, ScalarResultIsRecordedWithoutLabels) {
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - record: answer
    expr: "42"
)");
  group->Eval(1000);
  EXPECT_EQ(Query("answer", 1000),
            std::vector<std::string>{"answer => 42.000000"});
}

TEST_F(RuleGroupTest, StalenessMarkersForVanishedSeries) {
  Append(Up("1"), 0, 1);
  Append(Up("2"), 0, 1);
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - record: up:copy
    expr: up
)");
  group->Eval(10000);
  // instance 2 stops reporting: its sample goes stale before the next eval.
  Append(Up("1"), 20000, 1);
  Append(Up("2"), 20000, promql::StaleNaN());
  group->Eval(30000);
  Labels copy2 =
      Labels::Of({{"__name__", "up:copy"}, {"job", "api"}, {"instance", "2"}});
  auto raw = Raw(copy2, 0, 100000);
  ASSERT_EQ(raw.size(), 2u);
  EXPECT_EQ(raw[0], (std::pair<int64_t, double>{10000, 1}));
  EXPECT_EQ(raw[1].first, 30000);
  EXPECT_TRUE(IsStale(raw[1].second));
  EXPECT_EQ(Query("up:copy", 30000).size(), 1u);
}

TEST_F(RuleGroupTest, DuplicateOutputSeriesIsAnError) {
  Append(Up("1"), 0, 1);
  Append(Up("2"), 0, 1);
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - record: up:any
    expr: up
    labels: {instance: x}
)");
  group->Eval(1000);
  GroupStatus s = group->Status();
  EXPECT_EQ(s.rules[0].health, RuleHealth::kErr);
  EXPECT_EQ(s.rules[0].last_error,
            "vector contains metrics with the same labelset after applying "
            "rule labels");
  EXPECT_EQ(s.evaluation_failures_total, 1u);
  EXPECT_TRUE(Query("up:any", 1000).empty());
}

TEST_F(RuleGroupTest, EmptyRuleLabelRemovesTheSeriesLabel) {
  Append(Up("1"), 0, 1);
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - record: up:no_instance
    expr: up
    labels: {instance: ""}
)");
  group->Eval(1000);
  EXPECT_EQ(
      Query("up:no_instance", 1000),
      std::vector<std::string>{"up:no_instance{job=\"api\"} => 1.000000"});
}

TEST_F(RuleGroupTest, LimitErrors) {
  Append(Up("1"), 0, 0);
  Append(Up("2"), 0, 0);
  auto group = NewGroup(R"(groups:
- name: g
  limit: 1
  rules:
  - record: up:copy
    expr: up
  - alert: Down
    expr: up == 0
)");
  group->Eval(1000);
  GroupStatus s = group->Status();
  EXPECT_EQ(s.limit, 1);
  EXPECT_EQ(s.rules[0].last_error, "exceeded limit of 1 with 2 series");
  EXPECT_EQ(s.rules[1].last_error, "exceeded limit of 1 with 2 alerts");
  EXPECT_TRUE(s.rules[1].alerts.empty());
  EXPECT_EQ(s.evaluation_failures_total, 2u);
}

TEST_F(RuleGroupTest, QueryErrorsAreRecorded) {
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - record: s
    expr: '"a string"'
)");
  group->Eval(1000);
  EXPECT_EQ(group->Status().rules[0].last_error,
            "rule result is not a vector or scalar");
}

constexpr const char* kAlert = R"(groups:
- name: g
  rules:
  - alert: InstanceDown
    expr: up == 0
    for: 2m
    labels:
      severity: page
      instance_copy: "{{ $labels.instance }}"
    annotations:
      summary: "{{ $labels.job }}/{{ $labels.instance }} down ({{ $value }}) in {{ $externalLabels.cluster }}"
)";

TEST_F(RuleGroupTest, AlertGoesPendingFiringResolved) {
  auto group = NewGroup(kAlert);
  for (int64_t t = 0; t <= 3 * kMinute; t += kMinute) Append(Up("1"), t, 0);
  Append(Up("1"), 4 * kMinute, 1);

  const Labels alert_labels = Labels::Of({{"alertname", "InstanceDown"},
                                          {"instance", "1"},
                                          {"instance_copy", "1"},
                                          {"job", "api"},
                                          {"severity", "page"}});
  group->Eval(0);
  RuleStatus r = group->Status().rules[0];
  EXPECT_TRUE(r.is_alerting);
  EXPECT_EQ(r.for_ms, 2 * kMinute);
  EXPECT_EQ(r.state, AlertState::kPending);
  ASSERT_EQ(r.alerts.size(), 1u);
  EXPECT_EQ(r.alerts[0].labels, alert_labels);
  EXPECT_EQ(r.alerts[0].annotations,
            Labels::Of({{"summary", "api/1 down (0) in c1"}}));
  EXPECT_EQ(r.alerts[0].active_at_ms, 0);
  EXPECT_FALSE(r.alerts[0].fired_at_ms.has_value());
  EXPECT_EQ(Query("ALERTS", 0),
            std::vector<std::string>{
                "ALERTS{alertname=\"InstanceDown\", alertstate=\"pending\", "
                "instance=\"1\", instance_copy=\"1\", job=\"api\", "
                "severity=\"page\"} => 1.000000"});
  EXPECT_EQ(Query("ALERTS_FOR_STATE", 0),
            std::vector<std::string>{
                "ALERTS_FOR_STATE{alertname=\"InstanceDown\", instance=\"1\", "
                "instance_copy=\"1\", job=\"api\", severity=\"page\"} => "
                "0.000000"});
  EXPECT_TRUE(sent_.empty());  // Pending alerts are not sent.

  group->Eval(kMinute);
  EXPECT_EQ(group->Status().rules[0].state, AlertState::kPending);
  group->Eval(2 * kMinute);
  r = group->Status().rules[0];
  EXPECT_EQ(r.state, AlertState::kFiring);
  EXPECT_EQ(r.alerts[0].fired_at_ms, 2 * kMinute);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].labels, alert_labels);
  EXPECT_EQ(sent_[0].starts_at_ms, 2 * kMinute);
  // valid until ts + 4 * max(interval, resend delay).
  EXPECT_EQ(sent_[0].ends_at_ms, 2 * kMinute + 4 * kMinute);
  EXPECT_EQ(sent_[0].generator_url,
            "http://strata.example:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1");
  // The pending series got a staleness marker when the alert fired.
  EXPECT_EQ(Query("ALERTS{alertstate=\"firing\"}", 2 * kMinute).size(), 1u);
  EXPECT_TRUE(Query("ALERTS{alertstate=\"pending\"}", 2 * kMinute).empty());

  // Re-sent only after the resend delay (1m): not at +1m exactly.
  group->Eval(3 * kMinute);
  EXPECT_EQ(sent_.size(), 1u);

  group->Eval(4 * kMinute);  // up == 1: resolved.
  r = group->Status().rules[0];
  EXPECT_EQ(r.state, AlertState::kInactive);
  EXPECT_TRUE(r.alerts.empty());
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1].ends_at_ms, 4 * kMinute);
  EXPECT_EQ(sent_[1].starts_at_ms, 2 * kMinute);
  EXPECT_TRUE(Query("ALERTS", 4 * kMinute).empty());
  Labels firing = Labels::Of({{"__name__", "ALERTS"},
                              {"alertname", "InstanceDown"},
                              {"alertstate", "firing"},
                              {"instance", "1"},
                              {"instance_copy", "1"},
                              {"job", "api"},
                              {"severity", "page"}});
  auto raw = Raw(firing, 0, 10 * kMinute);
  ASSERT_FALSE(raw.empty());
  EXPECT_EQ(raw.back().first, 4 * kMinute);
  EXPECT_TRUE(IsStale(raw.back().second));

  // A resolved alert is re-sent every resend delay for 15 minutes.
  group->Eval(5 * kMinute);
  EXPECT_EQ(sent_.size(), 2u) << "resolved since last send: sent once";
}

TEST_F(RuleGroupTest, AlertWithoutForFiresAtOnceAndResolvedIsDroppedLater) {
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - alert: Down
    expr: up == 0
)");
  Append(Up("1"), 0, 0);
  Append(Up("1"), kMinute, 1);
  group->Eval(0);
  EXPECT_EQ(group->Status().rules[0].state, AlertState::kFiring);
  group->Eval(kMinute);
  // Resolved: inactive but kept for notifications.
  EXPECT_EQ(group->Status().rules[0].state, AlertState::kInactive);
  group->Eval(kMinute + 15 * kMinute + 1);
  EXPECT_EQ(group->Status().rules[0].state, AlertState::kInactive);
}

TEST_F(RuleGroupTest, KeepFiringFor) {
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - alert: Down
    expr: up == 0
    keep_firing_for: 2m
)");
  Append(Up("1"), 0, 0);
  Append(Up("1"), kMinute, 1);
  group->Eval(0);
  EXPECT_EQ(group->Status().rules[0].state, AlertState::kFiring);
  group->Eval(kMinute);  // Condition gone: keeps firing since 1m.
  RuleStatus r = group->Status().rules[0];
  EXPECT_EQ(r.keep_firing_for_ms, 2 * kMinute);
  EXPECT_EQ(r.state, AlertState::kFiring);
  ASSERT_EQ(r.alerts.size(), 1u);
  EXPECT_EQ(r.alerts[0].keep_firing_since_ms, kMinute);
  EXPECT_EQ(Query("ALERTS", kMinute).size(), 1u);
  group->Eval(2 * kMinute);
  EXPECT_EQ(group->Status().rules[0].state, AlertState::kFiring);
  group->Eval(3 * kMinute);  // 2m after it stopped: resolved.
  EXPECT_EQ(group->Status().rules[0].state, AlertState::kInactive);
}

TEST_F(RuleGroupTest, TemplateQueryRunsAtEvaluationTime) {
  Append(Up("1"), 0, 0);
  Append(Labels::Of({{"__name__", "threshold"}}), 0, 7);
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - alert: Down
    expr: up == 0
    annotations:
      threshold: '{{ with query "threshold" }}{{ . | first | value }}{{ end }}'
      url: '{{ $externalURL }}'
      broken: '{{ .Lables }}'
)");
  group->Eval(1000);
  RuleStatus r = group->Status().rules[0];
  ASSERT_EQ(r.alerts.size(), 1u);
  EXPECT_EQ(r.alerts[0].annotations.Get("threshold"), "7");
  EXPECT_EQ(r.alerts[0].annotations.Get("url"), "http://strata.example:9090");
  EXPECT_EQ(r.alerts[0].annotations.Get("broken").substr(0, 31),
            "<error expanding template: erro");
  EXPECT_EQ(r.annotations.Get("url"), "{{ $externalURL }}");
}

TEST_F(RuleGroupTest, DuplicateAlertLabelsetIsAnError) {
  Append(Up("1"), 0, 0);
  Append(Up("2"), 0, 0);
  auto group = NewGroup(R"(groups:
- name: g
  rules:
  - alert: Down
    expr: up == 0
    labels: {instance: all}
)");
  group->Eval(1000);
  EXPECT_EQ(group->Status().rules[0].last_error,
            "vector contains metrics with the same labelset after applying "
            "alert labels");
}

TEST_F(RuleGroupTest, NoAlertSeriesBeforeRestore) {
  Append(Up("1"), 0, 0);
  auto group = NewGroup(kAlert, /*restore=*/true);
  group->Eval(0);
  EXPECT_EQ(group->Status().rules[0].state, AlertState::kPending);
  EXPECT_TRUE(Query("ALERTS", 0).empty());
  group->RestoreForState(30000);
  Append(Up("1"), kMinute, 0);
  group->Eval(kMinute);
  EXPECT_EQ(Query("ALERTS", kMinute).size(), 1u);
}

// An alert pending for 3m of a 20m `for` when the server stops, restarted
// 2m later: the pending time continues where it stopped (active_at moves
// by the downtime).
TEST_F(RuleGroupTest, RestoreForStateAfterRestart) {
  const char* yaml = R"(groups:
- name: g
  rules:
  - alert: Slow
    expr: up == 0
    for: 20m
  - alert: Fast
    expr: up == 0
    for: 11m
)";
  {
    auto group = NewGroup(yaml);
    for (int64_t t = 0; t <= 3 * kMinute; t += kMinute) {
      Append(Up("1"), t, 0);
      group->Eval(t);
    }
  }
  ReopenDB();
  const int64_t restart = 5 * kMinute;
  Append(Up("1"), restart, 0);
  auto group = NewGroup(yaml, /*restore=*/true);
  group->Eval(restart);
  group->RestoreForState(restart);
  GroupStatus s = group->Status();
  ASSERT_EQ(s.rules[0].alerts.size(), 1u);
  // Down at 3m after 3m pending: 17m remain, more than the grace period.
  EXPECT_EQ(s.rules[0].alerts[0].active_at_ms, 0 + (restart - 3 * kMinute));
  // 8m remain, less than the 10m grace period: fire 10m from now.
  ASSERT_EQ(s.rules[1].alerts.size(), 1u);
  EXPECT_EQ(s.rules[1].alerts[0].active_at_ms,
            restart + 10 * kMinute - 11 * kMinute);
}

TEST_F(RuleGroupTest, RestoreSkipsStaleAndShortFor) {
  const char* yaml = R"(groups:
- name: g
  rules:
  - alert: Slow
    expr: up == 0
    for: 20m
)";
  {
    auto group = NewGroup(yaml);
    Append(Up("1"), 0, 0);
    group->Eval(0);
    Append(Up("1"), kMinute, 1);
    group->Eval(kMinute);  // Resolved: ALERTS_FOR_STATE goes stale.
  }
  Append(Up("1"), 2 * kMinute, 0);
  auto group = NewGroup(yaml, /*restore=*/true);
  group->Eval(2 * kMinute);
  group->RestoreForState(2 * kMinute);
  EXPECT_EQ(group->Status().rules[0].alerts[0].active_at_ms, 2 * kMinute);
}

TEST_F(RuleGroupTest, CopyStateKeepsAlertsAndStalesRemovedRules) {
  Append(Up("1"), 0, 0);
  auto old_group = NewGroup(R"(groups:
- name: g
  rules:
  - alert: Down
    expr: up == 0
    for: 1h
  - record: up:copy
    expr: up
)");
  old_group->Eval(0);
  auto new_group = NewGroup(R"(groups:
- name: g
  rules:
  - alert: Down
    expr: up == 0
    for: 1h
)");
  EXPECT_FALSE(new_group->Equals(*old_group));
  new_group->CopyStateFrom(*old_group);
  Append(Up("1"), kMinute, 0);
  new_group->Eval(kMinute);
  GroupStatus s = new_group->Status();
  ASSERT_EQ(s.rules[0].alerts.size(), 1u);
  EXPECT_EQ(s.rules[0].alerts[0].active_at_ms, 0);
  auto raw = Raw(
      Labels::Of({{"__name__", "up:copy"}, {"job", "api"}, {"instance", "1"}}),
      0, kMinute);
  ASSERT_EQ(raw.size(), 2u);
  EXPECT_TRUE(IsStale(raw[1].second));
}

TEST_F(RuleGroupTest, EqualsComparesDefinitions) {
  auto a = NewGroup(kAlert);
  auto b = NewGroup(kAlert);
  EXPECT_TRUE(a->Equals(*b));
  std::string changed = kAlert;
  changed.replace(changed.find("2m"), 2, "3m");
  auto c = NewGroup(changed);
  EXPECT_FALSE(a->Equals(*c));
}

TEST_F(RuleGroupTest, EvalTimestampIsSlotted) {
  auto group = NewGroup(kRecording);
  const int64_t interval_ns = kMinute * 1000000;
  const int64_t now = 1765000000123456789;
  const int64_t slot = group->EvalTimestampNs(now);
  EXPECT_LE(slot, now);
  EXPECT_GT(slot, now - interval_ns);
  EXPECT_EQ(group->EvalTimestampNs(slot + interval_ns), slot + interval_ns);
  EXPECT_EQ(group->EvalTimestampNs(slot + 5 * interval_ns - 1),
            slot + 4 * interval_ns);
}

TEST_F(RuleGroupTest, BadExpressionFailsCreate) {
  RuleGroupSpec spec;
  spec.name = "g";
  RuleSpec rule;
  rule.record = "x";
  rule.expr = "sum(";
  spec.rules.push_back(rule);
  GroupOptions options;
  options.db = db_.get();
  options.engine = &engine_;
  auto group = RuleGroup::Create("f.yml", spec, options);
  ASSERT_FALSE(group.ok());
  EXPECT_EQ(group.status().message().substr(0, 6), "f.yml:");
}

}  // namespace
}  // namespace strata::rules
