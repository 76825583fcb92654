// The topologies of examples/topologies/ and the configuration snippets of
// the README, run with the real Prometheus 2.42 and node_exporter (Debian
// packages) and strata-server, from the example files themselves (their
// default addresses replaced by free loopback ports):
//  - One Prometheus scrapes node_exporter, itself and six strata-servers
//    every second and remote-writes to a single reference Strata, to the
//    two replicas of replicated/writer.yml and to the three shards of
//    sharded/writer.yml. The query layers of replicated/query.yml and
//    sharded/query.yml (Prometheus over remote_read) answer a set of
//    instant and range queries exactly as the reference Strata's own API
//    does; the replicated one still does with a replica killed (with a
//    warning), and, once that replica is back and has caught up, with the
//    other one killed.
//  - prometheus.yml (a server writing to and reading back from Strata)
//    answers from Strata alone after losing its TSDB; agent.yml (agent
//    mode, HA labels) writes to a strata-server with the HA flags; the
//    Grafana data source of grafana-datasource.yml answers Grafana's calls.
//  - Every Prometheus file passes `promtool check config`, and every YAML
//    block of the README's "Use it with Prometheus, Grafana and
//    Alertmanager" section is part of one of these files.
//
// When the answers are compared, every store is known to hold all of the
// data the queries touch: the test first waits until each store's samples
// in [start, t] equal the writing Prometheus's own TSDB, sample for sample
// (start: after every remote-write queue has begun sending; t: the
// evaluation time), and all servers run with --query.lookback-delta=5s, so
// no query at t reaches back before start (range queries span 10 s, range
// selectors 3 s, and t - start > 18 s).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "e2e_util.h"
#include "goyaml/decoder.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "run_command.h"
#include "temp_dir.h"
#include "test_env.h"
#include "url_encode.h"

