// Runs the real strata-server binary: startup, health, readiness, metrics,
// buildinfo, SIGTERM/SIGINT, and that the data directory reopens afterwards.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "http_client/http_client.h"
#include "http_test_client.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_env.h"
#include "wait_for.h"

namespace strata::server {
namespace {

using std::chrono::milliseconds;

using e2e::FreePort;

// strata-server run with `args`, its output in `log_path`; killed on
// destruction if still running.
class ServerProcess : public e2e::Process {
 public:
  ServerProcess(std::vector<std::string> args, std::string log_path)
      : Process(WithBinary(std::move(args)), std::move(log_path)) {}

  // The exit code, 128+signal if killed, -1 on timeout.
  int Wait(milliseconds timeout) {
    return Process::Wait(static_cast<int>(timeout.count()));
  }

 private:
  static std::vector<std::string> WithBinary(std::vector<std::string> args) {
    args.insert(args.begin(), e2e::StrataServerPath());
    return args;
  }
};

// Polls `target` until it answers `status`.
bool WaitForStatus(int port, const std::string& target, int status,
                   milliseconds timeout) {
  return strata::testing::WaitFor(
      [&] {
        StatusOr<http_client::Response> r = http_client::Get(port, target);
        return r.ok() && r->status == status;
      },
      timeout, milliseconds(20));
}

class StrataServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(e2e::StrataServerPath()))
        << e2e::StrataServerPath();
    ASSERT_TRUE(tmp_.ok());
  }

  std::vector<std::string> Args(int port) const {
    return {"--storage.tsdb.path=" + data_dir_,
            "--web.listen-address=127.0.0.1:" + std::to_string(port)};
  }

  strata::testing::TempDir tmp_{"strata-server-e2e"};
  const std::string root_ = tmp_.path();
  const std::string data_dir_ = tmp_.Join("data");
};

TEST_F(StrataServerTest, ServesThenStopsCleanlyOnSigterm) {
  // Seed the data directory through the public API.
  {
    StatusOr<std::unique_ptr<DB>> db = DB::Open(Options{}, data_dir_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::unique_ptr<Appender> app = (*db)->NewAppender();
    for (int series = 0; series < 3; ++series) {
      for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "seeded"},
                                            {"i", std::to_string(series)}}),
                                1000 * i, i)
                        .ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE((*db)->Close().ok());
  }

  const int port = FreePort();
  ServerProcess server(Args(port), root_ + "/server.log");
  ASSERT_TRUE(WaitForStatus(port, "/-/healthy", 200, milliseconds(20000)))
      << server.log();
  StatusOr<http_client::Response> healthy =
      http_client::Get(port, "/-/healthy");
  ASSERT_TRUE(healthy.ok());
  EXPECT_EQ(healthy->body, "Prometheus Server is Healthy.\n");
  ASSERT_TRUE(WaitForStatus(port, "/-/ready", 200, milliseconds(20000)))
      << server.log();

  StatusOr<http_client::Response> metrics = http_client::Get(port, "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("\nstrata_head_series 3\n"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("\nstrata_ready 1\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("\nprocess_resident_memory_bytes "),
            std::string::npos);
  EXPECT_NE(
      metrics->body.find("strata_http_request_duration_seconds_bucket{"
                         "code=\"200\",handler=\"/-/ready\",le=\"0.005\"}"),
      std::string::npos);
  std::string promtool_output;
  EXPECT_EQ(testing::RunWithInput("promtool check metrics", metrics->body,
                                  &promtool_output),
            0)
      << promtool_output;

  StatusOr<http_client::Response> build =
      http_client::Get(port, "/api/v1/status/buildinfo");
  ASSERT_TRUE(build.ok());
  EXPECT_EQ(build->status, 200);
  EXPECT_EQ(
      build->body.rfind("{\"status\":\"success\",\"data\":{\"version\":", 0),
      0u);

  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(milliseconds(20000)), 0) << server.log();
  const std::string log = server.log();
  EXPECT_NE(log.find("msg=\"Starting Strata\""), std::string::npos) << log;
  EXPECT_NE(log.find("listen_address=127.0.0.1:" + std::to_string(port)),
            std::string::npos);
  EXPECT_NE(log.find("data_dir=" + data_dir_), std::string::npos);
  EXPECT_NE(log.find("signal=SIGTERM"), std::string::npos);
  EXPECT_NE(log.find("msg=\"See you next time!\""), std::string::npos);

  // The directory reopens with the data intact.
  StatusOr<std::unique_ptr<DB>> db = DB::Open(Options{}, data_dir_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  StatusOr<std::unique_ptr<Querier>> q = (*db)->NewQuerier(0, 100000);
  ASSERT_TRUE(q.ok());
  std::unique_ptr<SeriesSet> set =
      (*q)->Select({Matcher::Equal("__name__", "seeded")});
  int series = 0;
  while (set->Next()) ++series;
  EXPECT_TRUE(set->status().ok());
  EXPECT_EQ(series, 3);
  EXPECT_TRUE((*db)->Close().ok());
}

