// Rules and alerting end to end, with real parts only: a Prometheus 2.42
// agent scrapes itself and remote-writes to strata-server, strata-server
// evaluates recording and alerting rules and notifies a real Alertmanager
// 0.25. And the same rule file evaluated by a Prometheus 2.42 server and by
// strata-server gives the same /api/v1/rules and /api/v1/alerts, field by
// field.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "temp_dir.h"
#include "test_env.h"
#include "wait_for.h"

namespace strata::e2e {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

constexpr char kPrometheus[] = "/usr/bin/prometheus";
constexpr char kAlertmanager[] = "/usr/bin/prometheus-alertmanager";

std::string Port(int port) { return std::to_string(port); }

// The parsed body of a JSON answer; null if it is not JSON.
json GetJson(int port, const std::string& target) {
  const http_client::Response response = Http(port, "GET", target);
  if (response.status != 200) return json();
  return json::parse(response.body, nullptr, /*allow_exceptions=*/false);
}

// The alerts of /api/v1/alerts whose alertname is `name`.
std::vector<json> ApiAlerts(int port, const std::string& name) {
  std::vector<json> found;
  const json body = GetJson(port, "/api/v1/alerts");
  if (!body.is_object() || !body.contains("data")) return found;
  for (const json& alert : body["data"]["alerts"]) {
    if (alert["labels"].value("alertname", "") == name) found.push_back(alert);
  }
  return found;
}

// The state ("pending", "firing") of alert `name` in Strata or Prometheus,
// "" if it is not active.
std::string AlertState(int port, const std::string& name) {
  const std::vector<json> alerts = ApiAlerts(port, name);
  return alerts.empty() ? "" : alerts[0].value("state", "");
}

// The alerts Alertmanager holds with alertname `name` (API v2).
std::vector<json> AlertmanagerAlerts(int port, const std::string& name) {
  std::vector<json> found;
  const json body = GetJson(port, "/api/v2/alerts");
  if (!body.is_array()) return found;
  for (const json& alert : body) {
    if (alert["labels"].value("alertname", "") == name) found.push_back(alert);
  }
  return found;
}

// Alertmanager with a receiver that sends nothing, gossip off.
std::unique_ptr<Process> StartAlertmanager(const std::string& root, int port) {
  WriteFile(root + "/alertmanager.yml",
            "route:\n"
            "  receiver: blackhole\n"
            "  group_wait: 1s\n"
            "receivers:\n"
            "  - name: blackhole\n");
  return std::make_unique<Process>(
      std::vector<std::string>{kAlertmanager,
                               "--config.file=" + root + "/alertmanager.yml",
                               "--storage.path=" + root + "/alertmanager-data",
                               "--web.listen-address=127.0.0.1:" + Port(port),
                               "--cluster.listen-address="},
      root + "/alertmanager.log");
}

std::string RuleFile(const std::string& threshold, const std::string& for_) {
  return "groups:\n"
         "  - name: e2e\n"
         "    interval: 1s\n"
         "    rules:\n"
         "      - record: job:up:sum\n"
         "        expr: sum by (job) (up)\n"
         "      - alert: TargetUp\n"
         "        expr: up > " +
         threshold +
         "\n"
         "        for: " +
         for_ +
         "\n"
         "        labels:\n"
         "          severity: page\n"
         "        annotations:\n"
         "          summary: '{{ $labels.job }} is up ({{ $value }})'\n"
         "          description: >-\n"
         "            {{ $labels.instance }} reports {{ printf \"%.0f\" $value "
         "}} on {{ $externalLabels.cluster }}\n";
}

class RulesAlertingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPrometheus) ||
        !std::filesystem::exists(kAlertmanager)) {
      STRATA_SKIP_OR_FAIL_IF_MISSING(
          "the prometheus and prometheus-alertmanager Debian packages");
    }
    ASSERT_TRUE(std::filesystem::exists(StrataServerPath()))
        << StrataServerPath();
    ASSERT_TRUE(tmp_.ok());
    strata_port_ = FreePort();
    prom_port_ = FreePort();
    am_port_ = FreePort();
  }

  void TearDown() override {
    prom_.reset();
    strata_.reset();
    am_.reset();
    if (HasFailure()) tmp_.Keep();
  }

  void WriteStrataConfig() {
    WriteFile(root_ + "/strata.yml",
              "global:\n"
              "  evaluation_interval: 1s\n"
              "  external_labels:\n"
              "    cluster: e2e\n"
              "rule_files:\n"
              "  - rules/*.yml\n"
              "alerting:\n"
              "  alertmanagers:\n"
              "    - static_configs:\n"
              "        - targets: ['127.0.0.1:" +
                  Port(am_port_) +
                  "']\n"
                  "      timeout: 5s\n"
                  "scrape_configs: []\n");
  }

  void StartStrata() {
    strata_ = std::make_unique<Process>(
        std::vector<std::string>{
            StrataServerPath(), "--storage.tsdb.path=" + root_ + "/strata",
            "--web.listen-address=127.0.0.1:" + Port(strata_port_),
            "--config.file=" + root_ + "/strata.yml", "--web.enable-lifecycle",
            "--web.external-url=http://strata.example:9090/",
            "--rules.alert.for-grace-period=1s",
            "--rules.alert.resend-delay=1s"},
        root_ + "/strata.log");
    ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 20000)) << strata_->log();
  }

  // The scrape of Prometheus itself as job "agent" and the remote write
  // to Strata, as Prometheus configuration.
  std::string ScrapeSelfAndRemoteWrite() const {
    return "scrape_configs:\n"
           "  - job_name: agent\n"
           "    static_configs: [{targets: ['127.0.0.1:" +
           Port(prom_port_) +
           "']}]\n"
           "remote_write:\n"
           "  - url: http://127.0.0.1:" +
           Port(strata_port_) +
           "/api/v1/write\n"
           "    queue_config: {batch_send_deadline: 200ms, "
           "min_backoff: 50ms, max_backoff: 500ms}\n";
  }

  // A Prometheus 2.42 agent scraping itself every second as job "agent"
  // and remote-writing to Strata.
  void StartAgent() {
    WriteFile(root_ + "/agent.yml",
              "global:\n"
              "  scrape_interval: 1s\n" +
                  ScrapeSelfAndRemoteWrite());
    prom_ = std::make_unique<Process>(
        std::vector<std::string>{
            kPrometheus, "--enable-feature=agent",
            "--config.file=" + root_ + "/agent.yml",
            "--storage.agent.path=" + root_ + "/agent-data",
            "--web.listen-address=127.0.0.1:" + Port(prom_port_)},
        root_ + "/agent.log");
    ASSERT_TRUE(WaitForOk(prom_port_, "/-/ready", 30000)) << prom_->log();
  }

  bool WaitForAlertState(int port, const std::string& state, int timeout_ms) {
    return strata::testing::WaitFor(
        [&] { return AlertState(port, "TargetUp") == state; },
        milliseconds(timeout_ms), milliseconds(100));
  }

  double MetricValue(const std::string& prefix) {
    const std::string text = Http(strata_port_, "GET", "/metrics").body;
    const size_t at = text.find("\n" + prefix);
    if (at == std::string::npos) return -1;
    const std::string line =
        text.substr(at + 1, text.find('\n', at + 1) - at - 1);
    return std::stod(line.substr(line.rfind(' ') + 1));
  }

  std::string Logs() const {
    return "--- strata\n" + (strata_ ? strata_->log() : "") +
           "--- alertmanager\n" + (am_ ? am_->log() : "");
  }

  strata::testing::TempDir tmp_{"strata-e2e-rules"};
  const std::string root_ = tmp_.path();
  int strata_port_ = 0;
  int prom_port_ = 0;
  int am_port_ = 0;
  std::unique_ptr<Process> strata_;
  std::unique_ptr<Process> prom_;
  std::unique_ptr<Process> am_;
};