namespace strata::e2e {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using std::chrono::milliseconds;
using strata::testing::MillisAsSeconds;
using strata::testing::UrlEncode;

constexpr char kPrometheus[] = "/usr/bin/prometheus";
constexpr char kPromtool[] = "/usr/bin/promtool";
constexpr char kNodeExporter[] = "/usr/bin/prometheus-node-exporter";
constexpr char kLookbackFlag[] = "--query.lookback-delta=5s";
constexpr int kShards = 3;

void SleepMs(int ms) { std::this_thread::sleep_for(milliseconds(ms)); }

std::string Addr(int port) { return "127.0.0.1:" + std::to_string(port); }

std::string ExamplesDir() {
  return strata::testing::SourceDir() + "/examples/topologies";
}

// (default text, replacement) pairs: addresses, and the scrape interval.
using Substitutions = std::vector<std::pair<std::string, std::string>>;

std::string ReplaceAll(std::string text, const std::string& from,
                       const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// examples/topologies/`name` with `subs` applied.
std::string Example(const std::string& name, const Substitutions& subs) {
  std::string text = ReadFileOrEmpty(ExamplesDir() + "/" + name);
  EXPECT_FALSE(text.empty()) << name;
  for (const auto& [from, to] : subs) text = ReplaceAll(text, from, to);
  return text;
}

// The entries of a configuration's `remote_write:`, its last top-level key.
std::string RemoteWriteEntries(const std::string& config) {
  const std::string key = "\nremote_write:\n";
  const size_t at = config.find(key);
  EXPECT_NE(at, std::string::npos) << config;
  if (at == std::string::npos) return "";
  std::string entries = config.substr(at + key.size());
  size_t line = 0;
  while (line < entries.size()) {
    EXPECT_TRUE(entries[line] == ' ' || entries[line] == '#')
        << "remote_write is not the last section:\n"
        << entries;
    const size_t end = entries.find('\n', line);
    if (end == std::string::npos) return entries + "\n";
    line = end + 1;
  }
  return entries;
}

std::unique_ptr<Process> StartStrata(const std::string& root,
                                     const std::string& name, int port,
                                     std::vector<std::string> extra = {}) {
  extra.insert(extra.begin(), kLookbackFlag);
  return StartStrataServer(root + "/" + name, port, root + "/" + name + ".log",
                           extra);
}

std::unique_ptr<Process> StartPrometheus(const std::string& root,
                                         const std::string& name, int port,
                                         const std::string& config,
                                         bool agent = false) {
  WriteFile(root + "/" + name + ".yml", config);
  std::vector<std::string> argv = {
      kPrometheus, "--config.file=" + root + "/" + name + ".yml",
      "--web.listen-address=" + Addr(port)};
  if (agent) {
    argv.push_back("--enable-feature=agent");
    argv.push_back("--storage.agent.path=" + root + "/" + name + "-data");
  } else {
    argv.push_back("--storage.tsdb.path=" + root + "/" + name + "-data");
    argv.push_back(kLookbackFlag);  // A server-only flag.
  }
  return std::make_unique<Process>(std::move(argv), root + "/" + name + ".log");
}

std::unique_ptr<Process> StartNodeExporter(const std::string& root, int port) {
  return std::make_unique<Process>(
      std::vector<std::string>{
          kNodeExporter, "--web.listen-address=" + Addr(port),
          "--collector.disable-defaults", "--collector.cpu",
          "--collector.loadavg", "--collector.meminfo", "--collector.stat"},
      root + "/node.log");
}

bool WaitUntil(int timeout_ms, const std::function<bool()>& done) {
  const auto deadline =
      std::chrono::steady_clock::now() + milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    SleepMs(200);
  }
  return true;
}

// An API answer: `data` with a vector's or matrix's series in label order
// (the order of equal values in topk is not part of the answer).
struct Answer {
  int status = 0;
  Json data;
  std::vector<std::string> warnings;
  std::string body;
};

Answer Get(int port, const std::string& target) {
  Answer a;
  const http_client::Response r = Http(port, "GET", target);
  a.status = r.status;
  a.body = r.body;
  const Json json = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || json.value("status", "") != "success") return a;
  a.data = json["data"];
  const std::string type =
      a.data.is_object() ? a.data.value("resultType", "") : "";
  if (type == "vector" || type == "matrix") {
    std::sort(a.data["result"].begin(), a.data["result"].end(),
              [](const Json& x, const Json& y) {
                return x.value("metric", Json::object()).dump() <
                       y.value("metric", Json::object()).dump();
              });
  }
  if (json.contains("warnings")) {
    for (const Json& w : json["warnings"]) a.warnings.push_back(w);
  }
  return a;
}

// The first few differences between two answers' data, as JSON patch
// operations that turn `want` into `got`; "" if equal.
std::string Difference(const Json& want, const Json& got) {
  if (want == got) return "";
  const Json patch = Json::diff(want, got);
  std::string out;
  for (size_t i = 0; i < patch.size() && i < 5; ++i) {
    out += patch[i].dump().substr(0, 300) + "\n";
  }
  return out + std::to_string(patch.size()) + " differences";
}

std::string QueryTarget(const std::string& expr, int64_t t_ms) {
  return "/api/v1/query?query=" + UrlEncode(expr) +
         "&time=" + MillisAsSeconds(t_ms);
}

std::string RangeTarget(const std::string& expr, int64_t end_ms) {
  return "/api/v1/query_range?query=" + UrlEncode(expr) +
         "&start=" + MillisAsSeconds(end_ms - 10000) +
         "&end=" + MillisAsSeconds(end_ms) + "&step=1";
}

