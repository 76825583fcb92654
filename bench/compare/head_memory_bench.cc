#include "head_memory_bench.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "server_process.h"

namespace strata::bench {
namespace {

namespace fs = std::filesystem;

// Prometheus replays the WAL on the CPUs it is pinned to: 480M samples on
// one core take minutes.
constexpr double kOpenTimeoutS = 3600;
constexpr double kStopTimeoutS = 300;

void Settle(double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

// A fresh <dir> with the empty config both servers start from.
bool FreshServerDir(const fs::path& dir, std::string* error) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir / "data", ec);
  if (ec) {
    *error = "cannot create " + dir.string() + ": " + ec.message();
    return false;
  }
  std::ofstream(dir / "prometheus.yml") << "global: {}\n";
  return true;
}

// Step 1: strata-server takes the history with its WAL uncompressed and is
// killed; returns the WAL directory it left, empty on failure.
fs::path WriteSharedWal(const ServerConfig& strata, Workload* history,
                        const HeadMemoryOptions& options, const fs::path& root,
                        HeadMemoryReport* r) {
  const fs::path dir = root / "wal-writer";
  if (!FreshServerDir(dir, &r->error)) return {};
  ServerConfig writer = strata;
  writer.extra_args.push_back("--no-storage.tsdb.wal-compression");
  r->writer_log_path = (dir / "server.log").string();
  double ready_s = 0;
  auto server = StartServer(writer, dir.string(), r->writer_log_path, &ready_s,
                            &r->error);
  if (server == nullptr) return {};
  r->history = RunIngest(*history, *server, options.ingest);
  r->history_samples_appended = SamplesAppended(server->port());
  *history = Workload();  // Gigabytes of requests at 1M series x 2 h.
  Settle(options.settle_s);
  r->writer_steady_rss = server->RssBytes();
  server->Kill();
  if (r->history.failed > 0 ||
      r->history_samples_appended != r->history_samples) {
    r->error = "the WAL writer did not take every history sample (appended " +
               std::to_string(r->history_samples_appended) + ", failed " +
               std::to_string(r->history.failed) + " requests)";
    return {};
  }
  const fs::path wal = dir / "data" / "wal";
  r->wal_bytes = DirectoryBytes(wal);
  return wal;
}

// Steps 2 and 3 for one server, on its own copy of `wal`.
OpenedHeadReport OpenAndTakeTail(const ServerConfig& config,
                                 const fs::path& wal, const Workload& tail,
                                 const HeadMemoryOptions& options,
                                 const fs::path& root) {
  OpenedHeadReport r;
  r.name = config.name;
  r.version = VersionOf(config.binary);
  const fs::path dir = root / config.name;
  if (!FreshServerDir(dir, &r.error)) return r;
  std::error_code ec;
  fs::copy(wal, dir / "data" / "wal", fs::copy_options::recursive, ec);
  if (ec) {
    r.error = "cannot copy the WAL: " + ec.message();
    return r;
  }
  r.log_path = (dir / "server.log").string();
  auto server = StartServer(config, dir.string(), r.log_path, &r.open_s,
                            &r.error, kOpenTimeoutS);
  if (server == nullptr) return r;
  r.series_after_open = HeadSeries(server->port());
  Settle(options.settle_s);
  r.rss_after_open = server->RssBytes();

  // Prometheus exports the counter (per sample type) from its first
  // append on, and counts no replayed sample: absent before the tail is 0.
  const double before = std::max(0.0, SamplesAppended(server->port()));
  r.tail = RunIngest(tail, *server, options.ingest);
  const double after = SamplesAppended(server->port());
  if (after >= 0) r.tail_samples_added = after - before;
  r.series_after_tail = HeadSeries(server->port());
  r.peak_rss = server->PeakRssBytes();
  Settle(options.settle_s);
  r.steady_rss = server->RssBytes();
  server->Stop(kStopTimeoutS);
  if (!options.keep_data) fs::remove_all(dir / "data", ec);
  return r;
}

}  // namespace

HeadMemoryReport RunHeadMemoryBench(const ServerConfig& strata,
                                    const ServerConfig& prometheus,
                                    Workload* history, const Workload& tail,
                                    const HeadMemoryOptions& options) {
  HeadMemoryReport r;
  r.series = static_cast<double>(history->series);
  r.history_samples = static_cast<double>(history->samples);
  r.tail_samples = static_cast<double>(tail.samples);
  r.history_rounds = history->rounds;
  r.tail_rounds = tail.rounds;
  r.strata.name = strata.name;
  r.prometheus.name = prometheus.name;
  const fs::path root = fs::path(options.work_dir) / "head-memory";
  const fs::path wal = WriteSharedWal(strata, history, options, root, &r);
  if (wal.empty()) return r;
  r.prometheus = OpenAndTakeTail(prometheus, wal, tail, options, root);
  r.strata = OpenAndTakeTail(strata, wal, tail, options, root);
  std::error_code ec;
  if (!options.keep_data) fs::remove_all(root / "wal-writer" / "data", ec);
  return r;
}

bool HeadMemoryBenchSucceeded(const HeadMemoryReport& report) {
  if (!report.error.empty()) return false;
  for (const OpenedHeadReport* r : {&report.strata, &report.prometheus}) {
    if (!r->error.empty() || r->tail.failed > 0 ||
        r->series_after_open != report.series ||
        r->tail_samples_added != report.tail_samples) {
      return false;
    }
  }
  return true;
}

}  // namespace strata::bench
