// The rule, alert, Alertmanager and configuration endpoints and the rule
// and notifier metrics, from hand-built snapshots: every field of
// Prometheus 2.42's JSON, byte for byte.
#include "server/api/rules_api.h"

#include <string>
#include <vector>

#include "api_request.h"
#include "gtest/gtest.h"
#include "server/api/rules_json.h"
#include "server/api/rules_metrics.h"
#include "server/http/router.h"

namespace strata::server {
namespace {

// 2023-01-02T03:04:05.678Z
constexpr int64_t kT = 1672628645678;

rules::RuleStatus RecordingRule() {
  rules::RuleStatus rule;
  rule.name = "job:up:sum";
  rule.query = "sum by (job) (up)";
  rule.health = rules::RuleHealth::kOk;
  rule.evaluation_seconds = 0.000512;
  rule.last_evaluation_ms = kT;
  return rule;
}

rules::Alert FiringAlert() {
  rules::Alert alert;
  alert.state = rules::AlertState::kFiring;
  alert.labels = Labels::Of({{"alertname", "Down"}, {"job", "node"}});
  alert.annotations = Labels::Of({{"summary", "node <down> & out"}});
  alert.value = 1;
  alert.active_at_ms = kT - 60000;
  alert.fired_at_ms = kT;
  return alert;
}

rules::RuleStatus AlertingRule() {
  rules::RuleStatus rule;
  rule.is_alerting = true;
  rule.name = "Down";
  rule.query = "up == 0";
  rule.labels = Labels::Of({{"severity", "page"}});
  rule.annotations = Labels::Of({{"summary", "{{ $labels.job }} <down>"}});
  rule.for_ms = 300000;
  rule.keep_firing_for_ms = 1500;
  rule.health = rules::RuleHealth::kErr;
  rule.last_error = "vector contains metrics with the same labelset";
  rule.evaluation_seconds = 0.25;
  rule.last_evaluation_ms = kT;
  rule.state = rules::AlertState::kFiring;
  rule.alerts = {FiringAlert()};
  return rule;
}

rules::GroupStatus Group(std::string file, std::string name) {
  rules::GroupStatus group;
  group.file = std::move(file);
  group.name = std::move(name);
  group.interval_ms = 15000;
  group.limit = 10;
  group.evaluation_seconds = 0.003;
  group.last_evaluation_ms = kT;
  group.rules = {RecordingRule(), AlertingRule()};
  return group;
}

constexpr std::string_view kRecordingJson =
    R"j({"name":"job:up:sum","query":"sum by (job) (up)","health":"ok",)j"
    R"j("evaluationTime":0.000512,)j"
    R"j("lastEvaluation":"2023-01-02T03:04:05.678Z","type":"recording"})j";
constexpr std::string_view kAlertJson =
    R"j({"labels":{"alertname":"Down","job":"node"},)j"
    R"j("annotations":{"summary":"node \u003cdown\u003e \u0026 out"},)j"
    R"j("state":"firing","activeAt":"2023-01-02T03:03:05.678Z",)j"
    R"j("value":"1e+00"})j";

std::string AlertingJson() {
  return std::string(
             R"j({"state":"firing","name":"Down","query":"up == 0",)j"
             R"j("duration":300,"keepFiringFor":1.5,)j"
             R"j("labels":{"severity":"page"},)j"
             R"j("annotations":{"summary":"{{ $labels.job }} \u003cdown\u003e"},)j"
             R"j("alerts":[)j") +
         std::string(kAlertJson) +
         R"j(],"health":"err",)j"
         R"j("lastError":"vector contains metrics with the same labelset",)j"
         R"j("evaluationTime":0.25,)j"
         R"j("lastEvaluation":"2023-01-02T03:04:05.678Z","type":"alerting"})j";
}

std::string GroupJson(std::string_view file, std::string_view name,
                      std::string_view rules) {
  return std::string(R"j({"name":")j") + std::string(name) + R"j(","file":")j" +
         std::string(file) + R"j(","rules":[)j" + std::string(rules) +
         R"j(],"interval":15,"limit":10,"evaluationTime":0.003,)j"
         R"j("lastEvaluation":"2023-01-02T03:04:05.678Z"})j";
}

TEST(RulesJsonTest, EveryFieldOfBothRuleKinds) {
  const std::string rules = std::string(kRecordingJson) + "," + AlertingJson();
  EXPECT_EQ(RulesJson({Group("/r/a.yml", "g")}, RuleTypeFilter::kAll),
            R"j({"groups":[)j" + GroupJson("/r/a.yml", "g", rules) + "]}");
}

TEST(RulesJsonTest, TypeFilterKeepsGroupsWithTheirOtherRulesLeftOut) {
  EXPECT_EQ(RulesJson({Group("f", "g")}, RuleTypeFilter::kAlert),
            R"j({"groups":[)j" + GroupJson("f", "g", AlertingJson()) + "]}");
  EXPECT_EQ(RulesJson({Group("f", "g")}, RuleTypeFilter::kRecord),
            R"j({"groups":[)j" + GroupJson("f", "g", kRecordingJson) + "]}");
  rules::GroupStatus only_recording = Group("f", "g");
  only_recording.rules.pop_back();
  EXPECT_EQ(RulesJson({only_recording}, RuleTypeFilter::kAlert),
            R"j({"groups":[)j" + GroupJson("f", "g", "") + "]}");
}

TEST(RulesJsonTest, EmptyCases) {
  EXPECT_EQ(RulesJson({}, RuleTypeFilter::kAll), R"j({"groups":[]})j");
  EXPECT_EQ(AlertsJson({}), R"j({"alerts":[]})j");
  EXPECT_EQ(AlertmanagersJson({}),
            R"j({"activeAlertmanagers":[],"droppedAlertmanagers":[]})j");
  EXPECT_EQ(ConfigJson(""), R"j({"yaml":""})j");

  // A group never evaluated, an alerting rule without labels, annotations
  // or alerts, and a recording rule with labels.
  rules::GroupStatus group;
  group.file = "f";
  group.name = "g";
  group.interval_ms = 60000;
  rules::RuleStatus alerting;
  alerting.is_alerting = true;
  alerting.name = "A";
  alerting.query = "vector(1)";
  rules::RuleStatus recording;
  recording.name = "r";
  recording.query = "vector(1)";
  recording.labels = Labels::Of({{"a", "b"}});
  group.rules = {alerting, recording};
  EXPECT_EQ(
      RulesJson({group}, RuleTypeFilter::kAll),
      R"j({"groups":[{"name":"g","file":"f","rules":[)j"
      R"j({"state":"inactive","name":"A","query":"vector(1)","duration":0,)j"
      R"j("keepFiringFor":0,"labels":{},"annotations":{},"alerts":[],)j"
      R"j("health":"unknown","evaluationTime":0,)j"
      R"j("lastEvaluation":"0001-01-01T00:00:00Z","type":"alerting"},)j"
      R"j({"name":"r","query":"vector(1)","labels":{"a":"b"},)j"
      R"j("health":"unknown","evaluationTime":0,)j"
      R"j("lastEvaluation":"0001-01-01T00:00:00Z","type":"recording"}],)j"
      R"j("interval":60,"limit":0,"evaluationTime":0,)j"
      R"j("lastEvaluation":"0001-01-01T00:00:00Z"}]})j");
}

TEST(RulesJsonTest, GroupsSortedByFileThenName) {
  std::vector<rules::GroupStatus> groups = {Group("b", "x"), Group("a", "z"),
                                            Group("a", "y")};
  for (auto& g : groups) g.rules.clear();
  EXPECT_EQ(RulesJson(groups, RuleTypeFilter::kAll),
            R"j({"groups":[)j" + GroupJson("a", "y", "") + "," +
                GroupJson("a", "z", "") + "," + GroupJson("b", "x", "") + "]}");
}

TEST(RulesJsonTest, AlertsOfEveryAlertingRule) {
  rules::GroupStatus second = Group("f", "h");
  second.rules[1].alerts[0].state = rules::AlertState::kPending;
  second.rules[1].alerts[0].value = 0.5;
  second.rules[1].alerts[0].keep_firing_since_ms = kT;
  const std::string pending =
      R"j({"labels":{"alertname":"Down","job":"node"},)j"
      R"j("annotations":{"summary":"node \u003cdown\u003e \u0026 out"},)j"
      R"j("state":"pending","activeAt":"2023-01-02T03:03:05.678Z",)j"
      R"j("keepFiringSince":"2023-01-02T03:04:05.678Z","value":"5e-01"})j";
  EXPECT_EQ(
      AlertsJson({second, Group("f", "g")}),
      R"j({"alerts":[)j" + std::string(kAlertJson) + "," + pending + "]}");
}

TEST(RulesJsonTest, AlertmanagersAndConfig) {
  EXPECT_EQ(AlertmanagersJson({"http://127.0.0.1:9093/api/v2/alerts",
                               "http://am:80/p/api/v2/alerts"}),
            R"j({"activeAlertmanagers":[)j"
            R"j({"url":"http://127.0.0.1:9093/api/v2/alerts"},)j"
            R"j({"url":"http://am:80/p/api/v2/alerts"}],)j"
            R"j("droppedAlertmanagers":[]})j");
  EXPECT_EQ(ConfigJson("global:\n  a: \"<b>\"\n"),
            R"j({"yaml":"global:\n  a: \"\u003cb\u003e\"\n"})j");
}

TEST(RulesJsonTest, TimesAsGoMarshalsThem) {
  EXPECT_EQ(FormatRfc3339Nano(std::nullopt), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Nano(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Nano(1500), "1970-01-01T00:00:01.5Z");
  EXPECT_EQ(FormatRfc3339Nano(kT), "2023-01-02T03:04:05.678Z");
  EXPECT_EQ(FormatRfc3339Nano(kT - 678 + 10), "2023-01-02T03:04:05.01Z");
}

TEST(RulesJsonTest, NumbersAsGoMarshalsThem) {
  rules::RuleStatus rule = RecordingRule();
  const auto eval_time = [&](double seconds) {
    rule.evaluation_seconds = seconds;
    rules::GroupStatus group;
    group.rules = {rule};
    const std::string json = RulesJson({group}, RuleTypeFilter::kAll);
    const size_t at = json.find(R"j("evaluationTime":)j") + 17;
    return json.substr(at, json.find(',', at) - at);
  };
  EXPECT_EQ(eval_time(0.000000512), "5.12e-7");
  EXPECT_EQ(eval_time(0.000001), "0.000001");
  EXPECT_EQ(eval_time(12.5), "12.5");
  EXPECT_EQ(eval_time(1e21), "1e+21");
}

// ---- The handler ----

using testing::Get;

class RulesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RulesApiOptions options;
    options.groups = [] {
      return std::vector<rules::GroupStatus>{Group("f", "g")};
    };
    options.alertmanagers = [] {
      return std::vector<std::string>{"http://a:9093/api/v2/alerts"};
    };
    options.config_yaml = [] { return std::string("rule_files: []\n"); };
    options.ready = [this] { return ready_; };
    options.cross_origin = *CrossOriginPolicy::Create("http://grafana");
    api_ = std::make_unique<RulesApi>(std::move(options));
    api_->RegisterRoutes(&router_);
  }

