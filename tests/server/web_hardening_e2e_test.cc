// The strata-server binary's web hardening flags (issue 15):
// --web.enable-lifecycle (/-/reload, /-/quit), --web.cors.origin and the
// refusal of cross-site requests, --web.max-connections with the health
// reserve and --web.idle-timeout, and remote write's required headers.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "http_client/http_client.h"
#include "http_test_client.h"
#include "temp_dir.h"
#include "wait_for.h"

namespace strata::server {
namespace {

using std::chrono::milliseconds;

class WebHardeningTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }

  // Starts strata-server with `flags`; waits until ready.
  void Start(const std::vector<std::string>& flags) {
    port_ = e2e::FreePort();
    std::vector<std::string> argv = {
        e2e::StrataServerPath(), "--storage.tsdb.path=" + tmp_.Join("data"),
        "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), flags.begin(), flags.end());
    server_ = std::make_unique<e2e::Process>(argv, tmp_.Join("server.log"));
    ASSERT_TRUE(e2e::WaitForOk(port_, "/-/ready", 20000)) << server_->log();
  }

  http_client::Response Post(const std::string& target,
                             const http_client::Headers& headers = {}) {
    return e2e::Http(port_, "POST", target, "", headers);
  }

  strata::testing::TempDir tmp_{"strata-web-hardening"};
  int port_ = 0;
  std::unique_ptr<e2e::Process> server_;
};

TEST_F(WebHardeningTest, LifecycleApiIsOffByDefault) {
  Start({});
  for (const char* path : {"/-/reload", "/-/quit"}) {
    const http_client::Response r = Post(path);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.body, "Lifecycle API is not enabled.");
  }
  EXPECT_TRUE(server_->running());
  EXPECT_EQ(e2e::Http(port_, "GET", "/-/healthy").status, 200);
}

TEST_F(WebHardeningTest, LifecycleFlagEnablesReloadAndQuit) {
  Start({"--web.enable-lifecycle"});
  EXPECT_EQ(Post("/-/reload").status, 200);
  // A web page of another site cannot use it.
  const http_client::Response cross =
      Post("/-/quit", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(cross.status, 403) << cross.body;
  EXPECT_TRUE(server_->running());
  const http_client::Response quit = Post("/-/quit");
  EXPECT_EQ(quit.status, 200);
  EXPECT_EQ(quit.body, "Requesting termination... Goodbye!");
  EXPECT_EQ(server_->Wait(20000), 0) << server_->log();
  EXPECT_NE(server_->log().find(
                "Received termination request via web service, exiting "
                "gracefully..."),
            std::string::npos)
      << server_->log();
}

TEST_F(WebHardeningTest, CorsIsRestrictiveByDefault) {
  Start({});
  const http_client::Headers from_page = {{"Origin", "http://evil.example"}};
  const http_client::Response r =
      e2e::Http(port_, "GET", "/api/v1/query?query=1", "", from_page);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Access-Control-Allow-Origin"), "");
  // A cross-site form POST can neither write (no protobuf Content-Type)
  // nor use the admin API.
  EXPECT_EQ(e2e::Http(port_, "POST", "/api/v1/write", "x",
                      {{"Origin", "http://evil.example"},
                       {"Content-Type", "text/plain"}})
                .status,
            415);
  EXPECT_EQ(e2e::Http(port_, "POST", "/api/v1/write", "x").status, 415);
}

TEST_F(WebHardeningTest, CorsOriginFlagAllowsMatchingOrigins) {
  Start({R"(--web.cors.origin=https://grafana\.example)",
         "--web.enable-admin-api"});
  const auto allowed = [&](const std::string& origin) {
    return e2e::Http(port_, "GET", "/api/v1/query?query=1", "",
                     {{"Origin", origin}})
        .Header("Access-Control-Allow-Origin");
  };
  EXPECT_EQ(allowed("https://grafana.example"), "https://grafana.example");
  EXPECT_EQ(allowed("https://grafana.example.evil"), "");
  const std::string admin = "/api/v1/admin/tsdb/clean_tombstones";
  EXPECT_EQ(Post(admin, {{"Origin", "https://grafana.example"}}).status, 204);
  EXPECT_EQ(Post(admin, {{"Origin", "https://evil.example"}}).status, 403);
  EXPECT_EQ(Post(admin, {{"Sec-Fetch-Site", "cross-site"}}).status, 403);
  EXPECT_EQ(Post(admin).status, 204);
}

TEST_F(WebHardeningTest, BadCorsRegexIsAUsageError) {
  e2e::Process server({e2e::StrataServerPath(), "--web.cors.origin=(",
                       "--storage.tsdb.path=" + tmp_.Join("data")},
                      tmp_.Join("bad.log"));
  EXPECT_EQ(server.Wait(10000), 2);
  EXPECT_NE(server.log().find("could not compile CORS regex string"),
            std::string::npos)
      << server.log();
}

// Issue 15: --web.max-connections idle connections locked everyone out,
// /-/healthy included.
TEST_F(WebHardeningTest, HeldConnectionsLeaveHealthAnsweringThenTimeOut) {
  constexpr int kMax = 4;
  Start({"--web.max-connections=" + std::to_string(kMax),
         "--web.idle-timeout=3s"});
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<testing::TestConnection>> held;
  for (int i = 0; i < kMax; ++i) {
    auto conn = testing::TestConnection::Connect(port_);
    ASSERT_TRUE(conn.ok());
    StatusOr<testing::TestResponse> r = (*conn)->Request("GET", "/-/healthy");
    ASSERT_TRUE(r.ok() && r->status == 200);
    held.push_back(*std::move(conn));
  }
  const auto fresh = [&](const std::string& path) {
    StatusOr<std::unique_ptr<testing::TestConnection>> conn =
        testing::TestConnection::Connect(port_, milliseconds(2000));
    EXPECT_TRUE(conn.ok());
    return conn.ok() ? (*conn)->Request("GET", path)
                     : StatusOr<testing::TestResponse>(conn.status());
  };
  StatusOr<testing::TestResponse> health = fresh("/-/healthy");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
  StatusOr<testing::TestResponse> query = fresh("/api/v1/query?query=1");
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  EXPECT_EQ(query->status, 503);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
  for (const auto& conn : held) {
    EXPECT_TRUE(conn->WaitForClose(milliseconds(10000)));
  }
  EXPECT_TRUE(strata::testing::WaitFor(
      [&] {
        StatusOr<testing::TestResponse> r = fresh("/api/v1/query?query=1");
        return r.ok() && r->status == 200;
      },
      milliseconds(10000)));
}

}  // namespace
}  // namespace strata::server