// Selectors, rate, sum by, topk and count over what the writer scrapes.
std::vector<std::string> Targets(int64_t t_ms) {
  const std::vector<std::string> instant = {
      "up",
      "scrape_samples_scraped",
      "node_load1",
      "rate(node_cpu_seconds_total[3s])",
      "sum by (mode) (rate(node_cpu_seconds_total[3s]))",
      "sum by (job) (rate(process_cpu_seconds_total[3s]))",
      "topk(3, scrape_samples_scraped)",
      "count by (job) ({__name__=~\".+\"})",
      "count(up == 1)",
      "max_over_time(process_resident_memory_bytes[3s])",
      "sum(strata_head_series)",
  };
  const std::vector<std::string> range = {
      "up",
      "sum by (job) (rate(process_cpu_seconds_total[3s]))",
      "topk(3, scrape_samples_scraped)",
      "count by (job) ({__name__=~\".+\"})",
  };
  std::vector<std::string> targets;
  for (const std::string& e : instant) targets.push_back(QueryTarget(e, t_ms));
  for (const std::string& e : range) targets.push_back(RangeTarget(e, t_ms));
  return targets;
}

// ---- Replicated and sharded, against a single Strata ----

class TopologiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPrometheus) || !fs::exists(kNodeExporter)) {
      STRATA_SKIP_OR_FAIL_IF_MISSING(
          "the prometheus and prometheus-node-exporter Debian packages");
    }
    ASSERT_TRUE(fs::exists(StrataServerPath())) << StrataServerPath();
    ASSERT_TRUE(tmp_.ok());
  }

  void TearDown() override {
    if (HasFailure()) {
      tmp_.Keep();
      std::cout << "logs kept in " << root_ << "\n";
    }
  }

  strata::testing::TempDir tmp_{"strata-e2e-topologies"};
  const std::string root_ = tmp_.path();
};

// Strata's names in this test, with their example addresses.
struct Store {
  std::string name;
  std::string example_address;  // "" for the reference
  int port = 0;
  std::unique_ptr<Process> process;
};

class ReplicatedAndShardedTest : public TopologiesTest {
 protected:
  void SetUp() override {
    TopologiesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    stores_.push_back({"reference", "", FreePort(), nullptr});
    stores_.push_back({"replica-a", "127.0.0.1:9201", FreePort(), nullptr});
    stores_.push_back({"replica-b", "127.0.0.1:9202", FreePort(), nullptr});
    for (int i = 0; i < kShards; ++i) {
      stores_.push_back({"shard-" + std::to_string(i),
                         "127.0.0.1:921" + std::to_string(i + 1), FreePort(),
                         nullptr});
    }
    for (Store& s : stores_) s.process = StartStrata(root_, s.name, s.port);
    node_port_ = FreePort();
    node_ = StartNodeExporter(root_, node_port_);
    for (Store& s : stores_) {
      ASSERT_TRUE(WaitForOk(s.port, "/-/ready", 20000)) << s.process->log();
    }
    writer_port_ = FreePort();
    writer_ = StartPrometheus(root_, "writer", writer_port_, WriterConfig());
    ASSERT_TRUE(WaitForOk(writer_port_, "/-/ready", 30000)) << writer_->log();
    query_a_port_ = FreePort();
    query_a_ = StartPrometheus(root_, "query-replicated", query_a_port_,
                               Example("replicated/query.yml", Subs()));
    query_b_port_ = FreePort();
    query_b_ = StartPrometheus(root_, "query-sharded", query_b_port_,
                               Example("sharded/query.yml", Subs()));
    // Every remote-write queue starts sending a moment after Prometheus
    // is ready, each from its own start time: compare only later samples.
    ASSERT_TRUE(WaitUntil(
        40000,
        [&] {
          for (const Store& s : stores_) {
            if (MetricValue(s.port,
                            "strata_remote_write_samples_written_total") <= 0) {
              return false;
            }
          }
          return true;
        }))
        << "not every Strata got samples\n"
        << writer_->log();
    start_ms_ = NowMillis() + 1000;
    ASSERT_TRUE(WaitForOk(query_a_port_, "/-/ready", 30000)) << query_a_->log();
    ASSERT_TRUE(WaitForOk(query_b_port_, "/-/ready", 30000)) << query_b_->log();
  }

