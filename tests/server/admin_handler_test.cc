// Admin API and API time parsing, /-/reload and /-/quit, and the
// /api/v1/metadata endpoint with its store.
#include "server/api/admin_handler.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "api_request.h"
#include "gtest/gtest.h"
#include "remote_test_util.h"
#include "server/api/api_params.h"
#include "server/api/lifecycle_handler.h"
#include "server/http/router.h"
#include "server/metrics/metrics.h"
#include "server/remote/metadata_api.h"
#include "server/remote/metadata_store.h"
#include "temp_dir.h"

namespace strata::server {
namespace {

using testing::AllSeries;
using testing::ReadAll;
using testing::TempDB;

constexpr int64_t kT0 = 1795620000000;

using testing::Post;

TEST(ApiTimeTest, ParsesUnixSecondsAndRfc3339) {
  EXPECT_EQ(ParseApiTime("1795620000").value(), 1795620000000);
  EXPECT_EQ(ParseApiTime("1795620000.1234").value(), 1795620000123);
  EXPECT_EQ(ParseApiTime("-1.5").value(), -1500);
  EXPECT_EQ(ParseApiTime("1.5e3").value(), 1500000);
  EXPECT_EQ(ParseApiTime("2026-11-25T16:00:00Z").value(), 1795622400000);
  EXPECT_EQ(ParseApiTime("2026-11-25T16:00:00.25+01:00").value(),
            1795618800250);
  EXPECT_FALSE(ParseApiTime("yesterday").ok());
  EXPECT_FALSE(ParseApiTime("NaN").ok());
  EXPECT_FALSE(ParseApiTime("").ok());
}

// ---- Admin API ----

class AdminHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::unique_ptr<Appender> app = tmp_.db()->NewAppender();
    for (const char* job : {"a", "b"}) {
      for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "m"}, {"job", job}}),
                                kT0 + i * 1000, i)
                        .ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  std::unique_ptr<AdminHandler> Make(bool enabled) {
    auto h =
        std::make_unique<AdminHandler>(AdminOptions{enabled, tmp_.data_dir()});
    h->SetDB(tmp_.db());
    return h;
  }

  TempDB tmp_;
};

TEST_F(AdminHandlerTest, DisabledAndNotReady) {
  auto admin = Make(false);
  Request r = Post("/api/v1/admin/tsdb/snapshot");
  Response resp = admin->Snapshot(r);
  EXPECT_EQ(resp.status, 503);
  EXPECT_EQ(
      resp.body,
      R"({"status":"error","errorType":"unavailable","error":"admin APIs disabled"})");
  Request d = Post("/api/v1/admin/tsdb/delete_series", "match[]=m");
  EXPECT_EQ(admin->DeleteSeries(d).status, 503);
  EXPECT_EQ(admin->CleanTombstones(d).status, 503);
  EXPECT_EQ(ReadAll(tmp_.db(), AllSeries()).size(), 2u);

  auto enabled = Make(true);
  enabled->SetDB(nullptr);
  Response not_ready = enabled->Snapshot(r);
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "Service Unavailable");
}

TEST_F(AdminHandlerTest, RoutesAnswerPostAndPut) {
  auto admin = Make(false);
  Router router;
  admin->RegisterRoutes(&router);
  for (const char* method : {"POST", "PUT"}) {
    for (const char* path :
         {"/api/v1/admin/tsdb/snapshot", "/api/v1/admin/tsdb/delete_series",
          "/api/v1/admin/tsdb/clean_tombstones"}) {
      Request r = Post(path);
      r.method = method;
      std::string route;
      EXPECT_EQ(router.Dispatch(r, &route).status, 503) << method << path;
      EXPECT_EQ(route, path);
    }
  }
  Request get = Post("/api/v1/admin/tsdb/snapshot");
  get.method = "GET";
  std::string route;
  EXPECT_EQ(router.Dispatch(get, &route).status, 405);
}