// Pending, firing, in Alertmanager; a restart keeps the `for` state; a
// reload changes the threshold and the alert resolves; a broken rule file
// on reload changes nothing.
TEST_F(RulesAlertingTest, AgentWritesStrataAlertsAlertmanager) {
  am_ = StartAlertmanager(root_, am_port_);
  ASSERT_TRUE(WaitForOk(am_port_, "/-/ready", 20000)) << am_->log();
  std::filesystem::create_directories(root_ + "/rules");
  WriteFile(root_ + "/rules/up.yml", RuleFile("0", "12s"));
  WriteStrataConfig();
  StartStrata();
  StartAgent();

  // Pending first: `for` holds it back for 12 s.
  ASSERT_TRUE(WaitForAlertState(strata_port_, "pending", 40000)) << Logs();
  const auto pending_seen = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitForAlertState(strata_port_, "firing", 30000)) << Logs();
  EXPECT_GE(std::chrono::steady_clock::now() - pending_seen,
            std::chrono::seconds(9));
  const std::vector<json> firing = ApiAlerts(strata_port_, "TargetUp");
  ASSERT_EQ(firing.size(), 1u);
  const std::string active_at = firing[0].value("activeAt", "");
  EXPECT_EQ(firing[0]["labels"].value("severity", ""), "page");
  EXPECT_EQ(firing[0]["labels"].value("job", ""), "agent");
  EXPECT_EQ(firing[0]["annotations"].value("summary", ""), "agent is up (1)");

  // The recording rule's output is stored and queryable.
  const json recorded = GetJson(
      strata_port_, "/api/v1/query?query=job:up:sum%7Bjob%3D%22agent%22%7D");
  ASSERT_TRUE(recorded.is_object()) << Logs();
  ASSERT_EQ(recorded["data"]["result"].size(), 1u) << recorded.dump();
  EXPECT_EQ(recorded["data"]["result"][0]["value"][1], "1");
  // So are ALERTS and ALERTS_FOR_STATE.
  const json alerts_series =
      GetJson(strata_port_,
              "/api/v1/query?query=ALERTS%7Balertname%3D%22TargetUp%22%2C"
              "alertstate%3D%22firing%22%7D");
  ASSERT_EQ(alerts_series["data"]["result"].size(), 1u) << alerts_series.dump();

  // Alertmanager has it, with the external labels and a generator URL.
  ASSERT_TRUE(strata::testing::WaitFor(
      [&] { return !AlertmanagerAlerts(am_port_, "TargetUp").empty(); },
      milliseconds(20000), milliseconds(200)))
      << Logs();
  const json in_am = AlertmanagerAlerts(am_port_, "TargetUp")[0];
  EXPECT_EQ(in_am["labels"].value("cluster", ""), "e2e") << in_am.dump();
  EXPECT_EQ(in_am["labels"].value("severity", ""), "page");
  EXPECT_EQ(in_am["annotations"].value("description", ""),
            "127.0.0.1:" + Port(prom_port_) + " reports 1 on e2e");
  EXPECT_EQ(in_am.value("generatorURL", "")
                .rfind("http://strata.example:9090/graph?g0.expr=", 0),
            0u)
      << in_am.dump();
  EXPECT_EQ(in_am["status"].value("state", ""), "active");
  // Prometheus's two rule summaries are exported and count evaluations.
  EXPECT_GT(MetricValue("strata_rule_evaluation_duration_seconds_count "), 0);
  EXPECT_GT(MetricValue("strata_rule_group_duration_seconds_count "), 0);

  // Restart while firing: the `for` state comes back from
  // ALERTS_FOR_STATE, so the alert fires again at once, not 12 s later,
  // and keeps its activeAt (stored with second precision).
  strata_->Signal(SIGTERM);
  ASSERT_EQ(strata_->Wait(30000), 0) << Logs();
  StartStrata();
  const auto restarted = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitForAlertState(strata_port_, "firing", 20000)) << Logs();
  EXPECT_LT(std::chrono::steady_clock::now() - restarted,
            std::chrono::seconds(8))
      << Logs();
  const std::vector<json> after = ApiAlerts(strata_port_, "TargetUp");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].value("activeAt", "").substr(0, 19),
            active_at.substr(0, 19))
      << Logs();

  // A reload that raises the threshold resolves the alert, in Strata and
  // in Alertmanager.
  WriteFile(root_ + "/rules/up.yml", RuleFile("1", "12s"));
  ASSERT_EQ(Http(strata_port_, "POST", "/-/reload").status, 200) << Logs();
  EXPECT_EQ(MetricValue("strata_config_last_reload_successful"), 1);
  ASSERT_TRUE(WaitForAlertState(strata_port_, "", 10000)) << Logs();
  EXPECT_TRUE(strata::testing::WaitFor(
      [&] {
        const std::vector<json> alerts =
            AlertmanagerAlerts(am_port_, "TargetUp");
        return alerts.empty() ||
               alerts[0]["status"].value("state", "") != "active";
      },
      milliseconds(20000), milliseconds(200)))
      << AlertmanagerAlerts(am_port_, "TargetUp")[0].dump();

  // A broken rule file: the reload fails, the old rules keep running.
  WriteFile(root_ + "/rules/up.yml",
            "groups:\n  - name: e2e\n    rules:\n      - alert: Broken\n"
            "        expr: up >\n");
  const http_client::Response failed = Http(strata_port_, "POST", "/-/reload");
  EXPECT_EQ(failed.status, 500) << failed.body;
  EXPECT_NE(failed.body.find("up.yml"), std::string::npos) << failed.body;
  EXPECT_EQ(MetricValue("strata_config_last_reload_successful"), 0);
  const json rules = GetJson(strata_port_, "/api/v1/rules?type=alert");
  ASSERT_TRUE(rules.is_object());
  ASSERT_EQ(rules["data"]["groups"].size(), 1u) << rules.dump();
  EXPECT_EQ(rules["data"]["groups"][0]["rules"][0].value("query", ""),
            "up > 1");
  EXPECT_EQ(rules["data"]["groups"][0]["rules"][0].value("health", ""), "ok");
}