  Substitutions Subs() const {
    Substitutions subs;
    for (const Store& s : stores_) {
      if (!s.example_address.empty()) {
        subs.push_back({s.example_address, Addr(s.port)});
      }
    }
    return subs;
  }

  Store& store(const std::string& name) {
    for (Store& s : stores_) {
      if (s.name == name) return s;
    }
    ADD_FAILURE() << name;
    return stores_.front();
  }

  // One Prometheus for all three set-ups: its own scrape configuration
  // (every second, so that a test run has data), a remote_write to the
  // reference, and the remote_write entries of the two example writers.
  std::string WriterConfig() const {
    std::string targets = "'" + Addr(writer_port_) + "'";
    for (const Store& s : stores_) targets += ", '" + Addr(s.port) + "'";
    return "global:\n"
           "  scrape_interval: 1s\n"
           "  scrape_timeout: 900ms\n"
           "scrape_configs:\n"
           "  - job_name: node\n"
           "    static_configs: [{targets: ['" +
           Addr(node_port_) +
           "']}]\n"
           "  - job_name: strata\n"
           "    static_configs: [{targets: [" +
           targets +
           "]}]\n"
           "remote_write:\n"
           "  - url: http://" +
           Addr(stores_.front().port) +
           "/api/v1/write\n"
           "    name: reference\n" +
           RemoteWriteEntries(Example("replicated/writer.yml", Subs())) +
           RemoteWriteEntries(Example("sharded/writer.yml", Subs()));
  }

  // Waits until the named stores (the shards together) hold exactly the
  // writer's samples in [start_ms_, t_ms]; the last difference if they
  // never do within `timeout_ms`.
  std::string WaitForStores(const std::vector<std::string>& names, int64_t t_ms,
                            int timeout_ms) {
    std::string diff = "never compared";
    WaitUntil(timeout_ms, [&] {
      diff = CompareStores(names, t_ms);
      return diff.empty();
    });
    return diff;
  }

  std::string CompareStores(const std::vector<std::string>& names,
                            int64_t t_ms) {
    StatusOr<SeriesSamples> want = RemoteReadAll(writer_port_, start_ms_, t_ms);
    if (!want.ok()) return "writer: " + want.status().ToString();
    if (want->size() < 500u) return "only " + std::to_string(want->size());
    SeriesSamples shards;
    std::string shard_sizes;
    for (const Store& s : stores_) {
      const bool shard = s.name.starts_with("shard-");
      if (!shard &&
          std::find(names.begin(), names.end(), s.name) == names.end()) {
        continue;
      }
      StatusOr<SeriesSamples> got = RemoteReadAll(s.port, start_ms_, t_ms);
      if (!got.ok()) return s.name + ": " + got.status().ToString();
      if (!shard) {
        const std::string d = DescribeDifference(*want, *got);
        if (!d.empty()) return s.name + ": " + d;
        continue;
      }
      if (got->empty()) return s.name + " holds nothing";
      shard_sizes += " " + std::to_string(got->size());
      for (auto& [series, samples] : *got) {
        if (!shards.emplace(series, std::move(samples)).second) {
          return "in two shards: " + series;
        }
      }
    }
    const std::string d = DescribeDifference(*want, shards);
    if (!d.empty()) return "shards: " + d;
    std::cout << "in sync over " << (t_ms - start_ms_)
              << " ms: " << want->size() << " series, " << CountSamples(*want)
              << " samples; series per shard:" << shard_sizes << "\n";
    return "";
  }