  Response Dispatch(Request request) {
    std::string route;
    return router_.Dispatch(request, &route);
  }

  bool ready_ = true;
  Router router_;
  std::unique_ptr<RulesApi> api_;
};

TEST_F(RulesApiTest, ServesEachEndpointInTheEnvelope) {
  Response rules = Dispatch(Get("/api/v1/rules"));
  EXPECT_EQ(rules.status, 200);
  EXPECT_EQ(rules.body, R"j({"status":"success","data":)j" +
                            RulesJson({Group("f", "g")}, RuleTypeFilter::kAll) +
                            "}");
  EXPECT_EQ(Dispatch(Get("/api/v1/rules", "type=ALERT")).body,
            R"j({"status":"success","data":)j" +
                RulesJson({Group("f", "g")}, RuleTypeFilter::kAlert) + "}");
  EXPECT_EQ(Dispatch(Get("/api/v1/rules", "type=record")).body,
            R"j({"status":"success","data":)j" +
                RulesJson({Group("f", "g")}, RuleTypeFilter::kRecord) + "}");
  EXPECT_EQ(
      Dispatch(Get("/api/v1/alerts")).body,
      R"j({"status":"success","data":)j" + AlertsJson({Group("f", "g")}) + "}");
  EXPECT_EQ(Dispatch(Get("/api/v1/alertmanagers")).body,
            R"j({"status":"success","data":{"activeAlertmanagers":[)j"
            R"j({"url":"http://a:9093/api/v2/alerts"}],)j"
            R"j("droppedAlertmanagers":[]}})j");
  EXPECT_EQ(Dispatch(Get("/api/v1/status/config")).body,
            R"j({"status":"success","data":{"yaml":"rule_files: []\n"}})j");
}

