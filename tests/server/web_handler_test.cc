// Strata's endpoints served over a real socket, with a DB stand-in whose
// stats are fixed so the exported figures can be checked exactly.
#include "server/api/web_handler.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "http_test_client.h"
#include "server/http/http_server.h"
#include "server/http/router.h"

namespace strata::server {
namespace {

using testing::HttpRequest;
using testing::TestResponse;

// Only Stats() and replay_report() are used by the web handler.
class FixedStatsDB : public DB {
 public:
  std::unique_ptr<Appender> NewAppender() override { return nullptr; }
  StatusOr<std::unique_ptr<Querier>> NewQuerier(int64_t, int64_t) override {
    return Status::NotSupported("stand-in");
  }
  Status Snapshot(const std::string&, bool) override {
    return Status::NotSupported("stand-in");
  }
  StatusOr<BackupReport> Backup(const std::string&, bool) override {
    return Status::NotSupported("stand-in");
  }
  Status DeleteSeries(const std::vector<Matcher>&, int64_t, int64_t) override {
    return Status::NotSupported("stand-in");
  }
  Status CleanTombstones() override { return Status::NotSupported("stand-in"); }
  Status Compact() override { return Status::OK(); }
  StatusOr<ScrubReport> Scrub() override { return ScrubReport(); }
  const ReplayReport& replay_report() const override { return report_; }
  DBStats Stats() const override { return stats_; }
  std::vector<BlockInfo> Blocks() const override { return {}; }
  const std::string& dir() const override { return dir_; }
  Status Close() override { return Status::OK(); }

  DBStats stats_;
  ReplayReport report_;
  std::string dir_ = "/tmp/x";
};

class WebHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WebOptions web_options;
    web_options.build.version = "1.2.3";
    web_options.build.revision = "abc123";
    web_options.storage_retention = "15d or 512MiB";
    web_ = std::make_unique<WebHandler>(web_options);
    web_->RegisterRoutes(&router_);
    HttpServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.io_threads = 1;
    server_ = std::make_unique<HttpServer>(options, &router_,
                                           web_->request_observer());
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Shutdown(std::chrono::seconds(1)); }

  TestResponse Get(const std::string& target,
                   const std::string& method = "GET") {
    StatusOr<TestResponse> r = HttpRequest(server_->port(), method, target);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : TestResponse{};
  }

  std::unique_ptr<WebHandler> web_;
  Router router_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(WebHandlerTest, HealthyAlwaysReadyOnlyWhenSet) {
  TestResponse healthy = Get("/-/healthy");
  EXPECT_EQ(healthy.status, 200);
  EXPECT_EQ(healthy.body, "Prometheus Server is Healthy.\n");
  EXPECT_EQ(healthy.Header("Content-Type"), "text/plain; charset=utf-8");

  TestResponse ready = Get("/-/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body, "Service Unavailable");
  EXPECT_EQ(Get("/api/v1/status/buildinfo").status, 503);

  web_->SetReady(true);
  ready = Get("/-/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "Prometheus Server is Ready.\n");
  TestResponse head = Get("/-/ready", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("Content-Length"), "28");
}

// Prometheus 2.42's /api/v1/status/walreplay: {min, max, current}, served
// while the server starts (before ready), zeros until replay starts.
TEST_F(WebHandlerTest, WalReplayStatusAnswersBeforeReady) {
  TestResponse r = Get("/api/v1/status/walreplay");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{"min":0,"max":0,"current":0}})");
  web_->SetWalReplayProgress(WalReplayProgress{3, 9, 5});
  EXPECT_EQ(Get("/api/v1/status/walreplay").body,
            R"({"status":"success","data":{"min":3,"max":9,"current":5}})");
}

// --web.cors.origin applies to the status endpoints as to the rest of
// /api/v1 (Prometheus's API wrapper sets the headers on every answer);
// "not ready" answers come before the API and carry none.
TEST(WebHandlerCorsTest, StatusEndpointsCarryCorsHeadersForAllowedOrigins) {
  WebOptions options;
  options.cross_origin = *CrossOriginPolicy::Create("http://grafana");
  WebHandler web(options);
  Router router;
  web.RegisterRoutes(&router);
  const auto get = [&](const std::string& path, const std::string& origin) {
    Request request;
    request.method = "GET";
    request.target = path;
    request.path = path;
    request.headers.Add("Origin", origin);
    std::string route;
    return router.Dispatch(request, &route);
  };
  Response r = get("/api/v1/status/buildinfo", "http://grafana");
  EXPECT_EQ(r.status, 503);
  EXPECT_FALSE(r.headers.Has("Access-Control-Allow-Origin"));
  r = get("/api/v1/status/walreplay", "http://grafana");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.Get("Access-Control-Allow-Origin"), "http://grafana");
  web.SetReady(true);
  for (const char* path :
       {"/api/v1/status/buildinfo", "/api/v1/status/runtimeinfo"}) {
    r = get(path, "http://grafana");
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.headers.Get("Access-Control-Allow-Origin"), "http://grafana")
        << path;
    EXPECT_EQ(r.headers.Get("Access-Control-Expose-Headers"), "Date") << path;
    r = get(path, "http://evil");
    EXPECT_FALSE(r.headers.Has("Access-Control-Allow-Origin")) << path;
  }
}