TEST_F(AdminHandlerTest, SnapshotIsAnOpenableCopy) {
  auto admin = Make(true);
  Request bad = Post("/api/v1/admin/tsdb/snapshot", "skip_head=maybe");
  Response bad_resp = admin->Snapshot(bad);
  EXPECT_EQ(bad_resp.status, 400);
  EXPECT_NE(bad_resp.body.find("bad_data"), std::string::npos);

  Request r = Post("/api/v1/admin/tsdb/snapshot", "skip_head=false");
  Response resp = admin->Snapshot(r);
  if (resp.status == 503) {
    // The DB does not implement snapshots yet: a clear refusal, no
    // directory left behind.
    EXPECT_NE(resp.body.find("\"errorType\":\"unavailable\""),
              std::string::npos);
    EXPECT_TRUE(!std::filesystem::exists(tmp_.data_dir() + "/snapshots") ||
                std::filesystem::is_empty(tmp_.data_dir() + "/snapshots"));
    GTEST_SKIP() << "DB::Snapshot not supported: " << resp.body;
  }
  ASSERT_EQ(resp.status, 200) << resp.body;
  std::smatch m;
  const std::regex name_re(
      R"re(\{"status":"success","data":\{"name":"(\d{8}T\d{6}Z-[0-9a-f]{16})"\}\})re");
  ASSERT_TRUE(std::regex_match(resp.body, m, name_re)) << resp.body;
  const std::string dir = tmp_.data_dir() + "/snapshots/" + m[1].str();
  ASSERT_TRUE(std::filesystem::is_directory(dir));
  Options options;
  options.background_compaction = false;
  StatusOr<std::unique_ptr<DB>> copy = DB::Open(options, dir);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ(ReadAll(copy->get(), AllSeries()), ReadAll(tmp_.db(), AllSeries()));
  ASSERT_TRUE((*copy)->Close().ok());
}

// Issue 15: error messages carried the server's absolute paths.
TEST_F(AdminHandlerTest, ErrorsCarryNoAbsolutePaths) {
  auto admin = Make(true);
  // A file where the snapshots directory belongs makes the snapshot fail.
  { std::ofstream(tmp_.data_dir() + "/snapshots") << "not a directory"; }
  Request r = Post("/api/v1/admin/tsdb/snapshot");
  Response resp = admin->Snapshot(r);
  EXPECT_EQ(resp.status, 500) << resp.body;
  EXPECT_NE(resp.body.find("create snapshot: "), std::string::npos)
      << resp.body;
  EXPECT_NE(resp.body.find("snapshots"), std::string::npos) << resp.body;
  EXPECT_EQ(resp.body.find(tmp_.data_dir()), std::string::npos) << resp.body;
  EXPECT_EQ(resp.body.find("\"/"), std::string::npos) << resp.body;
  EXPECT_EQ(resp.body.find(" /"), std::string::npos) << resp.body;
}