  // Every query answered by the query layer at `query_port` as by the
  // reference's own API; `with_warnings`: and with a warning each.
  void ExpectSameAnswers(int query_port, int64_t t_ms, bool with_warnings,
                         const std::string& what) {
    int compared = 0;
    for (const std::string& target : Targets(t_ms)) {
      const Answer want = Get(stores_.front().port, target);
      const Answer got = Get(query_port, target);
      ASSERT_EQ(want.status, 200) << target << want.body;
      ASSERT_FALSE(want.data.is_null()) << target << want.body;
      EXPECT_FALSE(want.data["result"].empty()) << target << want.body;
      EXPECT_EQ(got.status, 200) << what << ": " << target << got.body;
      EXPECT_EQ(Difference(want.data, got.data), "") << what << ": " << target;
      EXPECT_EQ(!got.warnings.empty(), with_warnings)
          << what << ": " << target << got.body;
      if (with_warnings && compared == 0 && !got.warnings.empty()) {
        std::cout << what << ", the query layer warns: " << got.warnings[0]
                  << "\n";
      }
      ++compared;
    }
    EXPECT_EQ(compared, 15);
  }

  std::vector<Store> stores_;
  int node_port_ = 0;
  int writer_port_ = 0;
  int query_a_port_ = 0;
  int query_b_port_ = 0;
  int64_t start_ms_ = 0;
  std::unique_ptr<Process> node_;
  std::unique_ptr<Process> writer_;
  std::unique_ptr<Process> query_a_;
  std::unique_ptr<Process> query_b_;
};

TEST_F(ReplicatedAndShardedTest, AnswerAsASingleStrata) {
  const int64_t t = start_ms_ + 20000;
  SleepMs(static_cast<int>(t + 1000 - NowMillis()));
  ASSERT_EQ(WaitForStores({"reference", "replica-a", "replica-b"}, t, 30000),
            "");
  ExpectSameAnswers(query_a_port_, t, false, "replicated");
  ExpectSameAnswers(query_b_port_, t, false, "sharded");

  // Replica b goes away: the same answers from a, with a warning.
  Store& b = store("replica-b");
  b.process->Signal(SIGKILL);
  EXPECT_EQ(b.process->Wait(5000), 128 + SIGKILL);
  ExpectSameAnswers(query_a_port_, t, true, "replica-b killed");

  // b comes back and catches up from the writer's WAL; then a goes away
  // and b alone answers, also for the time b was down.
  SleepMs(3000);
  b.process = StartStrata(root_, b.name, b.port);
  ASSERT_TRUE(WaitForOk(b.port, "/-/ready", 20000)) << b.process->log();
  const int64_t t2 = NowMillis() + 2000;
  SleepMs(3000);
  ASSERT_EQ(WaitForStores({"reference", "replica-b"}, t2, 30000), "");
  Store& a = store("replica-a");
  a.process->Signal(SIGKILL);
  EXPECT_EQ(a.process->Wait(5000), 128 + SIGKILL);
  ExpectSameAnswers(query_a_port_, t2, true, "replica-a killed");
}

// ---- prometheus.yml, agent.yml and the Grafana data source ----

// The README's strata-server flags for an HA pair.
std::vector<std::string> HaFlags() {
  return {"--ha.replica-label=__replica__", "--ha.cluster-label=cluster",
          "--ha.failover-timeout=30s"};
}

// The metric of the only series of a successful answer.
Json OnlyMetric(const Answer& a) {
  if (a.data.is_null() || a.data["result"].size() != 1) return Json();
  return a.data["result"][0]["metric"];
}

