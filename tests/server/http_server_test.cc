// The HTTP layer against real sockets on 127.0.0.1.
#include "server/http/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "http_test_client.h"
#include "server/http/router.h"
#include "util/mutex.h"
#include "wait_for.h"

namespace strata::server {
namespace {

using std::chrono::milliseconds;
using testing::HttpRequest;
using testing::TestConnection;
using testing::TestResponse;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Get("/hello", [](Request& req) {
      return Response::Text(kHttpOk, "hello from " + req.remote_address);
    });
    router_.Post("/echo", [](Request& req) {
      return Response::Text(kHttpOk, req.body);
    });
    router_.Handle("POST", "/params", [](Request& req) {
      std::string out;
      for (const auto& [k, v] : req.params.pairs()) out += k + "=" + v + ";";
      if (!req.params_status.ok()) out += "error";
      return Response::Text(kHttpOk, out);
    });
    router_.Get("/params", [](Request& req) {
      std::string out;
      for (const auto& [k, v] : req.params.pairs()) out += k + "=" + v + ";";
      if (!req.params_status.ok()) out += "error";
      return Response::Text(kHttpOk, out);
    });
    router_.Get("/label/:name/values", [](Request& req) {
      return Response::Text(kHttpOk, std::string(req.path_params.Get("name")));
    });
    router_.Get("/slow", [this](Request&) {
      slow_started_.Notify();
      std::this_thread::sleep_for(slow_duration_);
      return Response::Text(kHttpOk, "slow done");
    });
    router_.Get("/until-hangup", [this](Request& req) {
      // Waits (up to ?ms=, default 5 s) for the server to notice the client
      // went away.
      until_hangup_running_ = true;
      const std::string ms(req.params.Get("ms"));
      const int polls = ms.empty() ? 500 : std::atoi(ms.c_str()) / 10;
      for (int i = 0; i < polls; ++i) {
        if (req.client_gone != nullptr && req.client_gone->load()) {
          hangup_seen_.Notify();
          break;
        }
        std::this_thread::sleep_for(milliseconds(10));
      }
      return Response::Text(kHttpOk, "done");
    });
    router_.Get("/stream", [](Request& req) {
      const int pieces = std::atoi(std::string(req.params.Get("n")).c_str());
      Response response;
      response.headers.Set("Content-Type", "text/plain");
      response.stream = [pieces](BodyWriter* w) {
        for (int i = 0; i < pieces; ++i) {
          STRATA_RETURN_IF_ERROR(w->Write("line " + std::to_string(i) + "\n"));
          if (i % 1000 == 999) STRATA_RETURN_IF_ERROR(w->Flush());
        }
        return Status::OK();
      };
      return response;
    });
  }

  void TearDown() override {
    if (server_) server_->Shutdown(milliseconds(1000));
  }

  void StartServer(HttpServerOptions options = {}) {
    options.listen_address = "127.0.0.1:0";
    if (options.io_threads == 0) options.io_threads = 2;
    server_ = std::make_unique<HttpServer>(
        options, &router_, [this](const RequestRecord& record) {
          strata::MutexLock lock(&records_mu_);
          records_.push_back(std::string(record.method) + " " +
                             std::string(record.route) + " " +
                             std::to_string(record.status));
        });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_GT(server_->port(), 0);
  }

  int port() const { return server_->port(); }

  // Waits until the server reports `n` open connections.
  bool WaitForConnections(int64_t n, milliseconds timeout) {
    return strata::testing::WaitFor(
        [&] { return server_->active_connections() == n; }, timeout);
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
  absl::Notification slow_started_;
  absl::Notification hangup_seen_;
  std::atomic<bool> until_hangup_running_{false};
  milliseconds slow_duration_{300};
  strata::Mutex records_mu_;
  std::vector<std::string> records_ ABSL_GUARDED_BY(records_mu_);
};

TEST_F(HttpServerTest, KeepAliveReusesOneConnection) {
  StartServer();
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  const std::string expected =
      "hello from 127.0.0.1:" + std::to_string((*conn)->local_port());
  for (int i = 0; i < 5; ++i) {
    StatusOr<TestResponse> r = (*conn)->Request("GET", "/hello");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, expected);
    EXPECT_EQ(r->Header("Content-Length"), std::to_string(expected.size()));
    EXPECT_EQ(r->Header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_FALSE(r->Header("Date").empty());
    EXPECT_NE(r->Header("Connection"), "close");
  }
  EXPECT_EQ(server_->active_connections(), 1);
}

TEST_F(HttpServerTest, PipelinedRequestsAnsweredInOrder) {
  StartServer();
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)
                  ->Send("GET /label/a/values HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /label/b/values HTTP/1.1\r\nHost: x\r\n\r\n")
                  .ok());
  StatusOr<TestResponse> first = (*conn)->ReadResponse();
  StatusOr<TestResponse> second = (*conn)->ReadResponse();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->body, "a");
  EXPECT_EQ(second->body, "b");
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  StartServer();
  StatusOr<TestResponse> r = HttpRequest(port(), "GET", "/no/such/path");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "404 page not found\n");
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  StartServer();
  StatusOr<TestResponse> r = HttpRequest(port(), "POST", "/hello", "x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("Allow"), "GET, HEAD, OPTIONS");
  r = HttpRequest(port(), "DELETE", "/echo");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("Allow"), "OPTIONS, POST");
  r = HttpRequest(port(), "OPTIONS", "/hello");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Allow"), "GET, HEAD, OPTIONS");
}