TEST_F(AdminHandlerTest, DeleteSeriesValidatesThenDeletes) {
  auto admin = Make(true);
  Request none = Post("/api/v1/admin/tsdb/delete_series");
  Response r1 = admin->DeleteSeries(none);
  EXPECT_EQ(r1.status, 400);
  EXPECT_NE(r1.body.find("no match[] parameter provided"), std::string::npos);
  Request bad = Post("/api/v1/admin/tsdb/delete_series", "match[]=m{");
  Response r2 = admin->DeleteSeries(bad);
  EXPECT_EQ(r2.status, 400);
  // As Prometheus 2.42 answers.
  EXPECT_NE(r2.body.find("\"error\":\"invalid parameter \\\"match[]\\\": "
                         "1:3: parse error: unexpected end of input inside "
                         "braces\""),
            std::string::npos)
      << r2.body;
  // Prometheus accepts `{}` (it selects nothing) and answers 204.
  Request everything = Post("/api/v1/admin/tsdb/delete_series",
                            "match[]=%7B%7D&match[]=m%7Bjob%3D%22x%22%7D");
  Response r3 = admin->DeleteSeries(everything);
  if (r3.status != 503) {
    EXPECT_EQ(r3.status, 204) << r3.body;
  }
  Request bad_time =
      Post("/api/v1/admin/tsdb/delete_series", "match[]=m&start=yesterday");
  EXPECT_EQ(admin->DeleteSeries(bad_time).status, 400);
  EXPECT_EQ(ReadAll(tmp_.db(), AllSeries()).size(), 2u);

  // Delete job="a" samples in [t0+2s, t0+4s].
  Request del = Post("/api/v1/admin/tsdb/delete_series",
                     "match[]=m%7Bjob%3D%22a%22%7D&start=1795620002&end="
                     "1795620004");
  Response resp = admin->DeleteSeries(del);
  if (resp.status == 503) {
    EXPECT_NE(resp.body.find("\"errorType\":\"unavailable\""),
              std::string::npos);
    GTEST_SKIP() << "DB::DeleteSeries not supported: " << resp.body;
  }
  ASSERT_EQ(resp.status, 204) << resp.body;
  testing::SampleMap after = ReadAll(tmp_.db(), AllSeries());
  EXPECT_EQ(after["m{job=\"a\"}"].size(), 7u);
  EXPECT_EQ(after["m{job=\"b\"}"].size(), 10u);

  Request clean = Post("/api/v1/admin/tsdb/clean_tombstones");
  Response cleaned = admin->CleanTombstones(clean);
  EXPECT_EQ(cleaned.status, 204) << cleaned.body;
  EXPECT_EQ(ReadAll(tmp_.db(), AllSeries()), after);
}

// ---- /-/reload, /-/quit ----

// A LifecycleHandler and its routes, counting reloads and quits.
class LifecycleHandlerTest : public ::testing::Test {
 protected:
  void Make(bool enabled, std::string config_dir = "") {
    LifecycleOptions options;
    options.enabled = enabled;
    options.config_dir = std::move(config_dir);
    options.reload = [this] {
      ++reloads_;
      return next_reload_;
    };
    options.quit = [this] { ++quits_; };
    handler_ =
        std::make_unique<LifecycleHandler>(std::move(options), &registry_);
    handler_->RegisterRoutes(&router_);
  }

  Response Call(
      const std::string& method, const std::string& path,
      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    Request r = Post(path);
    r.method = method;
    for (const auto& [name, value] : headers) r.headers.Add(name, value);
    std::string route;
    return router_.Dispatch(r, &route);
  }

  bool MetricsSay(std::string_view line) {
    return registry_.RenderText().find(line) != std::string::npos;
  }

  MetricsRegistry registry_;
  Router router_;
  std::unique_ptr<LifecycleHandler> handler_;
  int reloads_ = 0;
  int quits_ = 0;
  Status next_reload_;
};

TEST_F(LifecycleHandlerTest, ReloadsOnPostAndPutAndReportsFailures) {
  Make(true);
  Response ok = Call("POST", "/-/reload");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "");
  EXPECT_EQ(Call("PUT", "/-/reload").status, 200);
  Response got = Call("GET", "/-/reload");
  EXPECT_EQ(got.status, 405);
  EXPECT_EQ(got.body, "Only POST or PUT requests allowed");
  EXPECT_EQ(reloads_, 2);

  next_reload_ = Status::InvalidArgument("yaml: line 3: bad indentation");
  Response failed = Call("POST", "/-/reload");
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body,
            "failed to reload config: invalid_argument: yaml: line 3: bad "
            "indentation\n");
  EXPECT_TRUE(MetricsSay("\nstrata_config_last_reload_successful 0\n"));
  next_reload_ = Status::OK();
  EXPECT_TRUE(handler_->Reload().ok());
  EXPECT_TRUE(MetricsSay("\nstrata_config_last_reload_successful 1\n"));
}