TEST_F(TopologiesTest, ServerReadsBackFromStrataAfterLosingItsTsdb) {
  const int strata_port = FreePort();
  const int node_port = FreePort();
  const int prom_port = FreePort();
  std::unique_ptr<Process> strata = StartStrata(root_, "strata", strata_port);
  std::unique_ptr<Process> node = StartNodeExporter(root_, node_port);
  const std::string config = Example(
      "prometheus.yml", {{"127.0.0.1:9100", Addr(node_port)},
                         {"127.0.0.1:9201", Addr(strata_port)},
                         {"scrape_interval: 15s", "scrape_interval: 1s"}});
  ASSERT_TRUE(WaitForOk(strata_port, "/-/ready", 20000)) << strata->log();
  std::unique_ptr<Process> prom =
      StartPrometheus(root_, "prometheus", prom_port, config);
  ASSERT_TRUE(WaitForOk(prom_port, "/-/ready", 30000)) << prom->log();
  const std::string expr = "up{job=\"node\"}";
  ASSERT_TRUE(WaitUntil(30000, [&] {
    return !OnlyMetric(Get(strata_port, QueryTarget(expr, NowMillis())))
                .is_null();
  })) << prom->log();
  const int64_t t = NowMillis() + 4000;
  SleepMs(static_cast<int>(t + 1000 - NowMillis()));
  const std::vector<std::string> targets = {
      RangeTarget(expr, t),
      RangeTarget("sum by (mode) (rate(node_cpu_seconds_total[3s]))", t)};
  std::vector<Answer> want;
  for (const std::string& target : targets) {
    want.push_back(Get(prom_port, target));
    ASSERT_FALSE(want.back().data.is_null()) << target << want.back().body;
    ASSERT_FALSE(want.back().data["result"].empty()) << target;
  }
  // Strata stores the external label; Prometheus reads back without it.
  const Json stored = OnlyMetric(Get(strata_port, RangeTarget(expr, t)));
  EXPECT_EQ(stored.value("cluster", ""), "eu-1") << stored;
  EXPECT_FALSE(OnlyMetric(want[0]).contains("cluster")) << OnlyMetric(want[0]);

  // The local TSDB is lost: the restarted server answers from Strata.
  prom->Signal(SIGTERM);
  ASSERT_EQ(prom->Wait(60000), 0) << prom->log();
  fs::remove_all(root_ + "/prometheus-data");
  prom = StartPrometheus(root_, "prometheus", prom_port, config);
  ASSERT_TRUE(WaitForOk(prom_port, "/-/ready", 30000)) << prom->log();
  for (size_t i = 0; i < targets.size(); ++i) {
    Answer got;
    WaitUntil(10000, [&] {
      got = Get(prom_port, targets[i]);
      return got.data == want[i].data;
    });
    EXPECT_EQ(Difference(want[i].data, got.data), "") << targets[i];
    EXPECT_TRUE(got.warnings.empty()) << got.body;
  }
}