TEST_F(RulesApiTest, RejectsAnUnknownType) {
  Response r = Dispatch(Get("/api/v1/rules", "type=alerts"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      r.body,
      R"j({"status":"error","errorType":"bad_data","error":)j"
      R"j("invalid parameter \"type\": not supported value \"alerts\""})j");
}

TEST_F(RulesApiTest, UnavailableUntilReadyAndCorsLikeTheQueryApi) {
  ready_ = false;
  EXPECT_EQ(Dispatch(Get("/api/v1/rules")).status, 503);
  EXPECT_EQ(Dispatch(Get("/api/v1/status/config")).status, 503);
  ready_ = true;
  Request request = Get("/api/v1/alerts");
  request.headers.Add("Origin", "http://grafana");
  Response r = Dispatch(request);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.Get("Access-Control-Allow-Origin"), "http://grafana");
  request.headers.Set("Origin", "http://evil");
  r = Dispatch(request);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.headers.Has("Access-Control-Allow-Origin"));
  EXPECT_EQ(r.headers.Get("Vary"), "Origin");
}

TEST(RulesApiDefaultsTest, UnsetProvidersMeanNothing) {
  RulesApi api{RulesApiOptions{}};
  EXPECT_EQ(api.Rules(Get("/api/v1/rules")).body,
            R"j({"status":"success","data":{"groups":[]}})j");
  EXPECT_EQ(api.Alerts(Get("/api/v1/alerts")).body,
            R"j({"status":"success","data":{"alerts":[]}})j");
  EXPECT_EQ(api.Config(Get("/api/v1/status/config")).body,
            R"j({"status":"success","data":{"yaml":""}})j");
}

