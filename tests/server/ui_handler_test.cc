// The web UI's routes over a real socket: the help page of a server built
// without the UI, and with (test) assets the redirect, index.html for every
// page, content types, gzip, ETag revalidation and cache headers.
#include "server/api/ui_handler.h"

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

// "hello" gzipped by Python's gzip.compress(b"hello", mtime=0).
constexpr char kHelloGzip[] =
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xcb\x48\xcd\xc9\xc9\x07\x00\x86"
    "\xa6\x10\x36\x05\x00\x00\x00";

const UiAsset kAssets[] = {
    {"index.html", "text/html; charset=utf-8", "<html>index</html>", "",
     "\"idx1\""},
    {"assets/main-ABC.js",
     "text/javascript; charset=utf-8",
     "hello",
     {kHelloGzip, sizeof(kHelloGzip) - 1},
     "\"js1\""},
};

class UiHandlerTest : public ::testing::Test {
 protected:
  void Start(UiOptions options) {
    ui_ = std::make_unique<UiHandler>(std::move(options));
    ui_->RegisterRoutes(&router_);
    HttpServerOptions http;
    http.listen_address = "127.0.0.1:0";
    http.io_threads = 1;
    server_ = std::make_unique<HttpServer>(http, &router_, nullptr);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::seconds(1));
  }

  TestResponse Get(const std::string& target, const std::string& headers = "",
                   const std::string& method = "GET") {
    StatusOr<TestResponse> r =
        HttpRequest(server_->port(), method, target, "", headers);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : TestResponse{};
  }

  Router router_;
  std::unique_ptr<UiHandler> ui_;
  std::unique_ptr<HttpServer> server_;
};

// A server built without node/npm explains at / (and every page) how to
// get the UI, instead of a 404.
TEST_F(UiHandlerTest, WithoutAssetsEveryPageExplainsHowToBuildTheUi) {
  Start(UiOptions{});
  for (const char* page : {"/", "/graph", "/cardinality", "/tsdb-status"}) {
    TestResponse r = Get(page);
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.Header("Content-Type"), "text/html; charset=utf-8") << page;
    EXPECT_NE(r.body.find("built without its web UI"), std::string::npos)
        << page;
    EXPECT_NE(r.body.find("apt-get install nodejs"), std::string::npos);
  }
  EXPECT_EQ(Get("/assets/main-ABC.js").status, 404);
}

TEST_F(UiHandlerTest, RootRedirectsToGraphUnderTheExternalPath) {
  Start(UiOptions{kAssets, "/prom"});
  TestResponse r = Get("/");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.Header("Location"), "/prom/graph");
}

TEST_F(UiHandlerTest, PagesServeIndexRevalidated) {
  Start(UiOptions{kAssets, ""});
  EXPECT_EQ(Get("/").Header("Location"), "/graph");
  for (std::string_view page : UiHandler::PagePaths()) {
    TestResponse r = Get("/" + std::string(page));
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.body, "<html>index</html>");
    EXPECT_EQ(r.Header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.Header("Cache-Control"), "no-cache");
    EXPECT_EQ(r.Header("ETag"), "\"idx1\"");
  }
  TestResponse again = Get("/graph", "If-None-Match: \"other\", \"idx1\"\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(again.Header("ETag"), "\"idx1\"");
  EXPECT_EQ(Get("/nosuchpage").status, 404);
}

TEST_F(UiHandlerTest, AssetsAreImmutableAndGzippedWhenAccepted) {
  Start(UiOptions{kAssets, ""});
  TestResponse plain = Get("/assets/main-ABC.js");
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "hello");
  EXPECT_EQ(plain.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(plain.Header("Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_FALSE(plain.HasHeader("Content-Encoding"));
  EXPECT_EQ(plain.Header("Vary"), "Accept-Encoding");

  TestResponse gz = Get("/assets/main-ABC.js", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.body, std::string(kHelloGzip, sizeof(kHelloGzip) - 1));

  // index.html has no gzip copy: sent as is even when gzip is accepted.
  EXPECT_FALSE(
      Get("/graph", "Accept-Encoding: gzip\r\n").HasHeader("Content-Encoding"));
  EXPECT_EQ(Get("/assets/main-ABC.js", "If-None-Match: W/\"js1\"\r\n").status,
            304);
  EXPECT_EQ(Get("/assets/nope.js").status, 404);
  EXPECT_EQ(Get("/assets/main-ABC.js", "", "HEAD").status, 200);
}

}  // namespace
}  // namespace strata::server