// Issue 15: error messages carried absolute paths.
TEST_F(LifecycleHandlerTest, FailedReloadShowsPathsRelativeToTheConfigDir) {
  Make(true, "/etc/strata");
  next_reload_ = Status::InvalidArgument(
      "/etc/strata/rules/a.yml: 3:5: group \"g\": no rules");
  Response failed = Call("POST", "/-/reload");
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body,
            "failed to reload config: invalid_argument: rules/a.yml: 3:5: "
            "group \"g\": no rules\n");
}

// Issue 15: --web.enable-lifecycle did not exist; /-/reload was always on.
TEST_F(LifecycleHandlerTest, DisabledByDefaultAsPrometheus) {
  Make(LifecycleOptions().enabled);
  for (const char* path : {"/-/reload", "/-/quit"}) {
    for (const char* method : {"POST", "PUT"}) {
      Response resp = Call(method, path);
      EXPECT_EQ(resp.status, 403) << method << path;
      EXPECT_EQ(resp.body, "Lifecycle API is not enabled.");
    }
    EXPECT_EQ(Call("GET", path).status, 405) << path;
  }
  EXPECT_EQ(reloads_, 0);
  EXPECT_EQ(quits_, 0);
  // SIGHUP still reloads.
  EXPECT_TRUE(handler_->Reload().ok());
  EXPECT_EQ(reloads_, 1);
}

TEST_F(LifecycleHandlerTest, QuitRequestsShutdownOnce) {
  Make(true);
  Response first = Call("POST", "/-/quit");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "Requesting termination... Goodbye!");
  Response again = Call("PUT", "/-/quit");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, "Termination already in progress.");
  EXPECT_EQ(quits_, 1);
}

// Issue 15: a web page of any site could POST to /-/reload, /-/quit and
// the admin API (a form POST needs no CORS preflight).
TEST_F(LifecycleHandlerTest, CrossSiteRequestsAreRefused) {
  Make(true);
  const std::pair<std::string, std::string> host = {"Host", "127.0.0.1:9201"};
  EXPECT_EQ(
      Call("POST", "/-/quit", {host, {"Origin", "http://evil.example"}}).status,
      403);
  EXPECT_EQ(Call("POST", "/-/reload",
                 {host,
                  {"Origin", "http://127.0.0.1:9201"},
                  {"Sec-Fetch-Site", "cross-site"}})
                .status,
            403);
  EXPECT_EQ(quits_, 0);
  EXPECT_EQ(reloads_, 0);
  EXPECT_EQ(Call("POST", "/-/quit",
                 {host,
                  {"Origin", "http://127.0.0.1:9201"},
                  {"Sec-Fetch-Site", "same-origin"}})
                .status,
            200);
  EXPECT_EQ(quits_, 1);
}

TEST_F(AdminHandlerTest, CrossSiteRequestsAreRefused) {
  auto admin = Make(true);
  const auto before = ReadAll(tmp_.db(), AllSeries());
  Router router;
  admin->RegisterRoutes(&router);
  std::string route;
  Request form = Post("/api/v1/admin/tsdb/delete_series", "match[]=m");
  form.headers.Add("Host", "127.0.0.1:9201");
  form.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  form.headers.Add("Origin", "http://evil.example");
  Response refused = router.Dispatch(form, &route);
  EXPECT_EQ(refused.status, 403);
  form.headers.Set("Origin", "null");
  EXPECT_EQ(router.Dispatch(form, &route).status, 403);
  Request fetched = Post("/api/v1/admin/tsdb/delete_series", "match[]=m");
  fetched.headers.Add("Sec-Fetch-Site", "same-site");
  EXPECT_EQ(router.Dispatch(fetched, &route).status, 403);
  EXPECT_EQ(ReadAll(tmp_.db(), AllSeries()), before);
  // curl, scripts, same-origin pages: served.
  Request plain = Post("/api/v1/admin/tsdb/delete_series", "match[]=m");
  EXPECT_EQ(router.Dispatch(plain, &route).status, 204);
  EXPECT_NE(ReadAll(tmp_.db(), AllSeries()), before);
}

// ---- Metadata store and API ----

