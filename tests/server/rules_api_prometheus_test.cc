// RulesApi's JSON against what the real Prometheus 2.42 answers: Prometheus
// evaluates a rule file covering every field (recording rules with and
// without labels, a failing rule, firing, pending and inactive alerting
// rules, keep_firing_for), and the snapshot Strata's rules::Manager gives
// for the same rules is encoded by RulesJson/AlertsJson. Both documents
// must be equal once the values that depend on the run (evaluation times,
// timestamps) are replaced by their JSON type.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/api/rules_json.h"
#include "server/http/api_envelope.h"
#include "temp_dir.h"
#include "test_env.h"

namespace strata::server {
namespace {

namespace fs = std::filesystem;
using strata::e2e::FreePort;
using strata::e2e::Http;
using strata::e2e::Process;
using strata::e2e::WaitForOk;

constexpr char kRules[] = R"(groups:
- name: g1
  interval: 1s
  rules:
  - record: job:one
    expr: vector(1)
  - record: job:two
    expr: vector(2)
    labels: {a: b}
  - alert: Always
    expr: vector(1) > 0
    labels: {severity: page}
    annotations: {summary: "value {{ $value }} <x>"}
  - alert: Never
    expr: vector(1) < 0
  - alert: Pending
    expr: vector(1)
    for: 1h
    keep_firing_for: 5m
  - record: bad
    expr: label_replace(vector(1), "x", "y", "z", "(")
)";

// The snapshot Strata gives for kRules after a few evaluations.
rules::GroupStatus StrataGroup(const std::string& file) {
  rules::GroupStatus group;
  group.name = "g1";
  group.file = file;
  group.interval_ms = 1000;
  group.evaluation_seconds = 0.001;
  group.last_evaluation_ms = 1700000000123;
  const auto rule = [&](bool alerting, std::string name, std::string query) {
    rules::RuleStatus r;
    r.is_alerting = alerting;
    r.name = std::move(name);
    r.query = std::move(query);
    r.health = rules::RuleHealth::kOk;
    r.evaluation_seconds = 0.0001;
    r.last_evaluation_ms = 1700000000124;
    return r;
  };
  const auto alert = [](Labels labels, Labels annotations,
                        rules::AlertState state) {
    rules::Alert a;
    a.labels = std::move(labels);
    a.annotations = std::move(annotations);
    a.state = state;
    a.value = 1;
    a.active_at_ms = 1700000000000;
    return a;
  };
  group.rules.push_back(rule(false, "job:one", "vector(1)"));
  group.rules.push_back(rule(false, "job:two", "vector(2)"));
  group.rules.back().labels = Labels::Of({{"a", "b"}});
  rules::RuleStatus always = rule(true, "Always", "vector(1) > 0");
  always.labels = Labels::Of({{"severity", "page"}});
  always.annotations = Labels::Of({{"summary", "value {{ $value }} <x>"}});
  always.state = rules::AlertState::kFiring;
  always.alerts = {alert(
      Labels::Of({{"alertname", "Always"}, {"severity", "page"}}),
      Labels::Of({{"summary", "value 1 <x>"}}), rules::AlertState::kFiring)};
  group.rules.push_back(always);
  group.rules.push_back(rule(true, "Never", "vector(1) < 0"));
  rules::RuleStatus pending = rule(true, "Pending", "vector(1)");
  pending.for_ms = 3600000;
  pending.keep_firing_for_ms = 300000;
  pending.state = rules::AlertState::kPending;
  pending.alerts = {alert(Labels::Of({{"alertname", "Pending"}}), Labels(),
                          rules::AlertState::kPending)};
  group.rules.push_back(pending);
  rules::RuleStatus bad =
      rule(false, "bad", R"(label_replace(vector(1), "x", "y", "z", "("))");
  bad.health = rules::RuleHealth::kErr;
  bad.last_error = "invalid regular expression in label_replace(): (";
  group.rules.push_back(bad);
  return group;
}

// Replaces the values that depend on the run by their JSON type name.
void Normalize(nlohmann::json* doc) {
  if (doc->is_array()) {
    for (auto& item : *doc) Normalize(&item);
    return;
  }
  if (!doc->is_object()) return;
  for (auto& [key, value] : doc->items()) {
    if (key == "evaluationTime" || key == "lastEvaluation" ||
        key == "activeAt") {
      value = std::string(value.type_name());
    } else {
      Normalize(&value);
    }
  }
}

nlohmann::json Data(const std::string& body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.contains("data")) return nullptr;
  return doc["data"];
}

class RulesApiVsPrometheusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/bin/prometheus")) {
      STRATA_SKIP_OR_FAIL_IF_MISSING("/usr/bin/prometheus");
    }
    ASSERT_TRUE(dir_.ok());
    rule_file_ = dir_.Join("rules.yml");
    std::ofstream(rule_file_) << kRules;
    am_port_ = FreePort();  // Nothing listens: Prometheus lists it anyway.
    std::ofstream(dir_.Join("prometheus.yml"))
        << "global:\n  evaluation_interval: 1s\nrule_files: ['" << rule_file_
        << "']\nalerting:\n  alertmanagers:\n  - static_configs:\n"
        << "    - targets: ['127.0.0.1:" << am_port_ << "']\n";
    port_ = FreePort();
    prometheus_ = std::make_unique<Process>(
        std::vector<std::string>{
            "/usr/bin/prometheus",
            "--config.file=" + dir_.Join("prometheus.yml"),
            "--storage.tsdb.path=" + dir_.Join("data"),
            "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
        dir_.Join("prometheus.log"));
    ASSERT_TRUE(WaitForOk(port_, "/-/ready", 60000)) << prometheus_->log();
  }

  // GET `path` until `done` holds for its data (bounded).
  template <typename Done>
  nlohmann::json GetWhen(const std::string& path, Done done) {
    nlohmann::json data;
    for (int i = 0; i < 300; ++i) {
      data = Data(Http(port_, "GET", path).body);
      if (!data.is_null() && done(data)) return data;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "timed out waiting on " << path << ": " << data.dump();
    return data;
  }

  strata::testing::TempDir dir_;
  std::string rule_file_;
  int port_ = 0;
  int am_port_ = 0;
  std::unique_ptr<Process> prometheus_;
};