TEST_F(TopologiesTest, AgentWithHaLabelsAndGrafanaDataSource) {
  const int strata_port = FreePort();
  const int node_port = FreePort();
  const int agent_port = FreePort();
  const std::vector<std::string> ha = HaFlags();
  std::unique_ptr<Process> strata =
      StartStrata(root_, "strata", strata_port, ha);
  std::unique_ptr<Process> node = StartNodeExporter(root_, node_port);
  const Substitutions subs = {{"127.0.0.1:9100", Addr(node_port)},
                              {"127.0.0.1:9201", Addr(strata_port)},
                              {"scrape_interval: 15s", "scrape_interval: 1s"}};
  ASSERT_TRUE(WaitForOk(strata_port, "/-/ready", 20000)) << strata->log();
  std::unique_ptr<Process> agent =
      StartPrometheus(root_, "agent", agent_port, Example("agent.yml", subs),
                      /*agent=*/true);
  ASSERT_TRUE(WaitForOk(agent_port, "/-/ready", 30000)) << agent->log();
  Json metric;
  ASSERT_TRUE(WaitUntil(30000, [&] {
    metric = OnlyMetric(Get(strata_port, QueryTarget("up", NowMillis())));
    return !metric.is_null();
  })) << agent->log();
  EXPECT_EQ(metric.value("cluster", ""), "eu-1") << metric;
  EXPECT_EQ(metric.value("job", ""), "node") << metric;
  EXPECT_FALSE(metric.contains("__replica__")) << metric;

  // The data source as Grafana provisions it, and the calls Grafana makes:
  // its health check (an instant query of 1+1), the version check, the
  // metric and label browsers, a panel's range query.
  const StatusOr<YAML::Node> file =
      goyaml::Load(Example("grafana-datasource.yml", subs));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const YAML::Node ds = (*file)["datasources"][0];
  EXPECT_EQ(ds["type"].as<std::string>(""), "prometheus");
  EXPECT_EQ(ds["jsonData"]["prometheusType"].as<std::string>(""), "Prometheus");
  EXPECT_EQ(ds["jsonData"]["prometheusVersion"].as<std::string>(""), "2.42.0");
  const std::string url = ds["url"].as<std::string>("");
  ASSERT_EQ(url, "http://" + Addr(strata_port));
  const int64_t now = NowMillis();
  for (const std::string& target :
       {QueryTarget("1+1", now), std::string("/api/v1/status/buildinfo"),
        std::string("/api/v1/label/__name__/values"),
        std::string("/api/v1/labels"), RangeTarget("rate(up[3s])", now)}) {
    const Answer a = Get(strata_port, target);
    EXPECT_EQ(a.status, 200) << target << a.body;
    EXPECT_FALSE(a.data.is_null()) << target << a.body;
  }
  // Grafana enables its Prometheus features by the reported version.
  const Answer build = Get(strata_port, "/api/v1/status/buildinfo");
  EXPECT_EQ(build.data.value("version", ""), "2.42.0") << build.body;
  const http_client::Response post =
      Http(strata_port, "POST", "/api/v1/query",
           "query=" + UrlEncode("1+1") + "&time=" + MillisAsSeconds(now),
           {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(post.status, 200) << post.body;
  EXPECT_NE(post.body.find("\"result\":["), std::string::npos) << post.body;
}

// ---- The files themselves ----

std::vector<std::string> ExampleFiles() {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(ExamplesDir())) {
    if (e.path().extension() == ".yml") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(TopologyFilesTest, PromtoolChecksEveryPrometheusConfig) {
  if (!fs::exists(kPromtool)) STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
  int checked = 0;
  for (const std::string& file : ExampleFiles()) {
    if (file.ends_with("grafana-datasource.yml")) continue;
    const bool agent = file.ends_with("/agent.yml");
    int code = 0;
    const std::string out = strata::testing::RunCommand(
        std::string(kPromtool) + " check config " + (agent ? "--agent " : "") +
            "'" + file + "' 2>&1",
        &code);
    EXPECT_EQ(code, 0) << file << "\n" << out;
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

// The ```yaml blocks of the README's section on Prometheus, Grafana and
// Alertmanager, each of which must be part of an example file.
TEST(TopologyFilesTest, ReadmeSnippetsAreTheTestedFiles) {
  const std::string readme =
      ReadFileOrEmpty(strata::testing::SourceDir() + "/README.md");
  const size_t begin =
      readme.find("\n## Use it with Prometheus, Grafana and Alertmanager\n");
  ASSERT_NE(begin, std::string::npos);
  const size_t end = readme.find("\n## ", begin + 1);
  const std::string section = readme.substr(begin, end - begin);
  std::vector<std::string> examples;
  for (const std::string& file : ExampleFiles()) {
    examples.push_back(ReadFileOrEmpty(file));
  }
  int blocks = 0;
  const std::string open = "```yaml\n";
  for (size_t at = section.find(open); at != std::string::npos;
       at = section.find(open, at + 1)) {
    const size_t from = at + open.size();
    const size_t to = section.find("```\n", from);
    ASSERT_NE(to, std::string::npos);
    const std::string block = section.substr(from, to - from);
    EXPECT_TRUE(std::any_of(examples.begin(), examples.end(),
                            [&](const std::string& text) {
                              return text.find(block) != std::string::npos;
                            }))
        << "not in examples/topologies:\n"
        << block;
    ++blocks;
  }
  EXPECT_GE(blocks, 5);
}

}  // namespace
}  // namespace strata::e2e