// ---- Metrics ----

TEST(RuleMetricsTest, OneSeriesPerGroupAndFamily) {
  rules::GroupStatus group = Group("/r/a.yml", "g");
  group.evaluations_total = 7;
  group.evaluation_failures_total = 2;
  group.iterations_total = 5;
  group.iterations_missed_total = 1;
  group.last_evaluation_samples = 3;
  MetricsRegistry registry;
  AddRuleMetrics(&registry,
                 [group] { return std::vector<rules::GroupStatus>{group}; });
  const std::string text = registry.RenderText();
  const std::string key = R"j({rule_group="/r/a.yml;g"})j";
  for (const std::string& line : std::vector<std::string>{
           "# HELP strata_rule_evaluations_total The total number of rule "
           "evaluations.",
           "# TYPE strata_rule_evaluations_total counter",
           "strata_rule_evaluations_total" + key + " 7",
           "strata_rule_evaluation_failures_total" + key + " 2",
           "strata_rule_group_iterations_total" + key + " 5",
           "strata_rule_group_iterations_missed_total" + key + " 1",
           "# TYPE strata_rule_group_interval_seconds gauge",
           "strata_rule_group_interval_seconds" + key + " 15",
           "strata_rule_group_last_evaluation_timestamp_seconds" + key +
               " 1.6726286456780002e+09",  // Go: float64(UnixNano) / 1e9
           "strata_rule_group_last_duration_seconds" + key + " 0.003",
           "strata_rule_group_rules" + key + " 2",
           "strata_rule_group_last_evaluation_samples" + key + " 3",
       }) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n"
                                                         << text;
  }
}

TEST(RuleMetricsTest, NoGroupsNoFamilies) {
  MetricsRegistry registry;
  AddRuleMetrics(&registry, [] { return std::vector<rules::GroupStatus>{}; });
  EXPECT_EQ(registry.RenderText().find("strata_rule"), std::string::npos);
  rules::GroupStatus never;
  never.file = "f";
  never.name = "g";
  const std::vector<MetricFamily> families = RuleMetricFamilies({never});
  ASSERT_EQ(families.size(), 11u);
  for (const MetricFamily& f : families) {
    if (f.type == MetricType::kSummary) {
      EXPECT_TRUE(f.points.empty()) << f.name;  // no durations given
      continue;
    }
    ASSERT_EQ(f.points.size(), 1u) << f.name;
    if (f.name == "strata_rule_group_last_evaluation_timestamp_seconds") {
      EXPECT_EQ(f.points[0].value, 0);
    }
  }
}

