#include "tls_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "http_client/http_client.h"
#include "metrics_text.h"
#include "server/test_pki.h"
#include "server_process.h"

namespace strata::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kStopTimeoutS = 120;

// basic_auth_users entry: user "bench", password "secret", bcrypt cost 10
// (the hash tests/e2e/tls_auth_test.cc uses for the same password).
constexpr char kUser[] = "bench";
constexpr char kPasswordHash[] =
    "$2b$10$v2iHkQ60SWKgyZK/fZGbh./0D9jzwJa3ifif9MJzfQOC1dEmO8sy.";
// "Basic " + base64("bench:secret").
constexpr char kAuthorization[] = "Basic YmVuY2g6c2VjcmV0";

const char* ModeName(TransportMode mode) {
  switch (mode) {
    case TransportMode::kPlain:
      return "plain HTTP";
    case TransportMode::kTls:
      return "TLS";
    case TransportMode::kTlsBasicAuth:
      return "TLS + basic auth";
  }
  return "?";
}

// Writes the --web.config.file of `mode` into `dir` ("" for plain HTTP,
// which runs without one) and returns its path.
std::string WriteWebConfig(TransportMode mode, const std::string& dir,
                           const server::testing::TestPki& pki) {
  if (mode == TransportMode::kPlain) return "";
  const std::string path = dir + "/web-" +
                           (mode == TransportMode::kTls ? "tls" : "tls-auth") +
                           ".yml";
  std::ofstream out(path);
  out << "tls_server_config:\n  cert_file: " << pki.server_cert
      << "\n  key_file: " << pki.server_key << "\n";
  if (mode == TransportMode::kTlsBasicAuth) {
    out << "basic_auth_users:\n  " << kUser << ": " << kPasswordHash << "\n";
  }
  return path;
}

ClientSetup ClientFor(TransportMode mode, const server::testing::TestPki& pki) {
  ClientSetup client;
  if (mode != TransportMode::kPlain) {
    client.options.tls =
        http_client::TlsOptions{pki.ca_cert, "localhost", "", ""};
  }
  if (mode == TransportMode::kTlsBasicAuth) {
    client.headers.emplace_back("Authorization", kAuthorization);
  }
  return client;
}

// `count` fresh connections, each GET /-/healthy with "Connection: close",
// from `threads` threads; fills the run's handshake figures.
void MeasureHandshakes(const ServerProcess& server, int count, int threads,
                       TransportRun* run) {
  std::atomic<int64_t> ok{0};
  std::atomic<int> next{0};
  http_client::Request request;
  request.target = "/-/healthy";
  request.headers = server.client().headers;
  const double cpu0 = server.CpuSeconds();
  const auto t0 = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (next.fetch_add(1) < count) {
        StatusOr<http_client::Response> r = http_client::Fetch(
            "127.0.0.1", server.port(), request, server.client().options);
        if (r.ok() && r->status == 200) ok.fetch_add(1);
      }
    });
  }
  for (std::thread& w : workers) w.join();
  run->handshake_wall_s =
      std::chrono::duration<double>(Clock::now() - t0).count();
  run->handshake_cpu_s = server.CpuSeconds() - cpu0;
  run->handshakes_ok = ok.load();
}

// One run of one mode on a fresh data dir.
TransportRun RunOnce(const ServerConfig& config, TransportMode mode,
                     const std::string& dir, const std::string& web_config,
                     const ClientSetup& client, const Workload& workload,
                     const TlsBenchOptions& options) {
  TransportRun run;
  std::error_code ec;
  fs::remove_all(dir + "/data", ec);
  fs::create_directories(dir, ec);
  std::ofstream(dir + "/prometheus.yml") << "global: {}\n";
  const std::string log = dir + "/server.log";
  const int port = FreePort();
  std::vector<std::string> args = ServerArgs(config, dir, port);
  if (!web_config.empty()) args.push_back("--web.config.file=" + web_config);
  auto server = ServerProcess::Start(args, log, config.cpus, port);
  if (server != nullptr) server->set_client(client);
  if (server == nullptr || !server->WaitReady(300)) {
    run.error = std::string(ModeName(mode)) +
                ": strata-server did not become ready; end of " + log + ":\n" +
                TailOfFile(log, 2000);
    return run;
  }
  run.ingest = RunIngest(workload, *server, options.ingest);
  StatusOr<http_client::Response> metrics = server->Get("/metrics");
  if (metrics.ok() && metrics->status == 200) {
    run.samples_appended =
        SumMetric(metrics->body, {"strata_head_samples_appended_total"});
  }
  if (options.handshakes > 0) {
    MeasureHandshakes(*server, options.handshakes,
                      std::max(1, options.ingest.connections), &run);
  }
  server->Stop(kStopTimeoutS);
  if (!options.keep_data) fs::remove_all(dir + "/data", ec);
  return run;
}

}  // namespace

TlsReport RunTlsBench(const ServerConfig& strata, const Workload& workload,
                      const TlsBenchOptions& options) {
  TlsReport report;
  report.version = VersionOf(strata.binary);
  report.expected_samples = workload.samples;
  report.requests = static_cast<int64_t>(workload.request_count());
  report.handshakes = options.handshakes;
  const std::string dir = options.work_dir + "/tls";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  StatusOr<server::testing::TestPki> pki = server::testing::WriteTestPki(dir);
  if (!pki.ok()) {
    report.error = "certificates: " + pki.status().ToString();
    return report;
  }
  for (TransportMode mode : {TransportMode::kPlain, TransportMode::kTls,
                             TransportMode::kTlsBasicAuth}) {
    report.modes.push_back({mode, ModeName(mode), {}});
  }
  // Round r starts with mode r % 3, so over 3 rounds each mode runs once in
  // each position (first, second, third of its round).
  const size_t n = report.modes.size();
  for (int r = 0; r < options.runs; ++r) {
    for (size_t i = 0; i < n; ++i) {
      TransportReport& m = report.modes[(static_cast<size_t>(r) + i) % n];
      std::printf("tls: %s, run %d of %d...\n", m.name.c_str(), r + 1,
                  options.runs);
      std::fflush(stdout);
      m.runs.push_back(RunOnce(strata, m.mode, dir + "/server",
                               WriteWebConfig(m.mode, dir, *pki),
                               ClientFor(m.mode, *pki), workload, options));
    }
  }
  return report;
}

bool TlsBenchSucceeded(const TlsReport& report) {
  if (!report.error.empty() || report.modes.empty()) return false;
  for (const TransportReport& m : report.modes) {
    for (const TransportRun& run : m.runs) {
      if (!run.error.empty() || run.ingest.failed > 0 ||
          run.samples_appended !=
              static_cast<double>(report.expected_samples) ||
          run.handshakes_ok != report.handshakes) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace strata::bench