// The value of the unlabelled sample `name` in an exposition, or -1.
double ExposedValue(const std::string& text, const std::string& name) {
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

// Self-monitoring on a live server: after ingest, a compaction (the
// background one, a minute after start) and queries, every strata_* family
// of the monitoring stack is exported and promtool finds nothing to lint.
TEST_F(StrataServerTest, SelfMonitoringMetricsAreCompleteAndLintClean) {
  std::string version;
  if (testing::RunWithInput("promtool --version", "", &version) != 0) {
    STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
  }
  // Ingest: 5h of samples in the WAL, more than 1.5 block ranges, so the
  // server's first background compaction persists [0, 2h).
  {
    StatusOr<std::unique_ptr<DB>> db = DB::Open(Options{}, data_dir_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::unique_ptr<Appender> app = (*db)->NewAppender();
    for (int64_t t = 0; t < 5 * kMillisPerHour; t += 60000) {
      for (int s = 0; s < 3; ++s) {
        ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "ingested"},
                                            {"s", std::to_string(s)}}),
                                t, static_cast<double>(t))
                        .ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE((*db)->Close().ok());
  }
  const int port = FreePort();
  ServerProcess server(Args(port), root_ + "/selfmon.log");
  ASSERT_TRUE(WaitForStatus(port, "/-/ready", 200, milliseconds(20000)))
      << server.log();
  std::string metrics;
  ASSERT_TRUE(strata::testing::WaitFor(
      [&] {
        StatusOr<http_client::Response> r = http_client::Get(port, "/metrics");
        if (!r.ok()) return false;
        metrics = r->body;
        return ExposedValue(metrics, "strata_compactions_total") >= 1;
      },
      milliseconds(100000), milliseconds(500)))
      << metrics << server.log();
  StatusOr<http_client::Response> query = http_client::Get(
      port,
      "/api/v1/query_range?query=sum(rate(ingested[5m]))&start=3600&end=14400"
      "&step=60&stats=all");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->status, 200) << query->body;
  EXPECT_NE(query->body.find("\"totalQueryableSamplesPerStep\":[[3600,"),
            std::string::npos)
      << query->body.substr(0, 300);
  StatusOr<http_client::Response> labels =
      http_client::Get(port, "/api/v1/labels");
  ASSERT_TRUE(labels.ok());
  StatusOr<http_client::Response> scraped = http_client::Get(port, "/metrics");
  ASSERT_TRUE(scraped.ok());
  metrics = scraped->body;

  EXPECT_GE(ExposedValue(metrics, "strata_wal_checkpoint_creations_total"), 1);
  EXPECT_GE(ExposedValue(metrics, "strata_wal_truncations_total"), 1);
  EXPECT_GE(ExposedValue(metrics, "strata_head_chunks_removed_total"), 1);
  EXPECT_EQ(ExposedValue(metrics, "strata_compactions_failed_total"), 0);
  EXPECT_GT(ExposedValue(metrics, "strata_storage_free_bytes"), 0);
  EXPECT_GT(ExposedValue(metrics, "strata_storage_capacity_bytes"), 0);
  for (const char* line : {
           "\nstrata_compaction_duration_seconds_count 1\n",
           "\nstrata_query_duration_seconds_count{endpoint=\"query_range\"} "
           "1\n",
           "\nstrata_query_duration_seconds_count{endpoint=\"labels\"} 1\n",
           "\nstrata_query_timeouts_total{endpoint=\"query\"} 0\n",
           "\nstrata_query_inflight 0\n",
           "\nstrata_query_queued 0\n",
           "\nstrata_query_concurrency_limit 20\n",
           "\nstrata_retention_blocks_removed_total{reason=\"time\"} 0\n",
           "\nstrata_retention_bytes_removed_total{reason=\"size\"} 0\n",
           "\nstrata_wal_checkpoint_creations_failed_total 0\n",
           "\nstrata_wal_truncations_failed_total 0\n",
           "\nstrata_head_series_removed_total 0\n",
           "\nstrata_head_chunks_created_total ",
           "\nstrata_build_info{",
       }) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << metrics;
  }

  StatusOr<http_client::Response> build =
      http_client::Get(port, "/api/v1/status/buildinfo");
  ASSERT_TRUE(build.ok());
  EXPECT_EQ(
      build->body.rfind(
          R"({"status":"success","data":{"version":"2.42.0","strataVersion":)",
          0),
      0u)
      << build->body;
  StatusOr<http_client::Response> runtime =
      http_client::Get(port, "/api/v1/status/runtimeinfo");
  ASSERT_TRUE(runtime.ok());
  EXPECT_EQ(runtime->status, 200);
  EXPECT_NE(runtime->body.find(R"("reloadConfigSuccess":true,)"),
            std::string::npos)
      << runtime->body;
  EXPECT_NE(runtime->body.find(R"("storageRetention":"15d"})"),
            std::string::npos)
      << runtime->body;

  std::string lint;
  EXPECT_EQ(testing::RunWithInput("promtool check metrics", metrics, &lint), 0)
      << lint;
  EXPECT_EQ(lint, "");
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(milliseconds(20000)), 0) << server.log();
}

