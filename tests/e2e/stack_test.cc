// The monitoring stack of examples/stack, started by its launcher (run.sh)
// on free loopback ports with this build's strata-server and short
// intervals, for about two minutes: every scrape target is up in Strata;
// every panel query of every dashboard, as Grafana would send it, returns
// data through query_range; an app alert and a Strata self-alert reach
// the webhook receiver through Alertmanager; killing the elected
// Prometheus replica leaves no gap longer than two scrape intervals and no
// duplicate samples; SIGTERM to the launcher stops every child.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e_util.h"
#include "grafana_panels.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "temp_dir.h"
#include "test_env.h"
#include "util/strings.h"
#include "wait_for.h"

namespace strata::e2e {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using strata::testing::WaitFor;

constexpr int kScrapeSeconds = 4;
constexpr char kScrapeInterval[] = "4s";
// Above one scrape interval, so a healthy elected replica is never
// replaced; the standby's buffered requests fill the failover gap.
constexpr char kFailoverTimeout[] = "6s";

bool Executable(const std::string& path) {
  return access(path.c_str(), X_OK) == 0;
}

json GetJson(int port, const std::string& target) {
  const http_client::Response response = Http(port, "GET", target);
  if (response.status != 200) return json();
  return json::parse(response.body, nullptr, /*allow_exceptions=*/false);
}

// The instant query's result array (null if the query failed).
json Query(int port, const std::string& promql) {
  const json body =
      GetJson(port, "/api/v1/query?query=" + GoQueryEscape(promql));
  if (!body.is_object() || body.value("status", "") != "success") return json();
  return body["data"]["result"];
}

// The alert names in the webhook log (one Alertmanager payload a line).
std::set<std::string> LoggedAlerts(const std::string& path) {
  std::set<std::string> names;
  std::istringstream in(ReadFileOrEmpty(path));
  for (std::string line; std::getline(in, line);) {
    const json entry = json::parse(line, nullptr, false);
    if (!entry.is_object() || !entry.contains("body")) continue;
    for (const json& alert : entry["body"].value("alerts", json::array())) {
      if (alert.value("status", "") != "firing") continue;
      names.insert(alert["labels"].value("alertname", ""));
    }
  }
  return names;
}

bool AnyWithPrefix(const std::set<std::string>& names,
                   const std::string& prefix) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
    return n.rfind(prefix, 0) == 0;
  });
}

// Unix milliseconds as the API's seconds with a fraction ("12.345").
std::string Seconds(int64_t ms) {
  std::string frac = std::to_string(ms % 1000);
  return Cat(ms / 1000, ".", std::string(3 - frac.size(), '0'), frac);
}

int ReadPid(const std::string& path) {
  const std::string text = ReadFileOrEmpty(path);
  return text.empty() ? -1 : std::atoi(text.c_str());
}

class StackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* bin : {"/usr/bin/prometheus", "/usr/bin/promtool",
                            "/usr/bin/prometheus-alertmanager",
                            "/usr/bin/prometheus-node-exporter",
                            "/usr/bin/node", "/usr/bin/npm", "/usr/bin/curl"}) {
      if (!Executable(bin)) {
        STRATA_SKIP_OR_FAIL_IF_MISSING(
            Cat(bin,
                " (make deps: prometheus, prometheus-alertmanager, "
                "prometheus-node-exporter, nodejs, npm, curl)"));
      }
    }
    ASSERT_TRUE(std::filesystem::exists(StrataServerPath()))
        << StrataServerPath();
    ASSERT_TRUE(tmp_.ok());
    // The app's npm packages, from its lockfile.
    if (!std::filesystem::exists(stack_ + "/dataspace-app/node_modules")) {
      Process npm({"/usr/bin/npm", "ci", "--no-audit", "--no-fund", "--prefix",
                   stack_ + "/dataspace-app"},
                  root_ + "/npm.log");
      ASSERT_EQ(npm.Wait(300000), 0) << npm.log();
    }
  }

  void TearDown() override {
    if (launcher_ != nullptr && launcher_->running()) {
      launcher_->Signal(SIGTERM);
      launcher_->Wait(60000);
    }
    if (HasFailure()) tmp_.Keep();
  }

  void StartStack() {
    for (int* port :
         {&strata_, &prom_a_, &prom_b_, &node_, &am_, &app_, &webhook_}) {
      *port = FreePort();
    }
    work_ = root_ + "/stack";
    launcher_ = std::make_unique<Process>(
        std::vector<std::string>{
            "/usr/bin/env",
            "STRATA_SERVER=" + StrataServerPath(),
            "STACK_WORK_DIR=" + work_,
            "STRATA_PORT=" + std::to_string(strata_),
            "PROMETHEUS_A_PORT=" + std::to_string(prom_a_),
            "PROMETHEUS_B_PORT=" + std::to_string(prom_b_),
            "NODE_EXPORTER_PORT=" + std::to_string(node_),
            "ALERTMANAGER_PORT=" + std::to_string(am_),
            "APP_PORT=" + std::to_string(app_),
            "WEBHOOK_PORT=" + std::to_string(webhook_),
            std::string("STACK_SCRAPE_INTERVAL=") + kScrapeInterval,
            "STACK_EVAL_INTERVAL=2s",
            std::string("STACK_HA_FAILOVER_TIMEOUT=") + kFailoverTimeout,
            "STACK_REMOTE_WRITE_DEADLINE=250ms",
            "STACK_ALERT_FOR=4s",
            "AM_GROUP_WAIT=1s",
            "AM_GROUP_INTERVAL=2s",
            "TRAFFIC_RATE=20",
            "/bin/bash",
            stack_ + "/run.sh",
        },
        root_ + "/launcher.log");
    ASSERT_TRUE(WaitFor(
        [&] {
          return std::filesystem::exists(work_ + "/ready") ||
                 !launcher_->running();
        },
        seconds(120), milliseconds(200)));
    ASSERT_TRUE(std::filesystem::exists(work_ + "/ready")) << Logs();
  }

  std::string Logs() const {
    std::string out = "--- launcher\n" + launcher_->log();
    for (const char* name : {"strata", "prometheus-a", "prometheus-b",
                             "alertmanager", "dataspace-app"}) {
      const std::string log =
          ReadFileOrEmpty(work_ + "/logs/" + std::string(name) + ".log");
      out += Cat("--- ", name, " (last 3000 bytes)\n",
                 log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
    }
    return out;
  }

  // A remote write request Strata cannot decode: refused as "malformed".
  void SendMalformedWrite() {
    Http(strata_, "POST", "/api/v1/write", "this is not snappy",
         {{"Content-Type", "application/x-protobuf"},
          {"Content-Encoding", "snappy"},
          {"X-Prometheus-Remote-Write-Version", "0.1.0"}});
  }

  strata::testing::TempDir tmp_{"strata-e2e-stack"};
  const std::string root_ = tmp_.path();
  const std::string stack_ = strata::testing::SourceDir() + "/examples/stack";
  std::string work_;
  int strata_ = 0, prom_a_ = 0, prom_b_ = 0, node_ = 0, am_ = 0, app_ = 0,
      webhook_ = 0;
  std::unique_ptr<Process> launcher_;
};

