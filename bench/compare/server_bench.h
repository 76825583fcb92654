// The whole measurement of one server, start to finish, on a fresh data
// directory: start, ingest the workload, check every sample arrived, RSS,
// dashboard query latency, on-disk size after a snapshot, restart time.
//
// Both servers go through exactly this sequence with the same options; only
// the command line differs (ServerKind).
#ifndef STRATA_BENCH_COMPARE_SERVER_BENCH_H_
#define STRATA_BENCH_COMPARE_SERVER_BENCH_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ingest_driver.h"
#include "query_driver.h"
#include "server_process.h"
#include "workload.h"

namespace strata::bench {

enum class ServerKind { kStrata, kPrometheus };

struct ServerConfig {
  ServerKind kind = ServerKind::kStrata;
  std::string name;       // For tables and logs: "strata-server", "prometheus".
  std::string binary;     // Path of the executable.
  std::vector<int> cpus;  // Pinning; empty = none.
  // Appended to the command line (e.g. --enable-feature=native-histograms).
  std::vector<std::string> extra_args;
};

struct BenchOptions {
  std::string work_dir;  // Data dirs and logs go in <work_dir>/<name>/.
  IngestOptions ingest;
  double settle_s = 5;         // Idle time before "steady" RSS.
  int query_repetitions = 10;  // Timed runs per query and window.
  bool keep_data = false;      // Leave the data dir behind.
  bool dashboard = true;       // Run the dashboard queries (query_driver.h).
};

struct ServerReport {
  std::string name;
  std::string version;  // First line of `<binary> --version`.
  std::string error;    // Set when a step failed; later steps may be empty.
  std::string log_path;
  double expected_samples = 0;  // What the workload sent.
  double expected_series = 0;

  double first_start_s = 0;  // Empty data dir to ready.
  IngestResult ingest;
  // What the server says it holds after ingest (-1 = not exposed).
  double samples_appended =
      -1;  // prometheus_tsdb_/strata_head_samples_appended_total
  double head_series = -1;       // prometheus_tsdb_/strata_head_series
  double samples_by_query = -1;  // sum(count_over_time(...)); -1 = n/a
  int query_api_status = 0;      // HTTP status of that query.

  int64_t idle_rss = 0;    // Just after the first start, bytes.
  int64_t peak_rss = 0;    // VmHWM at the end of ingest.
  int64_t steady_rss = 0;  // After ingest and `settle_s` idle.

  std::vector<QueryLatency> queries;

  int64_t data_dir_bytes = -1;    // Data dir before the snapshot (WAL...).
  int64_t snapshot_bytes = -1;    // All files of the snapshot dir.
  int64_t snapshot_samples = -1;  // Sum of its blocks' meta.json numSamples.
  int snapshot_blocks = 0;
  double snapshot_s = 0;

  // kill -9 after the snapshot, then start to ready on what it left (the
  // WAL, no shutdown snapshot).
  double crash_restart_s = -1;
  double series_after_crash_restart = -1;

  double stop_s = 0;  // SIGTERM to exit (of the server after the crash).
  bool clean_stop = false;
  double restart_s = -1;  // Start to ready on the ingested data dir.
  double series_after_restart = -1;
};

// The command line a server is started with; both read
// <dir>/prometheus.yml as --config.file.
std::vector<std::string> ServerArgs(const ServerConfig& config,
                                    const std::string& dir, int port);

// Starts `config`'s server on a free port with its data in `dir` and waits
// up to `ready_timeout_s` for /-/ready (`ready_s`: how long that took).
// Null with `error` (the end of the log included) when it did not become
// ready.
std::unique_ptr<ServerProcess> StartServer(const ServerConfig& config,
                                           const std::string& dir,
                                           const std::string& log,
                                           double* ready_s, std::string* error,
                                           double ready_timeout_s = 300);

// What a server's /metrics says its head holds:
// prometheus_tsdb_/strata_head_samples_appended_total and
// prometheus_tsdb_/strata_head_series; -1 when absent or unreachable.
double SamplesAppended(int port);
double HeadSeries(int port);

// Bytes in every regular file under `dir` (0 if it is missing).
int64_t DirectoryBytes(const std::filesystem::path& dir);

// Runs the sequence above. Never throws; failures land in `error`.
ServerReport RunServerBench(const ServerConfig& config,
                            const Workload& workload,
                            const BenchOptions& options);

// First line of `binary --version` (stdout or stderr).
std::string VersionOf(const std::string& binary);

}  // namespace strata::bench

#endif  // STRATA_BENCH_COMPARE_SERVER_BENCH_H_
