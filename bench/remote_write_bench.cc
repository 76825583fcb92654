// bench-deps: strata_bench_compare
//
// End-to-end remote write ingest only: strata-server against Prometheus
// 2.42's own receiver (--web.enable-remote-write-receiver), same payloads,
// same machine, same run. A thin front end over bench/compare (workload
// generator, ingest driver, server process); the full side-by-side
// comparison (RSS, disk, queries, restart) is `make bench-compare`.
//
// Payloads are pre-generated before either server starts from the 1,467
// label sets of recorded-15s (data.om.zst), replicated over --instances
// values of `instance`, --samples-per-request series to a request, rounds
// 15 s apart (bench/compare/workload.h). Each server gets a fresh data
// directory; CPU is utime + stime from /proc/<pid>/stat around the run.
//
// Usage (from the repository root, after building strata-server):
//   build/bench/remote_write_bench
//       --strata=build/tools/strata-server/strata-server
// Flags: --prometheus=PATH --dataset=PATH --instances=N --rounds=N
//        --samples-per-request=N --connections=N --only=strata|prometheus
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "dataset.h"
#include "ingest_driver.h"
#include "report.h"
#include "server_bench.h"
#include "server_process.h"
#include "temp_dir.h"
#include "workload.h"

namespace {

using strata::bench::kStepMs;

struct Flags {
  std::string strata;
  std::string prometheus = "/usr/bin/prometheus";
  std::string dataset = "/work/shared/datasets/recorded-15s/data.om.zst";
  int instances = 20;
  int rounds = 160;
  int samples_per_request = 2000;
  int connections = 4;
  std::string only;
};

bool ParseFlag(const char* arg, const char* name, std::string* out) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *out = arg + n + 1;
  return true;
}

void RunOne(strata::bench::ServerKind kind, const std::string& name,
            const std::string& binary, const std::string& dir,
            const strata::bench::Workload& workload, const Flags& flags,
            double* samples_per_cpu_s, double* samples_per_s) {
  using namespace strata::bench;
  const std::string data_dir = dir + "/" + name;
  std::filesystem::create_directories(data_dir);
  if (kind == ServerKind::kPrometheus) {
    std::ofstream(data_dir + "/prometheus.yml") << "global: {}\n";
  }
  const int port = FreePort();
  auto server = ServerProcess::Start(
      ServerArgs({kind, name, binary, {}, {}}, data_dir, port),
      data_dir + "/server.log", {}, port);
  if (server == nullptr || !server->WaitReady(60)) {
    std::fprintf(stderr, "%s did not become ready; see %s/server.log\n",
                 name.c_str(), data_dir.c_str());
    std::exit(1);
  }
  IngestOptions io;
  io.connections = flags.connections;
  const std::string load_before = LoadAverage();
  const IngestResult r = RunIngest(workload, *server, io);
  server->Stop(60);
  const double samples = static_cast<double>(workload.samples);
  *samples_per_cpu_s = samples / r.cpu_s;
  *samples_per_s = samples / r.wall_s;
  std::printf(
      "%-11s %9.0f samples/s wall | %9.0f samples/s per core (%.2f CPU-s / "
      "%.2f s) | "
      "%.3f CPU-s per 1M samples | latency p50 %.1f ms p99 %.1f ms max %.1f ms "
      "| "
      "%lld requests, %lld failed, %lld retries | load %s -> %s\n",
      name.c_str(), *samples_per_s, *samples_per_cpu_s, r.cpu_s, r.wall_s,
      r.cpu_s / (samples / 1e6), Quantile(r.latencies_ms, 0.5),
      Quantile(r.latencies_ms, 0.99),
      r.latencies_ms.empty() ? 0 : r.latencies_ms.back(),
      static_cast<long long>(r.requests), static_cast<long long>(r.failed),
      static_cast<long long>(r.retries), load_before.c_str(),
      LoadAverage().c_str());
  if (!r.first_error.empty())
    std::printf("  first error: %s\n", r.first_error.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace strata::bench;
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (ParseFlag(argv[i], "--strata", &flags.strata) ||
        ParseFlag(argv[i], "--prometheus", &flags.prometheus) ||
        ParseFlag(argv[i], "--dataset", &flags.dataset) ||
        ParseFlag(argv[i], "--only", &flags.only)) {
      continue;
    }
    if (ParseFlag(argv[i], "--instances", &v)) {
      flags.instances = std::stoi(v);
    } else if (ParseFlag(argv[i], "--rounds", &v)) {
      flags.rounds = std::stoi(v);
    } else if (ParseFlag(argv[i], "--samples-per-request", &v)) {
      flags.samples_per_request = std::stoi(v);
    } else if (ParseFlag(argv[i], "--connections", &v)) {
      flags.connections = std::stoi(v);
    } else {
      std::fprintf(stderr, "unknown flag %s (see the file comment)\n", argv[i]);
      return 2;
    }
  }
  if (flags.strata.empty() && flags.only != "prometheus") {
    std::fprintf(stderr, "--strata=<path to strata-server> is required\n");
    return 2;
  }
  Dataset dataset;
  std::string error;
  const std::string metadata =
      std::filesystem::path(flags.dataset).parent_path() / "metadata.json";
  if (!LoadRecorded(flags.dataset, metadata, &dataset, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  WorkloadOptions wo;
  wo.instances = flags.instances;
  wo.rounds = flags.rounds;
  wo.samples_per_request = flags.samples_per_request;
  wo.threads = 2;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  wo.first_round_ms = FirstRoundMsEndingBefore(now_ms, flags.rounds);
  Workload workload;
  if (!BuildWorkload(dataset, wo, &workload, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  const double requests = static_cast<double>(workload.request_count());
  std::printf(
      "payloads: %zu recorded series x %d instances = %zu series, %d rounds, "
      "%zu "
      "requests of <= %d samples, %lld samples; %.0f bytes raw and %.0f snappy "
      "per "
      "request on average\n",
      dataset.series.size(), flags.instances, workload.series, flags.rounds,
      workload.request_count(), flags.samples_per_request,
      static_cast<long long>(workload.samples), workload.raw_bytes / requests,
      workload.compressed_bytes / requests);
  std::printf("machine: %u cores; %d connections\n",
              std::thread::hardware_concurrency(), flags.connections);

  const strata::testing::TempDir tmp("strata-rw-bench");
  const std::string& dir = tmp.path();
  double s_cpu = 0, s_wall = 0, p_cpu = 0, p_wall = 0;
  if (flags.only.empty() || flags.only == "strata") {
    RunOne(ServerKind::kStrata, "strata", flags.strata, dir, workload, flags,
           &s_cpu, &s_wall);
  }
  if (flags.only.empty() || flags.only == "prometheus") {
    RunOne(ServerKind::kPrometheus, "prometheus", flags.prometheus, dir,
           workload, flags, &p_cpu, &p_wall);
  }
  if (s_cpu > 0 && p_cpu > 0) {
    std::printf(
        "strata / prometheus: %.2fx samples per CPU-second, %.2fx wall-clock "
        "throughput\n",
        s_cpu / p_cpu, s_wall / p_wall);
  }
  return 0;
}