TEST_F(HttpServerTest, HeadSendsHeadersOnly) {
  StartServer();
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  StatusOr<TestResponse> head = (*conn)->Request("HEAD", "/hello");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->status, 200);
  const std::string expected =
      "hello from 127.0.0.1:" + std::to_string((*conn)->local_port());
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(expected.size()));
  // Had a body been sent, it would now be read as the next status line.
  StatusOr<TestResponse> get = (*conn)->Request("GET", "/hello");
  ASSERT_TRUE(get.ok()) << get.status().ToString();
  EXPECT_EQ(get->body, expected);
}

TEST_F(HttpServerTest, EchoesBodyWithinLimit) {
  HttpServerOptions options;
  options.max_body_bytes = 1 << 20;
  StartServer(options);
  const std::string body(1 << 20, 'x');
  StatusOr<TestResponse> r = HttpRequest(port(), "POST", "/echo", body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, body);
}

TEST_F(HttpServerTest, TooLargeBodyIs413) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  {
    // Declared length over the limit: refused before the body is read.
    auto conn = TestConnection::Connect(port());
    ASSERT_TRUE(conn.ok());
    StatusOr<TestResponse> r =
        (*conn)->Request("POST", "/echo", std::string(64 << 10, 'y'));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_TRUE((*conn)->WaitForClose(milliseconds(5000)));
  }
  {
    // Chunked body that grows past the limit.
    auto conn = TestConnection::Connect(port());
    ASSERT_TRUE(conn.ok());
    std::string request =
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i)
      request += "200\r\n" + std::string(512, 'z') + "\r\n";
    request += "0\r\n\r\n";
    ASSERT_TRUE((*conn)->Send(request).ok());
    StatusOr<TestResponse> r = (*conn)->ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 413);
  }
  // The limit is inclusive.
  StatusOr<TestResponse> r =
      HttpRequest(port(), "POST", "/echo", std::string(1024, 'w'));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponse) {
  StartServer();
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(
      (*conn)
          ->Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                 "Expect: 100-continue\r\n\r\n")
          .ok());
  StatusOr<TestResponse> interim = (*conn)->ReadResponse();
  ASSERT_TRUE(interim.ok());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE((*conn)->Send("hello").ok());
  StatusOr<TestResponse> r = (*conn)->ReadResponse();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