// The fields of a rule or alert that do not depend on when it was read.
json StableRuleFields(const json& rule) {
  json stable = rule;
  stable.erase("evaluationTime");
  stable.erase("lastEvaluation");
  if (stable.contains("alerts")) {
    for (json& alert : stable["alerts"]) alert.erase("activeAt");
  }
  return stable;
}

// The same rule file, evaluated by a Prometheus 2.42 server on what it
// scrapes and by Strata on what that Prometheus remote-writes: the rules
// and alerts APIs agree on every field but timestamps and durations, and
// have the same fields.
TEST_F(RulesAlertingTest, RulesAndAlertsApiMatchPrometheus) {
  std::filesystem::create_directories(root_ + "/rules");
  WriteFile(root_ + "/rules/up.yml", RuleFile("0", "2s"));
  WriteFile(root_ + "/strata.yml",
            "global:\n"
            "  evaluation_interval: 1s\n"
            "  external_labels: {cluster: e2e}\n"
            "rule_files: ['" +
                root_ + "/rules/up.yml']\n");
  strata_ = std::make_unique<Process>(
      std::vector<std::string>{
          StrataServerPath(), "--storage.tsdb.path=" + root_ + "/strata",
          "--web.listen-address=127.0.0.1:" + Port(strata_port_),
          "--config.file=" + root_ + "/strata.yml"},
      root_ + "/strata.log");
  ASSERT_TRUE(WaitForOk(strata_port_, "/-/ready", 20000)) << strata_->log();
  // Prometheus's own rule outputs stay out of Strata, which makes its own.
  WriteFile(root_ + "/prometheus.yml",
            "global:\n"
            "  scrape_interval: 1s\n"
            "  evaluation_interval: 1s\n"
            "  external_labels: {cluster: e2e}\n"
            "rule_files: ['" +
                root_ + "/rules/up.yml']\n" + ScrapeSelfAndRemoteWrite() +
                "    write_relabel_configs:\n"
                "      - source_labels: [__name__]\n"
                "        regex: 'ALERTS|ALERTS_FOR_STATE|job:.*'\n"
                "        action: drop\n"
                // Remote write adds the external labels; Prometheus's own
                // rules see its series without them.
                "      - regex: cluster\n"
                "        action: labeldrop\n");
  prom_ = std::make_unique<Process>(
      std::vector<std::string>{
          kPrometheus, "--config.file=" + root_ + "/prometheus.yml",
          "--storage.tsdb.path=" + root_ + "/prom-data",
          "--web.listen-address=127.0.0.1:" + Port(prom_port_)},
      root_ + "/prometheus.log");
  ASSERT_TRUE(WaitForOk(prom_port_, "/-/ready", 30000)) << prom_->log();

  ASSERT_TRUE(WaitForAlertState(prom_port_, "firing", 40000)) << prom_->log();
  ASSERT_TRUE(WaitForAlertState(strata_port_, "firing", 40000)) << Logs();

  for (const std::string target : {"/api/v1/rules", "/api/v1/rules?type=alert",
                                   "/api/v1/rules?type=record"}) {
    const json want = GetJson(prom_port_, target);
    const json got = GetJson(strata_port_, target);
    ASSERT_TRUE(want.is_object() && got.is_object()) << target;
    EXPECT_EQ(want["status"], got["status"]);
    const json& want_groups = want["data"]["groups"];
    const json& got_groups = got["data"]["groups"];
    ASSERT_EQ(want_groups.size(), got_groups.size()) << target << got.dump();
    for (size_t g = 0; g < want_groups.size(); ++g) {
      json want_group = want_groups[g];
      json got_group = got_groups[g];
      for (const json* group : {&want_group, &got_group}) {
        EXPECT_TRUE(group->contains("evaluationTime")) << target;
        EXPECT_TRUE(group->contains("lastEvaluation")) << target;
      }
      json want_rules = json::array();
      json got_rules = json::array();
      for (const json& r : want_group["rules"]) {
        want_rules.push_back(StableRuleFields(r));
      }
      for (const json& r : got_group["rules"]) {
        got_rules.push_back(StableRuleFields(r));
      }
      EXPECT_EQ(want_rules, got_rules) << target;
      for (json* group : {&want_group, &got_group}) {
        group->erase("evaluationTime");
        group->erase("lastEvaluation");
        group->erase("rules");
      }
      EXPECT_EQ(want_group, got_group) << target;
    }
  }

  const json want_alerts = GetJson(prom_port_, "/api/v1/alerts");
  const json got_alerts = GetJson(strata_port_, "/api/v1/alerts");
  ASSERT_TRUE(want_alerts.is_object() && got_alerts.is_object());
  ASSERT_EQ(want_alerts["data"]["alerts"].size(),
            got_alerts["data"]["alerts"].size())
      << got_alerts.dump();
  for (size_t i = 0; i < want_alerts["data"]["alerts"].size(); ++i) {
    json want = want_alerts["data"]["alerts"][i];
    json got = got_alerts["data"]["alerts"][i];
    EXPECT_TRUE(got.contains("activeAt"));
    want.erase("activeAt");
    got.erase("activeAt");
    EXPECT_EQ(want, got);
  }
}

}  // namespace
}  // namespace strata::e2e
