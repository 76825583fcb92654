// Runs the real strata-server binary: startup, health, readiness, metrics,
// buildinfo, SIGTERM/SIGINT, and that the data directory reopens afterwards.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "free_port.h"
#include "gtest/gtest.h"
#include "http_test_client.h"
#include "strata/db.h"

namespace strata::server {
namespace {

using std::chrono::milliseconds;
using testing::HttpRequest;
using testing::TestResponse;

// $STRATA_BINARY_DIR/tools/strata-server/strata-server; without the
// variable, found from this test's own path in the same build tree
// (<build>/tests/server/server_e2e_test).
std::string BinaryPath() {
  constexpr const char* kRelative = "/tools/strata-server/strata-server";
  if (const char* dir = std::getenv("STRATA_BINARY_DIR")) {
    return std::string(dir) + kRelative;
  }
  std::error_code ec;
  const std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::string(".") + kRelative;
  return self.parent_path().parent_path().parent_path().string() + kRelative;
}

int FreePort() { return strata::testing::FreeLoopbackPort(); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A strata-server child process with its stderr captured in a file.
class ServerProcess {
 public:
  ServerProcess(std::vector<std::string> args, std::string log_path)
      : log_path_(std::move(log_path)) {
    args.insert(args.begin(), BinaryPath());
    pid_ = fork();
    if (pid_ == 0) {
      const int log =
          open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(log, STDERR_FILENO);
      dup2(log, STDOUT_FILENO);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Waits for exit; returns the exit code, or -1 on timeout or a signal.
  int Wait(milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return -1;
  }

  void Signal(int sig) { kill(pid_, sig); }
  std::string log() const { return ReadFile(log_path_); }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

// Polls `target` until it answers `status`.
bool WaitForStatus(int port, const std::string& target, int status,
                   milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    StatusOr<TestResponse> r = HttpRequest(port, "GET", target);
    if (r.ok() && r->status == status) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

class StrataServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(BinaryPath())) << BinaryPath();
    char tmpl[] = "/tmp/strata_server_e2e_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    data_dir_ = root_ + "/data";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::vector<std::string> Args(int port) const {
    return {"--storage.tsdb.path=" + data_dir_,
            "--web.listen-address=127.0.0.1:" + std::to_string(port)};
  }

  std::string root_;
  std::string data_dir_;
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
  StatusOr<TestResponse> healthy = HttpRequest(port, "GET", "/-/healthy");
  ASSERT_TRUE(healthy.ok());
  EXPECT_EQ(healthy->body, "Prometheus Server is Healthy.\n");
  ASSERT_TRUE(WaitForStatus(port, "/-/ready", 200, milliseconds(20000)))
      << server.log();

  StatusOr<TestResponse> metrics = HttpRequest(port, "GET", "/metrics");
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

  StatusOr<TestResponse> build =
      HttpRequest(port, "GET", "/api/v1/status/buildinfo");
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

TEST_F(StrataServerTest, SigintAndRestartOnSameDirectory) {
  for (int run = 0; run < 2; ++run) {
    const int port = FreePort();
    ServerProcess server(Args(port), root_ + "/server.log");
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
