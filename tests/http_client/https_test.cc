// The client over HTTPS (Options::tls) against Strata's own HttpServer with
// a --web.config.file: certificate verification (CA, name, IP), keep-alive,
// client certificates, and the errors when verification fails.
#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "http_client/http_client.h"
#include "server/http/http_server.h"
#include "server/http/router.h"
#include "server/http/web_config_file.h"
#include "server/test_pki.h"
#include "temp_dir.h"

namespace strata::http_client {
namespace {

using std::chrono::milliseconds;

class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    StatusOr<server::testing::TestPki> pki =
        server::testing::WriteTestPki(tmp_.path());
    ASSERT_TRUE(pki.ok()) << pki.status().ToString();
    pki_ = *pki;
    router_.Get("/hello", [](server::Request&) {
      return server::Response::Text(200, "hello over tls");
    });
    router_.Get("/big", [](server::Request&) {
      return server::Response::Text(200, std::string(100000, 'b'));
    });
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(milliseconds(1000));
  }

  // Serves over TLS with the test certificate; `client_auth` lines are
  // added to tls_server_config.
  void StartServer(const std::string& client_auth = "") {
    const std::string path = tmp_.path() + "/web.yml";
    std::ofstream(path) << "tls_server_config:\n  cert_file: "
                        << pki_.server_cert
                        << "\n  key_file: " << pki_.server_key << "\n"
                        << client_auth;
    StatusOr<std::unique_ptr<server::WebConfigFile>> web =
        server::WebConfigFile::Open(path);
    ASSERT_TRUE(web.ok()) << web.status().ToString();
    server::HttpServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.io_threads = 1;
    options.web_config = std::move(*web);
    server_ = std::make_unique<server::HttpServer>(options, &router_);
    ASSERT_TRUE(server_->Start().ok());
  }

  Options Tls(const std::string& ca_file, const std::string& name) const {
    Options options;
    options.timeout = milliseconds(5000);
    options.tls = TlsOptions{ca_file, name, "", ""};
    return options;
  }

  StatusOr<Response> Hello(const Options& options) {
    Request request;
    request.target = "/hello";
    return Fetch("127.0.0.1", server_->port(), request, options);
  }

  strata::testing::TempDir tmp_{"strata-https-client"};
  server::testing::TestPki pki_;
  server::Router router_;
  std::unique_ptr<server::HttpServer> server_;
};

TEST_F(HttpsClientTest, VerifiesTheServerByNameOrIpAndKeepsAlive) {
  StartServer();
  for (const std::string name : {"localhost", ""}) {  // "" = 127.0.0.1
    Connection conn("127.0.0.1", server_->port(), Tls(pki_.ca_cert, name));
    Request request;
    request.target = "/hello";
    for (int i = 0; i < 3; ++i) {
      StatusOr<Response> r = conn.Send(request);
      ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, "hello over tls");
      EXPECT_TRUE(conn.connected());
    }
  }
}

// A body longer than one TLS record (16 KiB): Boost 1.74 failed it with
// "body limit exceeded" when the limit was lifted with boost::none.
TEST_F(HttpsClientTest, BodyLongerThanATlsRecord) {
  StartServer();
  Request request;
  request.target = "/big";
  StatusOr<Response> r = Fetch("127.0.0.1", server_->port(), request,
                               Tls(pki_.ca_cert, "localhost"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, std::string(100000, 'b'));
}

TEST_F(HttpsClientTest, UntrustedOrMisnamedCertificateIsUnavailable) {
  StartServer();
  StatusOr<Response> r = Hello(Tls(pki_.other_ca_cert, "localhost"));
  EXPECT_TRUE(r.status().Is(StatusCode::kUnavailable)) << r.status().ToString();
  EXPECT_NE(r.status().message().find("TLS handshake"), std::string::npos)
      << r.status().ToString();
  r = Hello(Tls(pki_.ca_cert, "example.org"));
  EXPECT_TRUE(r.status().Is(StatusCode::kUnavailable)) << r.status().ToString();
  r = Hello(Tls(tmp_.path() + "/no-such-ca.pem", "localhost"));
  EXPECT_TRUE(r.status().Is(StatusCode::kUnavailable)) << r.status().ToString();
  EXPECT_NE(r.status().message().find("loading CA file"), std::string::npos)
      << r.status().ToString();
  // And the server still answers a good client afterwards.
  r = Hello(Tls(pki_.ca_cert, "localhost"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpsClientTest, PlainClientGetsTheServersPlainHttpAnswer) {
  StartServer();
  StatusOr<Response> r = Get(server_->port(), "/hello");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("HTTP request to an HTTPS server"), std::string::npos);
}

TEST_F(HttpsClientTest, SendsAClientCertificate) {
  StartServer(
      "  client_auth_type: RequireAndVerifyClientCert\n"
      "  client_ca_file: " +
      pki_.ca_cert + "\n");
  EXPECT_FALSE(Hello(Tls(pki_.ca_cert, "localhost")).ok());
  Options with_cert = Tls(pki_.ca_cert, "localhost");
  with_cert.tls->cert_file = pki_.client_cert;
  with_cert.tls->key_file = pki_.client_key;
  StatusOr<Response> r = Hello(with_cert);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace strata::http_client