// Prometheus registers its two summaries at start: before any evaluation
// they are there, unlabelled, with NaN quantiles.
TEST(RuleMetricsTest, EmptyDurationSummariesAsClientGolangRendersThem) {
  MetricsRegistry registry;
  AddRuleMetrics(
      &registry, [] { return std::vector<rules::GroupStatus>{}; },
      [] { return rules::EvaluationSummaries().Snapshot(); });
  EXPECT_EQ(registry.RenderText(),
            "# HELP strata_rule_evaluation_duration_seconds The duration for "
            "a rule to execute.\n"
            "# TYPE strata_rule_evaluation_duration_seconds summary\n"
            "strata_rule_evaluation_duration_seconds{quantile=\"0.5\"} NaN\n"
            "strata_rule_evaluation_duration_seconds{quantile=\"0.9\"} NaN\n"
            "strata_rule_evaluation_duration_seconds{quantile=\"0.99\"} NaN\n"
            "strata_rule_evaluation_duration_seconds_sum 0\n"
            "strata_rule_evaluation_duration_seconds_count 0\n"
            "# HELP strata_rule_group_duration_seconds The duration of rule "
            "group evaluations.\n"
            "# TYPE strata_rule_group_duration_seconds summary\n"
            "strata_rule_group_duration_seconds{quantile=\"0.01\"} NaN\n"
            "strata_rule_group_duration_seconds{quantile=\"0.05\"} NaN\n"
            "strata_rule_group_duration_seconds{quantile=\"0.5\"} NaN\n"
            "strata_rule_group_duration_seconds{quantile=\"0.9\"} NaN\n"
            "strata_rule_group_duration_seconds{quantile=\"0.99\"} NaN\n"
            "strata_rule_group_duration_seconds_sum 0\n"
            "strata_rule_group_duration_seconds_count 0\n");
}

TEST(RuleMetricsTest, DurationSummariesFromObservations) {
  rules::EvaluationSummaries summaries;
  for (int i = 1; i <= 10; ++i) summaries.ObserveRule(i / 8.0);
  summaries.ObserveGroup(0.25);
  summaries.ObserveGroup(0.5);
  MetricsRegistry registry;
  AddRuleMetrics(
      &registry,
      [] { return std::vector<rules::GroupStatus>{Group("/r/a.yml", "g")}; },
      [&summaries] { return summaries.Snapshot(); });
  const std::string text = registry.RenderText();
  for (const std::string& line : std::vector<std::string>{
           "strata_rule_evaluation_duration_seconds{quantile=\"0.5\"} 0.625",
           "strata_rule_evaluation_duration_seconds{quantile=\"0.9\"} 1.125",
           "strata_rule_evaluation_duration_seconds{quantile=\"0.99\"} 1.25",
           "strata_rule_evaluation_duration_seconds_sum 6.875",
           "strata_rule_evaluation_duration_seconds_count 10",
           "strata_rule_group_duration_seconds{quantile=\"0.01\"} 0.25",
           "strata_rule_group_duration_seconds{quantile=\"0.5\"} 0.25",
           "strata_rule_group_duration_seconds{quantile=\"0.99\"} 0.5",
           "strata_rule_group_duration_seconds_sum 0.75",
           "strata_rule_group_duration_seconds_count 2",
           "strata_rule_evaluations_total{rule_group=\"/r/a.yml;g\"} 0",
       }) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n"
                                                         << text;
  }
}

TEST(NotifierMetricsTest, PerAlertmanagerAndGlobal) {
  notifier::Stats stats;
  notifier::AlertmanagerStats am;
  am.url = "http://a:9093/api/v2/alerts";
  am.sent_total = 64;
  am.errors_total = 1;
  am.latency.count = 2;
  am.latency.sum = 0.5;
  am.latency.quantiles = {{0.5, 0.2}, {0.9, 0.3}, {0.99, 0.3}};
  stats.alertmanagers = {am};
  stats.dropped_total = 3;
  stats.queue_length = 4;
  stats.queue_capacity = 10000;
  stats.alertmanagers_discovered = 1;
  MetricsRegistry registry;
  AddNotifierMetrics(&registry, [stats] { return stats; });
  const std::string text = registry.RenderText();
  const std::string key = R"j(alertmanager="http://a:9093/api/v2/alerts")j";
  for (const std::string& line : std::vector<std::string>{
           "# TYPE strata_notifications_sent_total counter",
           "strata_notifications_sent_total{" + key + "} 64",
           "strata_notifications_errors_total{" + key + "} 1",
           "# TYPE strata_notifications_latency_seconds summary",
           "strata_notifications_latency_seconds{" + key +
               ",quantile=\"0.5\"} 0.2",
           "strata_notifications_latency_seconds_sum{" + key + "} 0.5",
           "strata_notifications_latency_seconds_count{" + key + "} 2",
           "# HELP strata_notifications_dropped_total Total number of alerts "
           "dropped due to errors when sending to Alertmanager.",
           "strata_notifications_dropped_total 3",
           "strata_notifications_queue_length 4",
           "strata_notifications_queue_capacity 10000",
           "strata_notifications_alertmanagers_discovered 1",
       }) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n"
                                                         << text;
  }
}

}  // namespace
}  // namespace strata::server