// /api/v1/status/walreplay answers while the server starts (/-/ready 503)
// and, once ready, holds the replayed WAL's first and last segment
// numbers with current = last, as Prometheus 2.42's; each segment is
// logged as Prometheus logs it.
TEST_F(StrataServerTest, WalReplayStatusDuringAndAfterStartup) {
  {
    Options options;
    options.wal_compression = false;
    options.wal_segment_bytes = 64 * 1024;  // Several segments.
    options.snapshot_on_shutdown = false;   // The server replays them all.
    StatusOr<std::unique_ptr<DB>> db = DB::Open(options, data_dir_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::unique_ptr<Appender> app = (*db)->NewAppender();
    for (int i = 0; i < 200; ++i) {
      for (int series = 0; series < 50; ++series) {
        ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "seeded"},
                                            {"i", std::to_string(series)}}),
                                15000 * i, i)
                        .ok());
      }
      ASSERT_TRUE(app->Commit().ok());
    }
    ASSERT_TRUE((*db)->Close().ok());
  }
  int first = -1;
  int last = -1;
  for (const auto& e :
       std::filesystem::directory_iterator(data_dir_ + "/wal")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const int n = std::stoi(name);
    first = first < 0 ? n : std::min(first, n);
    last = std::max(last, n);
  }
  ASSERT_GT(last, first) << "want several segments";

  const int port = FreePort();
  ServerProcess server(Args(port), root_ + "/walreplay.log");
  const std::string want_final =
      "{\"status\":\"success\",\"data\":{\"min\":" + std::to_string(first) +
      ",\"max\":" + std::to_string(last) +
      ",\"current\":" + std::to_string(last) + "}}";
  // Until ready, every poll of the replay status is answered.
  bool ready = false;
  for (int poll = 0; poll < 2000 && !ready; ++poll) {
    StatusOr<http_client::Response> r = http_client::Get(port, "/-/ready");
    if (!r.ok()) {  // Not listening yet.
      std::this_thread::sleep_for(milliseconds(10));
      continue;
    }
    ready = r->status == 200;
    if (ready) break;
    StatusOr<http_client::Response> replay =
        http_client::Get(port, "/api/v1/status/walreplay");
    ASSERT_TRUE(replay.ok());
    EXPECT_EQ(replay->status, 200) << replay->body;
  }
  ASSERT_TRUE(ready) << server.log();
  StatusOr<http_client::Response> replay =
      http_client::Get(port, "/api/v1/status/walreplay");
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->body, want_final);
  EXPECT_NE(server.log().find(
                "msg=\"WAL segment loaded\" segment=" + std::to_string(last) +
                " maxSegment=" + std::to_string(last)),
            std::string::npos)
      << server.log();
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(milliseconds(20000)), 0) << server.log();
}