TEST_F(HttpServerTest, QueryAndFormAreMergedFormFirst) {
  StartServer();
  StatusOr<TestResponse> r = HttpRequest(
      port(), "POST", "/params?match%5B%5D=up&y=a+b%21", "match[]=x%3D1&z=",
      "Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "match[]=x=1;z=;match[]=up;y=a b!;");
  // Without the form content type the body is not parsed.
  r = HttpRequest(port(), "POST", "/params?a=1", "b=2",
                  "Content-Type: text/plain\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "a=1;");
  // A malformed escape is reported; the good pairs survive.
  r = HttpRequest(port(), "GET", "/params?a=%zz&b=2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "b=2;error");
}

TEST_F(HttpServerTest, PathIsPercentDecodedForRouting) {
  StartServer();
  StatusOr<TestResponse> r = HttpRequest(port(), "GET", "/label/a%2Fb/values");
  ASSERT_TRUE(r.ok());
  // Like Go, the decoded path is routed, so %2F becomes a separator.
  EXPECT_EQ(r->status, 404);
  r = HttpRequest(port(), "GET", "/label/j%C3%B6b/values");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body,
            "j\xC3\xB6"
            "b");
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  StartServer();
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Send("GET /hello HTTP/1.1\r\nBad Header\r\n\r\n").ok());
  StatusOr<TestResponse> r = (*conn)->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE((*conn)->WaitForClose(milliseconds(5000)));
}

TEST_F(HttpServerTest, OversizedHeadersAre431) {
  HttpServerOptions options;
  options.max_header_bytes = 4096;
  StartServer(options);
  StatusOr<TestResponse> r =
      HttpRequest(port(), "GET", "/hello?q=" + std::string(8192, 'a'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 431);
}

TEST_F(HttpServerTest, HeaderTimeoutClosesSlowClient) {
  HttpServerOptions options;
  options.header_timeout = milliseconds(200);
  StartServer(options);
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Send("GET /hello HTTP/1.1\r\nHost:").ok());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE((*conn)->WaitForClose(milliseconds(5000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
}

// A new connection that sends nothing is bounded by the header timeout,
// not the (longer) idle timeout, so it cannot hold its slot for long.
TEST_F(HttpServerTest, NewConnectionSendingNothingGetsTheHeaderTimeout) {
  HttpServerOptions options;
  options.header_timeout = milliseconds(200);
  options.idle_timeout = std::chrono::minutes(10);
  StartServer(options);
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE((*conn)->WaitForClose(milliseconds(5000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
}

TEST_F(HttpServerTest, IdleTimeoutClosesKeptAliveConnection) {
  HttpServerOptions options;
  options.idle_timeout = milliseconds(200);
  StartServer(options);
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Request("GET", "/hello").ok());
  EXPECT_TRUE((*conn)->WaitForClose(milliseconds(5000)));
  EXPECT_TRUE(WaitForConnections(0, milliseconds(2000)));
}

TEST_F(HttpServerTest, StreamedResponseIsChunked) {
  StartServer();
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  StatusOr<TestResponse> r = (*conn)->Request("GET", "/stream?n=20000");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->chunked);
  std::string expected;
  for (int i = 0; i < 20000; ++i)
    expected += "line " + std::to_string(i) + "\n";
  EXPECT_EQ(r->body, expected);
  // The connection stays usable after the last chunk.
  StatusOr<TestResponse> next = (*conn)->Request("GET", "/stream?n=3");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->body, "line 0\nline 1\nline 2\n");
}

TEST_F(HttpServerTest, Http10GetsCloseDelimitedStream) {
  StartServer();
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Send("GET /stream?n=2 HTTP/1.0\r\n\r\n").ok());
  StatusOr<TestResponse> r = (*conn)->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->chunked);
  EXPECT_EQ(r->body, "line 0\nline 1\n");
}

TEST_F(HttpServerTest, HandlerSeesClientHangUp) {
  StartServer();
  {
    auto conn = TestConnection::Connect(port());
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(
        (*conn)->Send("GET /until-hangup HTTP/1.1\r\nHost: x\r\n\r\n").ok());
    ASSERT_TRUE(strata::testing::WaitFor(
        [&] { return until_hangup_running_.load(); }, milliseconds(5000)));
  }  // Closes the connection while the handler runs.
  EXPECT_TRUE(hangup_seen_.WaitForNotificationWithTimeout(absl::Seconds(5)));
}

TEST_F(HttpServerTest, ConnectedClientIsNotReportedGone) {
  StartServer();
  auto conn = TestConnection::Connect(port());
  ASSERT_TRUE(conn.ok());
  // The handler gives up after 300 ms; the client stays for the answer.
  StatusOr<TestResponse> r = (*conn)->Request("GET", "/until-hangup?ms=300");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "done");
  EXPECT_FALSE(hangup_seen_.HasBeenNotified());
}

TEST_F(HttpServerTest, ObserverSeesRouteAndStatus) {
  StartServer();
  ASSERT_TRUE(HttpRequest(port(), "GET", "/label/x/values").ok());
  ASSERT_TRUE(HttpRequest(port(), "GET", "/nothing").ok());
  // The observer runs after the response is written; wait for both calls.
  std::vector<std::string> records;
  strata::testing::WaitFor(
      [&] {
        strata::MutexLock lock(&records_mu_);
        records = records_;
        return records.size() >= 2;
      },
      milliseconds(5000));
  ASSERT_EQ(records.size(), 2u);
  // Each observer call runs after its response went out, so the two
  // records may arrive in either order.
  std::sort(records.begin(), records.end());
  EXPECT_EQ(records[0], "GET  404");
  EXPECT_EQ(records[1], "GET /label/:name/values 200");
}

TEST_F(HttpServerTest, SixHundredConcurrentConnections) {
  constexpr int kConnections = 600;
  rlimit limit;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < 2 * kConnections + 100) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 4 * kConnections);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  HttpServerOptions options;
  options.io_threads = 2;
  StartServer(options);
  std::vector<std::unique_ptr<TestConnection>> conns;
  for (int i = 0; i < kConnections; ++i) {
    auto conn = TestConnection::Connect(port());
    ASSERT_TRUE(conn.ok()) << i << ": " << conn.status().ToString();
    conns.push_back(std::move(*conn));
  }
  // Every connection is open at the same time on the server side...
  ASSERT_TRUE(WaitForConnections(kConnections, milliseconds(10000)))
      << server_->active_connections();
  // ...and each is then served, in reverse order of opening.
  for (int i = kConnections - 1; i >= 0; --i) {
    ASSERT_TRUE(conns[i]->Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").ok());
  }
  for (int i = 0; i < kConnections; ++i) {
    StatusOr<TestResponse> r = conns[i]->ReadResponse();
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().ToString();
    ASSERT_EQ(r->status, 200);
    ASSERT_EQ(r->body,
              "hello from 127.0.0.1:" + std::to_string(conns[i]->local_port()));
  }
  EXPECT_EQ(server_->active_connections(), kConnections);
}