// Grafana enables its Prometheus features by `version`: a Prometheus
// release; Strata's own version is in `strataVersion`.
TEST_F(WebHandlerTest, BuildInfoHasPrometheusShape) {
  web_->SetReady(true);
  TestResponse r = Get("/api/v1/status/buildinfo");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(
      r.body.rfind(
          R"({"status":"success","data":{"version":"2.42.0","strataVersion":"1.2.3","revision":"abc123",)",
          0),
      0u)
      << r.body;
  for (const char* key : {"\"revision\":", "\"branch\":", "\"buildUser\":",
                          "\"buildDate\":", "\"goVersion\":"}) {
    EXPECT_NE(r.body.find(key), std::string::npos) << key;
  }
  EXPECT_EQ(r.body.substr(r.body.size() - 2), "}}");
}

TEST_F(WebHandlerTest, RuntimeInfoHasPrometheusFields) {
  EXPECT_EQ(Get("/api/v1/status/runtimeinfo").status, 503);
  web_->SetReady(true);
  TestResponse r = Get("/api/v1/status/runtimeinfo");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  // Prometheus 2.42's fields in its order; no reload handler here, so the
  // reload figures are unset, as in a Prometheus without those metrics.
  const std::string prefix = R"({"status":"success","data":{"startTime":")";
  ASSERT_EQ(r.body.rfind(prefix, 0), 0u) << r.body;
  size_t at = prefix.size();
  for (const char* key : {"\"CWD\":", "\"reloadConfigSuccess\":false,",
                          "\"lastConfigTime\":\"1970-01-01T00:00:00Z\",",
                          "\"corruptionCount\":0,", "\"goroutineCount\":",
                          "\"GOMAXPROCS\":", "\"GOGC\":\"\",\"GODEBUG\":\"\",",
                          "\"storageRetention\":\"15d or 512MiB\"}}"}) {
    const size_t found = r.body.find(key, at);
    ASSERT_NE(found, std::string::npos) << key << " in " << r.body;
    at = found;
  }
  // The start time is now-ish, UTC, RFC 3339.
  EXPECT_EQ(r.body.substr(prefix.size(), 2), "20");
  EXPECT_NE(r.body.find("Z\",\"CWD\""), std::string::npos);
  EXPECT_EQ(r.body.find("\"goroutineCount\":0,"), std::string::npos);
}

