// --web.config.file end to end: strata-server over TLS with basic auth,
// written to and read from by the real Prometheus 2.42 (`tls_config`,
// `basic_auth` in its remote_write and remote_read), checked with curl:
//  - Prometheus remote-writes its own metrics; a second Prometheus whose
//    only data is Strata (remote_read) answers a query with them;
//  - a wrong or missing password gets 401 with `WWW-Authenticate: Basic`;
//  - plain HTTP gets Go's 400 "Client sent an HTTP request to an HTTPS
//    server.";
//  - RequireAndVerifyClientCert: without a client certificate the
//    handshake fails, with one Prometheus and curl get through, and a new
//    client_ca_file (re-read on change) that did not sign it locks it out.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "e2e_util.h"
#include "gtest/gtest.h"
#include "run_command.h"
#include "server/test_pki.h"
#include "temp_dir.h"
#include "test_env.h"
#include "wait_for.h"

namespace strata::e2e {
namespace {

using std::chrono::milliseconds;

constexpr char kPrometheus[] = "/usr/bin/prometheus";
constexpr char kCurl[] = "/usr/bin/curl";
// bcrypt of "secret" (cost 10).
constexpr char kSecretHash[] =
    "$2b$10$v2iHkQ60SWKgyZK/fZGbh./0D9jzwJa3ifif9MJzfQOC1dEmO8sy.";

struct CurlResult {
  int exit_code = -1;
  int status = 0;  // 0: no HTTP response (e.g. the handshake failed).
  std::string headers;
  std::string body;
};

class TlsAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPrometheus) ||
        !std::filesystem::exists(kCurl)) {
      STRATA_SKIP_OR_FAIL_IF_MISSING("the prometheus and curl Debian packages");
    }
    ASSERT_TRUE(std::filesystem::exists(StrataServerPath()));
    ASSERT_TRUE(tmp_.ok());
    auto pki = server::testing::WriteTestPki(root_);
    ASSERT_TRUE(pki.ok()) << pki.status().ToString();
    pki_ = *pki;
    strata_port_ = FreePort();
  }

  void TearDown() override {
    reader_.reset();
    writer_.reset();
    strata_.reset();
    if (HasFailure()) tmp_.Keep();
  }

  // The web config: TLS with the test certificate, user alice:secret, and
  // `client_auth` lines (or none).
  void WriteWebConfig(const std::string& client_auth) {
    WriteFile(root_ + "/web.yml",
              "tls_server_config:\n"
              "  cert_file: server.crt\n"
              "  key_file: server.key\n" +
                  client_auth +
                  "http_server_config:\n"
                  "  headers:\n"
                  "    X-Content-Type-Options: nosniff\n"
                  "basic_auth_users:\n"
                  "  alice: " +
                  kSecretHash + "\n");
  }

  // Starts strata-server and waits until curl with `cert_args` (a client
  // certificate, if the config wants one) finds it ready.
  void StartStrata(const std::string& cert_args = "") {
    strata_ = std::make_unique<Process>(
        std::vector<std::string>{
            StrataServerPath(), "--storage.tsdb.path=" + root_ + "/strata",
            "--web.listen-address=127.0.0.1:" + std::to_string(strata_port_),
            "--web.config.file=" + root_ + "/web.yml"},
        root_ + "/strata.log");
    ASSERT_TRUE(strata::testing::WaitFor(
        [&] {
          return Curl("/-/ready", "-u alice:secret " + cert_args).status == 200;
        },
        milliseconds(20000), milliseconds(100)))
        << strata_->log();
  }

  // curl https://localhost:<port><path> trusting the test CA, with `args`.
  CurlResult Curl(const std::string& path, const std::string& args) {
    const std::string out = root_ + "/curl.out";
    const std::string head = root_ + "/curl.head";
    std::remove(out.c_str());
    std::remove(head.c_str());
    CurlResult r;
    const std::string code = strata::testing::RunCommand(
        std::string(kCurl) + " -sS --max-time 10 --cacert " + pki_.ca_cert +
            " -o " + out + " -D " + head + " -w '%{http_code}' " + args +
            " 'https://localhost:" + std::to_string(strata_port_) + path +
            "' 2>>" + root_ + "/curl.err",
        &r.exit_code);
    r.status = code.empty() ? 0 : std::atoi(code.c_str());
    r.headers = ReadFileOrEmpty(head);
    r.body = ReadFileOrEmpty(out);
    return r;
  }

  // A remote_write or remote_read entry's TLS and auth lines.
  std::string RemoteClientConfig(const std::string& client_cert) const {
    return "    tls_config:\n"
           "      ca_file: " +
           pki_.ca_cert + "\n" + client_cert +
           "    basic_auth:\n"
           "      username: alice\n"
           "      password: secret\n";
  }

  std::string ClientCertLines() const {
    return "      cert_file: " + pki_.client_cert +
           "\n"
           "      key_file: " +
           pki_.client_key + "\n";
  }

  // A Prometheus scraping itself every second and remote-writing to
  // Strata over TLS.
  void StartWriter(const std::string& client_cert) {
    writer_port_ = FreePort();
    WriteFile(root_ + "/writer.yml",
              "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
              "scrape_configs:\n"
              "  - job_name: writer\n"
              "    static_configs: [{targets: ['127.0.0.1:" +
                  std::to_string(writer_port_) +
                  "']}]\n"
                  "remote_write:\n"
                  "  - url: https://localhost:" +
                  std::to_string(strata_port_) +
                  "/api/v1/write\n"
                  "    queue_config: {batch_send_deadline: 500ms, "
                  "min_backoff: 50ms, max_backoff: 500ms}\n" +
                  RemoteClientConfig(client_cert));
    writer_ = StartPrometheus("writer", writer_port_);
  }

  // A Prometheus that scrapes nothing and reads everything from Strata.
  void StartReader(const std::string& client_cert) {
    reader_port_ = FreePort();
    WriteFile(root_ + "/reader.yml",
              "remote_read:\n"
              "  - url: https://localhost:" +
                  std::to_string(strata_port_) +
                  "/api/v1/read\n"
                  "    read_recent: true\n" +
                  RemoteClientConfig(client_cert));
    reader_ = StartPrometheus("reader", reader_port_);
  }

  std::unique_ptr<Process> StartPrometheus(const std::string& name, int port) {
    auto p = std::make_unique<Process>(
        std::vector<std::string>{
            kPrometheus, "--config.file=" + root_ + "/" + name + ".yml",
            "--storage.tsdb.path=" + root_ + "/" + name + "-data",
            "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        root_ + "/" + name + ".log");
    EXPECT_TRUE(WaitForOk(port, "/-/ready", 30000)) << p->log();
    return p;
  }

  // Strata holds the writer's `up` series, and the reader, which has no
  // data of its own, answers it from Strata.
  void ExpectWrittenAndReadBack(const std::string& curl_cert_args) {
    EXPECT_TRUE(strata::testing::WaitFor(
        [&] {
          return Curl("/api/v1/query?query=up",
                      "-u alice:secret " + curl_cert_args)
                     .body.find("\"job\":\"writer\"") != std::string::npos;
        },
        milliseconds(40000), milliseconds(250)))
        << writer_->log() << strata_->log();
    EXPECT_TRUE(strata::testing::WaitFor(
        [&] {
          return Http(reader_port_, "GET", "/api/v1/query?query=up")
                     .body.find("\"job\":\"writer\"") != std::string::npos;
        },
        milliseconds(20000), milliseconds(250)))
        << reader_->log();
  }

  strata::testing::TempDir tmp_{"strata-tls-e2e"};
  const std::string root_ = tmp_.path();
  server::testing::TestPki pki_;
  int strata_port_ = 0;
  int writer_port_ = 0;
  int reader_port_ = 0;
  std::unique_ptr<Process> strata_;
  std::unique_ptr<Process> writer_;
  std::unique_ptr<Process> reader_;
};

TEST_F(TlsAuthTest, PrometheusWritesAndReadsOverTlsWithBasicAuth) {
  WriteWebConfig("");
  StartStrata();
  StartWriter("");
  StartReader("");
  ExpectWrittenAndReadBack("");

  // Every endpoint wants the password; the configured header is on every
  // handler's response.
  for (const char* args : {"-u alice:wrong", "-u bob:secret", ""}) {
    const CurlResult refused = Curl("/api/v1/query?query=up", args);
    EXPECT_EQ(refused.status, 401) << args;
    EXPECT_NE(refused.headers.find("WWW-Authenticate: Basic"),
              std::string::npos)
        << refused.headers;
    EXPECT_EQ(refused.body, "Unauthorized\n");
  }
  const CurlResult ok = Curl("/-/healthy", "-u alice:secret");
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.headers.find("X-Content-Type-Options: nosniff"),
            std::string::npos)
      << ok.headers;

  // Plain HTTP on the TLS port.
  const http_client::Response plain = Http(strata_port_, "GET", "/-/healthy");
  EXPECT_EQ(plain.status, 400) << plain.body;
  EXPECT_EQ(plain.body, "Client sent an HTTP request to an HTTPS server.\n");
}

TEST_F(TlsAuthTest, RequireAndVerifyClientCert) {
  WriteWebConfig(
      "  client_auth_type: RequireAndVerifyClientCert\n"
      "  client_ca_file: ca.crt\n");
  const std::string cert =
      "--cert " + pki_.client_cert + " --key " + pki_.client_key;
  StartStrata(cert);

  // No certificate: the handshake fails, nothing HTTP comes back.
  const CurlResult refused = Curl("/-/healthy", "-u alice:secret");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(refused.status, 0);
  EXPECT_NE(strata_->log().find("TLS handshake error"), std::string::npos)
      << strata_->log();
  EXPECT_EQ(Curl("/-/healthy", "-u alice:secret " + cert).status, 200);

  StartWriter(ClientCertLines());
  StartReader(ClientCertLines());
  ExpectWrittenAndReadBack(cert);

  // A client CA that did not sign the certificate, picked up without a
  // restart by the next handshake.
  WriteWebConfig(
      "  client_auth_type: RequireAndVerifyClientCert\n"
      "  client_ca_file: other-ca.crt\n");
  EXPECT_EQ(Curl("/-/healthy", "-u alice:secret " + cert).status, 0);
}

}  // namespace
}  // namespace strata::e2e
