// Connection limits (issue 15): 512 idle or half-sent connections locked
// everyone out, /-/healthy included, because past --web.max-connections
// the server stopped accepting and left connections in the listen backlog.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "http_test_client.h"
#include "server/http/http_server.h"
#include "server/http/router.h"
#include "wait_for.h"

namespace strata::server {
namespace {

using std::chrono::milliseconds;
using testing::TestConnection;
using testing::TestResponse;

constexpr int kMaxConnections = 4;
constexpr int kReserved = 2;
// Long enough for every check made while the slots are held.
constexpr milliseconds kHoldTimeout(3000);
// A client's patience: shorter than kHoldTimeout, so a request left in the
// backlog until a slot frees up fails.
constexpr milliseconds kClientTimeout(2000);

class ConnectionLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Get("/-/healthy",
                [](Request&) { return Response::Text(kHttpOk, "Healthy.\n"); });
    router_.Get("/query",
                [](Request&) { return Response::Text(kHttpOk, "result"); });
    HttpServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.max_connections = kMaxConnections;
    options.reserved_connections = kReserved;
    options.reserved_paths = {"/-/healthy", "/-/ready"};
    options.idle_timeout = kHoldTimeout;
    options.header_timeout = kHoldTimeout;
    server_ = std::make_unique<HttpServer>(options, &router_);
    ASSERT_TRUE(server_->Start().ok());
  }

  void TearDown() override { server_->Shutdown(milliseconds(1000)); }

  // One request on a new connection, giving up after kClientTimeout.
  StatusOr<TestResponse> Fresh(const std::string& path) {
    StatusOr<std::unique_ptr<TestConnection>> conn =
        TestConnection::Connect(server_->port(), kClientTimeout);
    if (!conn.ok()) return conn.status();
    return (*conn)->Request("GET", path);
  }

  // Fills the max_connections slots: half idle after a request, half
  // with a request's headers half sent (slowloris).
  std::vector<std::unique_ptr<TestConnection>> HoldEverySlot() {
    std::vector<std::unique_ptr<TestConnection>> held;
    for (int i = 0; i < kMaxConnections; ++i) {
      auto conn = TestConnection::Connect(server_->port());
      EXPECT_TRUE(conn.ok());
      if (!conn.ok()) break;
      if (i % 2 == 0) {
        StatusOr<TestResponse> r = (*conn)->Request("GET", "/query");
        EXPECT_TRUE(r.ok() && r->status == 200);
      } else {
        EXPECT_TRUE((*conn)->Send("GET /query HTTP/1.1\r\nHost:").ok());
      }
      held.push_back(*std::move(conn));
    }
    EXPECT_TRUE(strata::testing::WaitFor(
        [&] { return server_->active_connections() == kMaxConnections; },
        milliseconds(5000)));
    return held;
  }

  bool WaitForConnections(int64_t n) {
    return strata::testing::WaitFor(
        [&] { return server_->active_connections() == n; },
        milliseconds(10000));
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ConnectionLimitsTest, HealthAnswersAndQueriesGet503WhenSlotsAreHeld) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<TestConnection>> held = HoldEverySlot();

  StatusOr<TestResponse> health = Fresh("/-/healthy");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "Healthy.\n");
  EXPECT_EQ(health->Header("Connection"), "close");

  StatusOr<TestResponse> query = Fresh("/query");
  ASSERT_TRUE(query.ok()) << query.status().ToString();
  EXPECT_EQ(query->status, 503);
  EXPECT_EQ(query->Header("Connection"), "close");
  EXPECT_EQ(query->Header("Retry-After"), "5");
  // All of it while the held connections still held their slots.
  EXPECT_LT(std::chrono::steady_clock::now() - start, kHoldTimeout);

  // The idle and the half-sent connections time out, freeing the slots.
  for (const auto& conn : held) {
    EXPECT_TRUE(conn->WaitForClose(milliseconds(10000)));
  }
  ASSERT_TRUE(WaitForConnections(0));
  StatusOr<TestResponse> after = Fresh("/query");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->body, "result");
}

TEST_F(ConnectionLimitsTest, PastTheReserveEveryRequestIs503NotAHang) {
  std::vector<std::unique_ptr<TestConnection>> held = HoldEverySlot();
  // Half-sent requests fill the reserve too.
  for (int i = 0; i < kReserved; ++i) {
    auto conn = TestConnection::Connect(server_->port());
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Send("GET /-/healthy HTTP/1.1\r\nHost:").ok());
    held.push_back(*std::move(conn));
  }
  ASSERT_TRUE(strata::testing::WaitFor(
      [&] {
        return server_->active_connections() == kMaxConnections + kReserved;
      },
      milliseconds(5000)));
  for (const char* path : {"/-/healthy", "/query"}) {
    StatusOr<TestResponse> r = Fresh(path);
    ASSERT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    EXPECT_EQ(r->status, 503) << path;
    EXPECT_EQ(r->Header("Connection"), "close");
  }
  held.clear();
  ASSERT_TRUE(WaitForConnections(0));
  StatusOr<TestResponse> health = Fresh("/-/healthy");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace strata::server