TEST_F(StackTest, RunsTheWholeStack) {
  // Every rule file passes promtool, as written.
  for (const auto& entry :
       std::filesystem::directory_iterator(stack_ + "/rules")) {
    Process check(
        {"/usr/bin/promtool", "check", "rules", entry.path().string()},
        root_ + "/promtool.log");
    EXPECT_EQ(check.Wait(30000), 0) << check.log();
  }

  StartStack();
  if (HasFatalFailure()) return;
  const int64_t started_ms = NowMillis();

  // Provoke alerts: errors from the app's peers, and malformed remote
  // writes to Strata (the refusals counter needs a few increments).
  const http_client::Response fault =
      Http(app_, "POST", "/admin/faults",
           R"({"error_ratio": 0.6, "duration_seconds": 100})",
           {{"Content-Type", "application/json"}});
  ASSERT_EQ(fault.status, 200) << fault.body;

  // Every target up, as one deduplicated series per job with HA.
  const std::set<std::string> jobs = {"node", "dataspace-app", "alertmanager",
                                      "strata"};
  std::string up_seen;
  const bool all_up = WaitFor(
      [&] {
        SendMalformedWrite();
        const json up = Query(strata_, "up");
        up_seen = up.dump();
        std::set<std::string> seen;
        for (const json& s : up) {
          if (s["value"][1] == "1") seen.insert(s["metric"].value("job", ""));
        }
        return seen == jobs && up.size() == 4u;
      },
      seconds(60), milliseconds(1000));
  EXPECT_TRUE(all_up) << up_seen << Logs();
  EXPECT_TRUE(Query(strata_, "count({__replica__!=\"\"})").empty())
      << "the replica label is stored";

  // Let the stack run, then kill the elected replica.
  for (int i = 0; i < 20; ++i) {
    SendMalformedWrite();
    std::this_thread::sleep_for(seconds(1));
  }
  const json elected =
      Query(strata_, "strata_ha_elected_replica{cluster=\"dataspace\"} == 1");
  ASSERT_EQ(elected.size(), 1u) << elected.dump();
  const std::string victim = elected[0]["metric"].value("replica", "");
  ASSERT_TRUE(victim == "a" || victim == "b") << elected.dump();
  const int victim_pid = ReadPid(work_ + "/pids/prometheus-" + victim + ".pid");
  ASSERT_GT(victim_pid, 0);
  const int64_t killed_ms = NowMillis();
  ASSERT_EQ(kill(victim_pid, SIGKILL), 0);

  // An app alert and a Strata self-alert reach the webhook.
  std::set<std::string> alerts;
  const bool alerted = WaitFor(
      [&] {
        alerts = LoggedAlerts(work_ + "/alerts.jsonl");
        return AnyWithPrefix(alerts, "Dataspace") &&
               alerts.count("StrataRemoteWriteRequestsRefused") > 0;
      },
      seconds(60), milliseconds(1000));
  EXPECT_TRUE(alerted) << "alerts logged: " << json(alerts).dump() << Logs();

  // Every panel of every dashboard, as Grafana sends it, has data.
  const grafana::LabelValuesFetcher fetch =
      [this](const grafana::LabelValuesQuery& q,
             const grafana::TimeRange& range) {
        return grafana::LabelValuesFromServer(strata_, q, range);
      };
  grafana::DashboardOptions options;
  options.range = {started_ms, NowMillis()};
  options.scrape_interval = kScrapeInterval;
  int panels_checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(stack_ + "/grafana/dashboards")) {
    const std::string file = entry.path().filename().string();
    const json dashboard =
        json::parse(ReadFileOrEmpty(entry.path().string()), nullptr, false);
    ASSERT_TRUE(dashboard.is_object()) << file;
    const StatusOr<std::vector<grafana::PanelQuery>> queries =
        grafana::DashboardQueries(dashboard, options, fetch);
    ASSERT_TRUE(queries.ok()) << file << ": " << queries.status().ToString();
    ASSERT_FALSE(queries->empty()) << file;
    for (const grafana::PanelQuery& q : *queries) {
      EXPECT_EQ(q.expr.find('$'), std::string::npos)
          << file << " / " << q.panel_title << ": " << q.expr;
      const std::string target =
          Cat("/api/v1/query_range?query=", GoQueryEscape(q.expr),
              "&start=", Seconds(q.start_ms), "&end=", Seconds(q.end_ms),
              "&step=", Seconds(q.step_ms));
      const json body = GetJson(strata_, target);
      const bool ok = body.is_object() &&
                      body.value("status", "") == "success" &&
                      !body["data"]["result"].empty();
      ++panels_checked;
      if (ok) continue;
      ADD_FAILURE() << file << " / " << q.panel_title << " " << q.ref_id
                    << ": no data for " << q.expr << " step " << q.step_ms
                    << "ms: " << body.dump().substr(0, 500);
    }
  }
  EXPECT_GT(panels_checked, 60);

  // The survivor writes for a while after the failover.
  while (NowMillis() < killed_ms + 30000) {
    std::this_thread::sleep_for(seconds(1));
  }
  // Raw samples of one series per job around the kill.
  const int64_t now_ms = NowMillis();
  const int64_t window_s = (now_ms - started_ms) / 1000;
  for (const std::string& job : jobs) {
    const json result =
        Query(strata_, Cat("up{job=\"", job, "\"}[", window_s, "s]"));
    ASSERT_EQ(result.size(), 1u) << job << ": " << result.dump();
    std::vector<int64_t> ts;
    for (const json& v : result[0]["values"]) {
      ts.push_back(static_cast<int64_t>(v[0].get<double>() * 1000 + 0.5));
    }
    ASSERT_GT(ts.size(), 10u) << job;
    int64_t max_gap = 0;
    int short_gaps = 0;
    for (size_t i = 1; i < ts.size(); ++i) {
      const int64_t gap = ts[i] - ts[i - 1];
      max_gap = std::max(max_gap, gap);
      // Two replicas' samples interleaved would sit closer than half a
      // scrape interval; a failover may do that once.
      if (gap < kScrapeSeconds * 1000 / 2) ++short_gaps;
    }
    EXPECT_LE(max_gap, 2 * kScrapeSeconds * 1000)
        << job << ": killed replica " << victim << " at " << killed_ms;
    EXPECT_LE(short_gaps, 1) << job << ": duplicate samples";
    // The survivor's samples after the kill are stored.
    EXPECT_GT(ts.back(), killed_ms + 3 * kScrapeSeconds * 1000) << job;
  }
  const json changes =
      Query(strata_, "strata_ha_elected_replica_changes_total");
  EXPECT_FALSE(changes.empty());

  // SIGTERM to the launcher stops every child.
  std::vector<int> pids;
  for (const auto& entry :
       std::filesystem::directory_iterator(work_ + "/pids")) {
    pids.push_back(ReadPid(entry.path().string()));
  }
  EXPECT_GE(pids.size(), 6u);
  launcher_->Signal(SIGTERM);
  EXPECT_EQ(launcher_->Wait(90000), 143) << Logs();
  for (int pid : pids) {
    EXPECT_NE(kill(pid, 0), 0) << "pid " << pid << " still runs";
  }
}

}  // namespace
}  // namespace strata::e2e