TEST_F(RulesApiVsPrometheusTest, SameJsonShapes) {
  // Every rule evaluated at least once.
  nlohmann::json theirs = GetWhen("/api/v1/rules", [](const auto& data) {
    for (const auto& group : data["groups"]) {
      for (const auto& rule : group["rules"]) {
        if (rule["lastEvaluation"] == "0001-01-01T00:00:00Z") return false;
      }
    }
    return !data["groups"].empty();
  });
  nlohmann::json ours = Data(
      ApiSuccess(RulesJson({StrataGroup(rule_file_)}, RuleTypeFilter::kAll))
          .body);
  ASSERT_EQ(theirs["groups"].size(), 1u) << theirs.dump();
  ASSERT_EQ(theirs["groups"][0]["rules"].size(), 6u) << theirs.dump();
  Normalize(&theirs);
  Normalize(&ours);
  EXPECT_EQ(ours.dump(1), theirs.dump(1));

  for (const char* type : {"alert", "record"}) {
    nlohmann::json filtered = Data(
        Http(port_, "GET", std::string("/api/v1/rules?type=") + type).body);
    nlohmann::json mine =
        Data(ApiSuccess(RulesJson({StrataGroup(rule_file_)},
                                  type[0] == 'a' ? RuleTypeFilter::kAlert
                                                 : RuleTypeFilter::kRecord))
                 .body);
    Normalize(&filtered);
    Normalize(&mine);
    EXPECT_EQ(mine.dump(1), filtered.dump(1)) << type;
  }

  nlohmann::json their_alerts = Data(Http(port_, "GET", "/api/v1/alerts").body);
  nlohmann::json our_alerts =
      Data(ApiSuccess(AlertsJson({StrataGroup(rule_file_)})).body);
  ASSERT_EQ(their_alerts["alerts"].size(), 2u) << their_alerts.dump();
  Normalize(&their_alerts);
  Normalize(&our_alerts);
  EXPECT_EQ(our_alerts.dump(1), their_alerts.dump(1));
}

TEST_F(RulesApiVsPrometheusTest, SameAlertmanagersAndConfigShapes) {
  nlohmann::json theirs = GetWhen(
      "/api/v1/alertmanagers",
      [](const auto& data) { return !data["activeAlertmanagers"].empty(); });
  const nlohmann::json ours =
      Data(ApiSuccess(AlertmanagersJson(
                          {"http://127.0.0.1:" + std::to_string(am_port_) +
                           "/api/v2/alerts"}))
               .body);
  EXPECT_EQ(ours.dump(1), theirs.dump(1));

  const nlohmann::json config =
      Data(Http(port_, "GET", "/api/v1/status/config").body);
  const nlohmann::json mine = Data(ApiSuccess(ConfigJson("x: 1\n")).body);
  ASSERT_TRUE(config.is_object()) << config.dump();
  EXPECT_EQ(config.size(), mine.size());
  EXPECT_TRUE(config["yaml"].is_string());
  EXPECT_TRUE(mine["yaml"].is_string());
}

}  // namespace
}  // namespace strata::server