// Past max_connections a connection is accepted (not left in the backlog)
// and answered 503 (connection_limits_test.cc has the reserve for health).
TEST_F(HttpServerTest, MaxConnectionsAnswersTheRest503) {
  HttpServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  auto a = TestConnection::Connect(port());
  auto b = TestConnection::Connect(port());
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(WaitForConnections(2, milliseconds(5000)));
  auto c = TestConnection::Connect(port());
  ASSERT_TRUE(c.ok());
  StatusOr<TestResponse> refused = (*c)->Request("GET", "/label/c/values");
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->Header("Connection"), "close");
  EXPECT_FALSE(refused->Header("Retry-After").empty());
  EXPECT_TRUE((*c)->WaitForClose(milliseconds(5000)));
  a->reset();
  ASSERT_TRUE(WaitForConnections(1, milliseconds(5000)));
  auto d = TestConnection::Connect(port());
  ASSERT_TRUE(d.ok());
  StatusOr<TestResponse> r = (*d)->Request("GET", "/label/d/values");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "d");
}

TEST_F(HttpServerTest, GracefulShutdownFinishesInFlightRequest) {
  slow_duration_ = milliseconds(500);
  StartServer();
  const int server_port = port();
  // An idle kept-alive connection: closed at once by Shutdown.
  auto idle = TestConnection::Connect(server_port);
  ASSERT_TRUE(idle.ok());
  ASSERT_TRUE((*idle)->Request("GET", "/hello").ok());

  auto busy = TestConnection::Connect(server_port);
  ASSERT_TRUE(busy.ok());
  ASSERT_TRUE((*busy)->Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n").ok());
  ASSERT_TRUE(slow_started_.WaitForNotificationWithTimeout(absl::Seconds(5)));

  std::atomic<bool> drained{false};
  std::thread stopper([&] { drained = server_->Shutdown(milliseconds(5000)); });
  EXPECT_TRUE((*idle)->WaitForClose(milliseconds(2000)));
  StatusOr<TestResponse> r = (*busy)->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "slow done");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE((*busy)->WaitForClose(milliseconds(2000)));
  stopper.join();
  EXPECT_TRUE(drained);
  // No longer accepting.
  EXPECT_FALSE(HttpRequest(server_port, "GET", "/hello").ok());
}

TEST_F(HttpServerTest, ShutdownGraceIsBounded) {
  slow_duration_ = milliseconds(1500);
  StartServer();
  auto busy = TestConnection::Connect(port());
  ASSERT_TRUE(busy.ok());
  ASSERT_TRUE((*busy)->Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n").ok());
  ASSERT_TRUE(slow_started_.WaitForNotificationWithTimeout(absl::Seconds(5)));
  const auto start = std::chrono::steady_clock::now();
  // The grace ends before the handler does: the connection is cut, and
  // Shutdown then waits only for the handler to return.
  EXPECT_FALSE(server_->Shutdown(milliseconds(100)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(4000));
  EXPECT_TRUE((*busy)->WaitForClose(milliseconds(1000)));
}

TEST(SplitHostPortTest, ParsesLikeGo) {
  std::string host;
  int port = 0;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:9201", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9201);
  ASSERT_TRUE(SplitHostPort(":9090", &host, &port).ok());
  EXPECT_EQ(host, "");
  EXPECT_EQ(port, 9090);
  ASSERT_TRUE(SplitHostPort("[::1]:80", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 80);
  ASSERT_TRUE(SplitHostPort("localhost:0", &host, &port).ok());
  EXPECT_EQ(port, 0);
  for (const char* bad : {"127.0.0.1", "::1:80", "[::1]80", "h:", "h:x",
                          "h:70000", "h:-1", "[::1"}) {
    EXPECT_FALSE(SplitHostPort(bad, &host, &port).ok()) << bad;
  }
}

TEST(HttpServerStartTest, ReportsBindFailure) {
  Router router;
  HttpServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.io_threads = 1;
  HttpServer first(options, &router);
  ASSERT_TRUE(first.Start().ok());
  options.listen_address = "127.0.0.1:" + std::to_string(first.port());
  HttpServer second(options, &router);
  Status s = second.Start();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  options.listen_address = "nonsense";
  HttpServer third(options, &router);
  EXPECT_EQ(third.Start().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::server