TEST(MetadataStoreTest, KeepsDistinctEntriesNewestFirst) {
  MetadataStore store(nullptr, "");
  EXPECT_TRUE(store.Update("m", "counter", "v1 help", ""));
  EXPECT_FALSE(store.Update("m", "counter", "v1 help", ""));
  EXPECT_TRUE(store.Update("m", "counter", "v2 help", ""));
  EXPECT_TRUE(store.Update("m", "counter", "v1 help", ""));  // Back to front.
  auto list = store.List("m", -1, -1);
  ASSERT_EQ(list.size(), 1u);
  ASSERT_EQ(list[0].second.size(), 2u);
  EXPECT_EQ(list[0].second[0].help, "v1 help");
  EXPECT_EQ(list[0].second[1].help, "v2 help");
  for (int i = 0; i < 10; ++i) {
    store.Update("m", "gauge", "h" + std::to_string(i), "");
  }
  EXPECT_EQ(store.List("m", -1, -1)[0].second.size(),
            MetadataStore::kMaxEntriesPerMetric);
  EXPECT_EQ(store.List("m", -1, -1)[0].second[0].help, "h9");
}

TEST(MetadataStoreTest, PersistsAndDetectsDamage) {
  strata::testing::TempDir dir("strata-metadata");
  const std::string path = dir.Join("remote_write_metadata");
  {
    MetadataStore store(nullptr, path);
    ASSERT_TRUE(store.Load().ok());  // Missing file: empty.
    store.Update("b_total", "counter", "B \"quoted\"\nnewline", "bytes");
    store.Update("a", "gauge", "A", "");
    ASSERT_TRUE(store.Flush().ok());
  }
  MetadataStore loaded(nullptr, path);
  ASSERT_TRUE(loaded.Load().ok());
  auto list = loaded.List("", -1, -1);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].first, "a");
  EXPECT_EQ(list[1].second[0],
            (MetadataEntry{"counter", "B \"quoted\"\nnewline", "bytes"}));

  // Flip each byte in turn: every damaged file is refused.
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] ^= 0x20;
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << damaged;
    }
    MetadataStore store(nullptr, path);
    EXPECT_FALSE(store.Load().ok()) << "byte " << i;
    EXPECT_EQ(store.size(), 0u);
  }
}

TEST(MetadataApiTest, AnswersInPrometheusShape) {
  MetadataStore store(nullptr, "");
  store.Update("b", "counter", "B", "");
  store.Update("a", "gauge", "A \"x\"", "seconds");
  store.Update("a", "gauge", "A2", "seconds");
  Request all;
  EXPECT_EQ(
      MetadataApi(store, all).body,
      R"({"status":"success","data":{"a":[{"type":"gauge","help":"A2","unit":"seconds"},{"type":"gauge","help":"A \"x\"","unit":"seconds"}],"b":[{"type":"counter","help":"B","unit":""}]}})");
  Request one;
  ASSERT_TRUE(ParseQueryString("metric=b", &one.params).ok());
  EXPECT_EQ(
      MetadataApi(store, one).body,
      R"({"status":"success","data":{"b":[{"type":"counter","help":"B","unit":""}]}})");
  Request limited;
  ASSERT_TRUE(
      ParseQueryString("limit=1&limit_per_metric=1", &limited.params).ok());
  EXPECT_EQ(
      MetadataApi(store, limited).body,
      R"({"status":"success","data":{"a":[{"type":"gauge","help":"A2","unit":"seconds"}]}})");
  Request missing;
  ASSERT_TRUE(ParseQueryString("metric=nope", &missing.params).ok());
  EXPECT_EQ(MetadataApi(store, missing).body,
            R"({"status":"success","data":{}})");
  Request bad;
  ASSERT_TRUE(ParseQueryString("limit=ten", &bad.params).ok());
  Response r = MetadataApi(store, bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      r.body,
      R"({"status":"error","errorType":"bad_data","error":"limit must be a number"})");
}

}  // namespace
}  // namespace strata::server