TEST_F(StrataServerTest, SigintAndRestartOnSameDirectory) {
  for (int run = 0; run < 2; ++run) {
    const int port = FreePort();
    ServerProcess server(Args(port),
                         root_ + "/server" + std::to_string(run) + ".log");
    ASSERT_TRUE(WaitForStatus(port, "/-/ready", 200, milliseconds(20000)))
        << server.log();
    server.Signal(run == 0 ? SIGINT : SIGTERM);
    EXPECT_EQ(server.Wait(milliseconds(20000)), 0) << server.log();
  }
}

TEST_F(StrataServerTest, BadUsageExitsWithCode2) {
  {
    ServerProcess server({"--storage.tsdb.retention.time=soon"},
                         root_ + "/flags.log");
    EXPECT_EQ(server.Wait(milliseconds(10000)), 2);
    EXPECT_NE(server.log().find("--storage.tsdb.retention.time"),
              std::string::npos);
  }
  {
    const std::string config = root_ + "/bad.yml";
    std::ofstream(config) << "global: [unclosed\n";
    std::vector<std::string> args = Args(FreePort());
    args.push_back("--config.file=" + config);
    ServerProcess server(args, root_ + "/config.log");
    EXPECT_EQ(server.Wait(milliseconds(10000)), 2);
    EXPECT_NE(server.log().find("Error loading config"), std::string::npos)
        << server.log();
  }
  {
    const std::string config = root_ + "/empty.yml";
    std::ofstream(config) << "{}\n";
    const int port = FreePort();
    std::vector<std::string> args = Args(port);
    args.push_back("--config.file=" + config);
    ServerProcess server(args, root_ + "/ok.log");
    ASSERT_TRUE(WaitForStatus(port, "/-/ready", 200, milliseconds(20000)))
        << server.log();
    server.Signal(SIGTERM);
    EXPECT_EQ(server.Wait(milliseconds(20000)), 0);
  }
}

TEST_F(StrataServerTest, ListenFailureExitsWithCode1) {
  const int port = FreePort();
  ServerProcess first(Args(port), root_ + "/first.log");
  ASSERT_TRUE(WaitForStatus(port, "/-/healthy", 200, milliseconds(20000)));
  ServerProcess second(
      {"--storage.tsdb.path=" + root_ + "/other",
       "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      root_ + "/second.log");
  EXPECT_EQ(second.Wait(milliseconds(10000)), 1);
  EXPECT_NE(second.log().find("Unable to start web listener"),
            std::string::npos)
      << second.log();
  first.Signal(SIGTERM);
  EXPECT_EQ(first.Wait(milliseconds(20000)), 0);
}

}  // namespace
}  // namespace strata::server
