#include "http_client/http_client.h"

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "free_port.h"
#include "gtest/gtest.h"
#include "server/http/http_server.h"
#include "server/http/router.h"

namespace strata::http_client {
namespace {

using std::chrono::milliseconds;

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Get("/hello", [](server::Request& req) {
      return server::Response::Text(
          200, "hello " + std::string(req.headers.Get("X-Name")));
    });
    router_.Post("/echo", [](server::Request& req) {
      server::Response r = server::Response::Text(201, req.body);
      r.headers.Set("X-Type", std::string(req.headers.Get("Content-Type")));
      return r;
    });
    router_.Get("/stream", [](server::Request&) {
      server::Response response;
      response.stream = [](server::BodyWriter* w) {
        for (int i = 0; i < 3000; ++i) {
          STRATA_RETURN_IF_ERROR(w->Write("line " + std::to_string(i) + "\n"));
          if (i % 1000 == 999) STRATA_RETURN_IF_ERROR(w->Flush());
        }
        return Status::OK();
      };
      return response;
    });
    router_.Get("/slow", [this](server::Request&) {
      release_.WaitForNotificationWithTimeout(absl::Seconds(10));
      return server::Response::Text(200, "late");
    });
    server::HttpServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.io_threads = 1;
    server_ = std::make_unique<server::HttpServer>(options, &router_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    release_.Notify();
    server_->Shutdown(milliseconds(1000));
  }

  int port() const { return server_->port(); }

  server::Router router_;
  std::unique_ptr<server::HttpServer> server_;
  absl::Notification release_;
};

TEST_F(HttpClientTest, GetWithHeaders) {
  Request request;
  request.target = "/hello";
  request.headers = {{"X-Name", "strata"}};
  StatusOr<Response> r = Fetch("127.0.0.1", port(), request);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello strata");
  EXPECT_EQ(r->Header("content-type"), r->Header("Content-Type"));
  EXPECT_EQ(r->Header("X-Absent"), "");
}

TEST_F(HttpClientTest, PostSendsBodyAndContentType) {
  StatusOr<Response> r = Post(port(), "/echo", "a=1&b=2");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "a=1&b=2");
  EXPECT_EQ(r->Header("X-Type"), "application/x-www-form-urlencoded");
}

TEST_F(HttpClientTest, ErrorStatusIsAResponse) {
  StatusOr<Response> r = Get(port(), "/no/such/path");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 404);
}

TEST_F(HttpClientTest, ChunkedBodyIsDecoded) {
  StatusOr<Response> r = Get(port(), "/stream");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.starts_with("line 0\nline 1\n"));
  EXPECT_TRUE(r->body.ends_with("line 2999\n"));
}

TEST_F(HttpClientTest, ConnectionIsKeptAliveAndReconnects) {
  Connection conn("127.0.0.1", port());
  EXPECT_FALSE(conn.connected());
  Request request;
  request.target = "/hello";
  for (int i = 0; i < 3; ++i) {
    StatusOr<Response> r = conn.Send(request);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(conn.connected());
  }
  // The server closes after a "Connection: close" request; the next Send
  // connects again.
  request.headers = {{"Connection", "close"}};
  ASSERT_TRUE(conn.Send(request).ok());
  EXPECT_FALSE(conn.connected());
  request.headers.clear();
  StatusOr<Response> again = conn.Send(request);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->status, 200);
}

TEST_F(HttpClientTest, TimeoutIsDeadlineExceeded) {
  Options options;
  options.timeout = milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  StatusOr<Response> r = Get(port(), "/slow", options);
  EXPECT_TRUE(r.status().Is(StatusCode::kDeadlineExceeded))
      << r.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(HttpClientNoServerTest, RefusedConnectionIsUnavailable) {
  const int port = strata::testing::FreeLoopbackPort();
  ASSERT_GT(port, 0);
  StatusOr<Response> r = Get(port, "/");
  EXPECT_TRUE(r.status().Is(StatusCode::kUnavailable)) << r.status().ToString();
}

TEST(ParseUrlTest, Forms) {
  StatusOr<Url> u = ParseUrl("http://localhost:9090/prefix/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "localhost");
  EXPECT_EQ(u->port, 9090);
  EXPECT_EQ(u->path_prefix, "/prefix");
  u = ParseUrl("http://example.org");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->path_prefix, "");
  EXPECT_FALSE(ParseUrl("https://example.org").ok());
  EXPECT_FALSE(ParseUrl("http://host:notaport").ok());
  EXPECT_FALSE(ParseUrl("http://:80").ok());
}

}  // namespace
}  // namespace strata::http_client