TEST_F(WebHandlerTest, MetricsExportProcessHttpAndDBFigures) {
  FixedStatsDB db;
  db.stats_.head_series = 42;
  db.stats_.samples_appended = 1234567;
  db.stats_.samples_out_of_order = 3;
  db.stats_.wal_fsyncs = 8;
  db.stats_.wal_fsync_seconds_total = 0.25;
  db.report_.seconds = 1.5;
  db.stats_.compactions = 5;
  db.stats_.compaction_failures = 1;
  db.stats_.compaction_duration.upper_bounds = {1, 2};
  db.stats_.compaction_duration.cumulative_counts = {3, 4};
  db.stats_.compaction_duration.count = 5;
  db.stats_.compaction_duration.sum = 7.5;
  db.stats_.retention_time_blocks = 2;
  db.stats_.retention_time_bytes = 2048;
  db.stats_.retention_size_blocks = 1;
  db.stats_.retention_size_bytes = 512;
  db.stats_.wal_checkpoints = 6;
  db.stats_.wal_checkpoint_failures = 2;
  db.stats_.wal_truncations = 4;
  db.stats_.wal_truncation_failures = 1;
  db.stats_.head_series_removed = 11;
  db.stats_.head_chunks_created = 30;
  db.stats_.head_chunks_removed = 20;
  Get("/-/healthy");
  Get("/nope");

  std::string body = Get("/metrics").body;
  EXPECT_EQ(body.find("strata_head_series"), std::string::npos);
  web_->SetDB(&db);
  web_->SetReady(true);
  TestResponse r = Get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type"),
            "text/plain; version=0.0.4; charset=utf-8");
  body = r.body;
  for (const char* line : {
           "strata_head_series 42\n",
           "strata_head_samples_appended_total 1.234567e+06\n",
           "strata_head_samples_rejected_total{reason=\"out_of_order\"} 3\n",
           "strata_wal_fsyncs_total 8\n",
           "strata_wal_fsync_duration_seconds_sum 0.25\n",
           "strata_wal_fsync_duration_seconds_count 8\n",
           "strata_wal_replay_duration_seconds 1.5\n",
           "strata_compactions_total 5\n",
           "strata_compactions_failed_total 1\n",
           "# TYPE strata_compaction_duration_seconds histogram\n",
           "strata_compaction_duration_seconds_bucket{le=\"1\"} 3\n",
           "strata_compaction_duration_seconds_bucket{le=\"2\"} 4\n",
           "strata_compaction_duration_seconds_bucket{le=\"+Inf\"} 5\n",
           "strata_compaction_duration_seconds_sum 7.5\n",
           "strata_compaction_duration_seconds_count 5\n",
           "strata_retention_blocks_removed_total{reason=\"time\"} 2\n",
           "strata_retention_blocks_removed_total{reason=\"size\"} 1\n",
           "strata_retention_bytes_removed_total{reason=\"time\"} 2048\n",
           "strata_retention_bytes_removed_total{reason=\"size\"} 512\n",
           "strata_wal_checkpoint_creations_total 6\n",
           "strata_wal_checkpoint_creations_failed_total 2\n",
           "strata_wal_truncations_total 4\n",
           "strata_wal_truncations_failed_total 1\n",
           "strata_head_series_removed_total 11\n",
           "strata_head_chunks_created_total 30\n",
           "strata_head_chunks_removed_total 20\n",
           "strata_ready 1\n",
           "strata_http_requests_total{code=\"200\",handler=\"/-/healthy\"} "
           "1\n",
           "strata_http_requests_total{code=\"404\",handler=\"unmatched\"} 1\n",
           "strata_http_request_duration_seconds_count{code=\"200\",handler=\"/"
           "metrics\"} 1\n",
           "# TYPE strata_wal_fsync_duration_seconds summary\n",
           "# TYPE strata_http_request_duration_seconds histogram\n",
       }) {
    EXPECT_NE(body.find(line), std::string::npos) << line;
  }
  for (const char* name :
       {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
        "process_virtual_memory_bytes ", "process_open_fds ",
        "process_max_fds ", "process_start_time_seconds ",
        "strata_build_info{"}) {
    EXPECT_NE(body.find(name), std::string::npos) << name;
  }
  std::string output;
  EXPECT_EQ(testing::RunWithInput("promtool check metrics", body, &output), 0)
      << output;
  web_->SetDB(nullptr);
}

}  // namespace
}  // namespace strata::server
