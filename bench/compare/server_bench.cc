#include "server_bench.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "http_client/http_client.h"
#include "metrics_text.h"
#include "nlohmann/json.hpp"
#include "server_process.h"

namespace strata::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kStopTimeoutS = 120;

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Sizes and sample counts of a snapshot directory's blocks.
void MeasureSnapshot(const fs::path& dir, ServerReport* r) {
  std::error_code ec;
  r->snapshot_bytes = DirectoryBytes(dir);
  r->snapshot_samples = 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::ifstream meta(entry.path() / "meta.json");
    if (!meta) continue;
    const nlohmann::json doc = nlohmann::json::parse(meta, nullptr, false);
    if (doc.is_discarded()) continue;
    ++r->snapshot_blocks;
    r->snapshot_samples += doc["stats"].value("numSamples", int64_t{0});
  }
}

}  // namespace

double SamplesAppended(int port) {
  return ScrapeMetric(port, {"prometheus_tsdb_head_samples_appended_total",
                             "strata_head_samples_appended_total"});
}

int64_t DirectoryBytes(const std::filesystem::path& dir) {
  std::error_code ec;
  int64_t bytes = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      bytes += static_cast<int64_t>(it->file_size(ec));
    }
  }
  return bytes;
}

double HeadSeries(int port) {
  return ScrapeMetric(port,
                      {"prometheus_tsdb_head_series", "strata_head_series"});
}

std::unique_ptr<ServerProcess> StartServer(const ServerConfig& config,
                                           const std::string& dir,
                                           const std::string& log,
                                           double* ready_s, std::string* error,
                                           double ready_timeout_s) {
  const int port = FreePort();
  const auto t0 = Clock::now();
  auto server = ServerProcess::Start(ServerArgs(config, dir, port), log,
                                     config.cpus, port);
  if (server == nullptr || !server->WaitReady(ready_timeout_s)) {
    *error = config.name + " did not become ready; end of " + log + ":\n" +
             TailOfFile(log, 2000);
    return nullptr;
  }
  *ready_s = SecondsSince(t0);
  return server;
}

std::vector<std::string> ServerArgs(const ServerConfig& config,
                                    const std::string& dir, int port) {
  const std::string listen =
      "--web.listen-address=127.0.0.1:" + std::to_string(port);
  const std::string data = "--storage.tsdb.path=" + dir + "/data";
  std::vector<std::string> args = {config.binary,
                                   "--config.file=" + dir + "/prometheus.yml",
                                   data, listen, "--web.enable-admin-api"};
  if (config.kind == ServerKind::kPrometheus) {
    args.push_back("--web.enable-remote-write-receiver");
  }
  args.insert(args.end(), config.extra_args.begin(), config.extra_args.end());
  return args;
}

std::string VersionOf(const std::string& binary) {
  const std::string cmd = "'" + binary + "' --version 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "unknown";
  char line[512] = {0};
  if (fgets(line, sizeof(line), p) == nullptr) line[0] = '\0';
  pclose(p);
  std::string s(line);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s.empty() ? "unknown" : s;
}

ServerReport RunServerBench(const ServerConfig& config,
                            const Workload& workload,
                            const BenchOptions& options) {
  ServerReport r;
  r.name = config.name;
  r.version = VersionOf(config.binary);
  r.expected_samples = static_cast<double>(workload.samples);
  r.expected_series = static_cast<double>(workload.series);
  const std::string dir = options.work_dir + "/" + config.name;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  std::ofstream(dir + "/prometheus.yml") << "global: {}\n";
  r.log_path = dir + "/server.log";

  auto server =
      StartServer(config, dir, r.log_path, &r.first_start_s, &r.error);
  if (server == nullptr) return r;
  r.idle_rss = server->RssBytes();

  r.ingest = RunIngest(workload, *server, options.ingest);
  r.peak_rss = server->PeakRssBytes();
  r.samples_appended = SamplesAppended(server->port());
  r.head_series = HeadSeries(server->port());
  std::this_thread::sleep_for(std::chrono::duration<double>(options.settle_s));
  r.steady_rss = server->RssBytes();

  // Every sample, counted by the server's own query engine.
  const int64_t span = workload.max_t - workload.min_t;
  r.samples_by_query =
      CountSamples(server->port(), workload.metric_names, span + 1000,
                   workload.max_t, &r.query_api_status);

  if (options.dashboard) {
    r.queries = RunDashboard(*server, WindowsFor(span), workload.max_t + 1,
                             options.query_repetitions);
  }

  // Persist through the same path on both: the snapshot API writes the head
  // as a block beside hard links to any existing blocks.
  r.data_dir_bytes = DirectoryBytes(fs::path(dir) / "data");
  std::string body;
  const auto snap0 = Clock::now();
  http_client::Options snapshot_options;
  snapshot_options.timeout = std::chrono::minutes(30);
  StatusOr<http_client::Response> response =
      http_client::Post(server->port(), "/api/v1/admin/tsdb/snapshot", "",
                        "application/x-www-form-urlencoded", snapshot_options);
  const int status = response.ok() ? response->status : 0;
  if (response.ok()) body = std::move(response->body);
  r.snapshot_s = SecondsSince(snap0);
  const nlohmann::json snap = nlohmann::json::parse(body, nullptr, false);
  if (status == 200 && !snap.is_discarded() && snap.contains("data")) {
    MeasureSnapshot(
        fs::path(dir) / "data" / "snapshots" / snap["data"].value("name", ""),
        &r);
  } else if (r.error.empty()) {
    r.error =
        "snapshot: HTTP " + std::to_string(status) + " " + body.substr(0, 200);
  }

  // A crash: no clean stop, so nothing but the WAL (and blocks) to start
  // from.
  server->Kill();
  server.reset();
  std::string crash_error;
  server =
      StartServer(config, dir, r.log_path, &r.crash_restart_s, &crash_error);
  if (server == nullptr) {
    r.crash_restart_s = -1;
    if (r.error.empty()) r.error = "restart after kill -9: " + crash_error;
    return r;
  }
  r.series_after_crash_restart = HeadSeries(server->port());

  const auto stop0 = Clock::now();
  r.clean_stop = server->Stop(kStopTimeoutS);
  r.stop_s = SecondsSince(stop0);
  server.reset();

  std::string restart_error;
  server = StartServer(config, dir, r.log_path, &r.restart_s, &restart_error);
  if (server == nullptr) {
    r.restart_s = -1;
    if (r.error.empty()) r.error = "restart: " + restart_error;
  } else {
    r.series_after_restart = HeadSeries(server->port());
    server->Stop(kStopTimeoutS);
  }
  if (!options.keep_data) fs::remove_all(dir + "/data", ec);
  return r;
}

}  // namespace strata::bench
