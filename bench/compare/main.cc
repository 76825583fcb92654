// bench_compare: strata-server against Prometheus 2.42 on the same machine,
// the same workload and the same CPUs, in one run. See README.md.
//
//   make bench-compare SCALE=small
//   build-release/bench/compare/bench_compare --scale=small
//       --strata=build-release/tools/strata-server/strata-server
//       [--results=bench/results/compare.md]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "dataset.h"
#include "head_memory_bench.h"
#include "histogram_workload.h"
#include "report.h"
#include "rules_bench.h"
#include "rules_workload.h"
#include "scrape.h"
#include "server_bench.h"
#include "server_process.h"
#include "tls_bench.h"
#include "workload.h"

#ifndef STRATA_SOURCE_DIR
#define STRATA_SOURCE_DIR "."
#endif

namespace strata::bench {
namespace {

struct Flags {
  std::string scale = "small";
  std::string strata;
  std::string prometheus = "/usr/bin/prometheus";
  std::string node_exporter = "/usr/bin/prometheus-node-exporter";
  std::string dataset_dir;  // Default: $STRATA_SHARED_DIR or ../shared.
  std::string only;         // "strata" or "prometheus"
  std::string results;      // Markdown file to append to.
  std::string command;      // Recorded in the report.
  std::string work_dir;
  std::string server_cpus = "auto";
  std::string driver_cpus = "auto";
  bool keep_data = false;
  // -1 = from the scale preset.
  int instances = -1;
  int rounds = -1;
  int samples_per_request = 2000;
  int connections = -1;
  int query_repetitions = -1;
  double settle_s = -1;
  // Which scenarios: "all" (ingest and rules), "ingest" (ingest, queries,
  // disk, restart), "rules" (rule evaluation CPU) or "tls" (strata-server's
  // ingest CPU over plain HTTP, TLS and TLS + basic auth).
  std::string scenario = "all";
  // The tls scenario: runs per transport, new connections per run.
  int tls_runs = 6;
  int tls_handshakes = 2000;
  // The head-memory scenario: rounds in the shared WAL (-1: 480, 2 h; or
  // --rounds when given), then rounds each server takes after opening it.
  int history_rounds = -1;
  int tail_rounds = 8;
  double head_settle_s = -1;  // --settle when given, else 30 s.
  // The rules scenario; -1 = from the scale preset.
  int rules_instances = -1;
  int rules_routes = -1;
  int rules_history = -1;
  int rules_rounds = -1;
  double rules_interval_s = 15;
  double rules_baseline_s = -1;
};

struct Preset {
  int instances, rounds, connections, query_repetitions;
  double settle_s;
  const char* what;
  // The rules scenario: fleet instances and routes (20 routes = 1,000
  // rules), history rounds, measured evaluation rounds, idle baseline.
  int rules_instances, rules_routes, rules_history, rules_rounds;
  double rules_baseline_s;
};

// tiny: the smoke test's size. small: about 10k series x 6 h (about 3 min
// on 2 cores); rules: 9,906 series, 1 h of history, 1,000 rules, 6 rounds
// (about 6 min). large: 1M active series (1,467 x 682), 10 minutes of
// data; rules over 99k series.
bool PresetFor(const std::string& scale, Preset* p) {
  static constexpr Preset kPresets[] = {
      {1, 20, 2, 2, 1, "tiny", 2, 2, 20, 2, 5},
      {7, 1440, 4, 20, 5, "small", 26, 20, 240, 6, 30},
      {682, 40, 8, 5, 10, "large", 260, 20, 240, 4, 30},
  };
  for (const Preset& preset : kPresets) {
    if (scale == preset.what) {
      *p = preset;
      return true;
    }
  }
  return false;
}

bool Parse(const char* arg, const char* name, std::string* out) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  *out = arg + n + 1;
  return true;
}

void Usage() {
  std::fprintf(
      stderr,
      "usage: bench_compare --strata=PATH [--scale=tiny|small|large]\n"
      "  [--prometheus=PATH] [--dataset-dir=DIR] [--only=strata|prometheus]\n"
      "  [--instances=N] [--rounds=N] [--samples-per-request=N]\n"
      "  [--connections=K] [--query-repetitions=N] [--settle=SECONDS]\n"
      "  [--server-cpus=LIST|auto|none] [--driver-cpus=LIST|auto|none]\n"
      "  [--results=FILE.md] [--command=TEXT] [--work-dir=DIR] "
      "[--keep-data]\n"
      "  [--scenario=all|ingest|rules|tls|histograms|head-memory]\n"
      "  [--rules-instances=N] "
      "[--rules-routes=N]\n"
      "  [--rules-history=ROUNDS] [--rules-rounds=N] "
      "[--rules-interval=SECONDS]\n"
      "  [--rules-baseline=SECONDS] [--tls-runs=N] [--tls-handshakes=N]\n"
      "  [--tail-rounds=N]\n");
}

std::string DefaultDatasetDir() {
  if (const char* env = std::getenv("STRATA_SHARED_DIR")) {
    return std::string(env) + "/datasets/recorded-15s";
  }
  return std::string(STRATA_SOURCE_DIR) + "/../shared/datasets/recorded-15s";
}

// "auto": with 2+ CPUs the servers get every CPU but 0 and the load
// generator CPU 0, so the driver never steals the servers' cycles.
bool ResolveCpus(const std::string& spec, bool server, std::vector<int>* cpus,
                 std::string* text) {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  std::string list = spec;
  if (spec == "none" || (spec == "auto" && n < 2)) {
    cpus->clear();
    *text = "not pinned";
    return true;
  }
  if (spec == "auto") {
    list = !server ? "0" : n == 2 ? "1" : "1-" + std::to_string(n - 1);
  }
  if (!ParseCpuList(list, cpus)) return false;
  *text = "taskset -c " + list;
  return true;
}

std::string Join(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) s += ' ';
    s += argv[i];
  }
  return s;
}

struct Context {
  bool run_strata = true, run_prom = true;
  std::string work_dir;
  std::vector<int> server_cpus, driver_cpus;
  std::string pinning;                 // For the reports.
  std::string server_pin, driver_pin;  // "taskset -c 1", "not pinned".
};

// The facts every scenario's report starts with (report.h).
RunInfo ScenarioInfo(const Flags& f, const std::string& pinning) {
  RunInfo info = CollectRunInfo(STRATA_SOURCE_DIR);
  info.command = f.command;
  info.scale = f.scale;
  info.pinning = pinning;
  return info;
}

// The ingest workload (workload.h) from the recorded dataset, else from
// live scrapes; describes it in `info`. False (reported) on failure.
// `first_round` > 0 makes the rounds from it of a workload of
// `whole_rounds` (workload.h), on the same 15 s grid in one process.
bool MakeIngestWorkload(const Flags& f, const Context& c, Workload* workload,
                        RunInfo* info, int first_round = 0,
                        int whole_rounds = -1) {
  // The seed: the recording, else live scrapes.
  Dataset dataset;
  std::string error;
  std::error_code ec;
  const std::string dir =
      std::filesystem::weakly_canonical(
          f.dataset_dir.empty() ? DefaultDatasetDir() : f.dataset_dir, ec)
          .string();
  if (!LoadRecorded(dir + "/data.om.zst", dir + "/metadata.json", &dataset,
                    &error)) {
    std::printf(
        "no recorded dataset (%s); scraping node_exporter and prometheus\n",
        error.c_str());
    ScrapeOptions so;
    so.node_exporter = f.node_exporter;
    so.prometheus = f.prometheus;
    so.work_dir = c.work_dir;
    if (!ScrapeLive(so, &dataset, &error)) {
      std::fprintf(stderr, "no workload seed: %s\n", error.c_str());
      return false;
    }
  }
  size_t counters = 0;
  for (const RecordedSeries& s : dataset.series) counters += s.counter ? 1 : 0;

  WorkloadOptions wo;
  wo.instances = f.instances;
  wo.rounds = f.rounds;
  wo.samples_per_request = f.samples_per_request;
  wo.first_round = first_round;
  // Generation runs before any server starts, on every CPU.
  wo.threads =
      std::max<int>(1, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  // Read once, so every workload of a run shares one grid.
  static const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  // The newest round of the whole workload lands about a minute before now.
  const int64_t span_rounds = whole_rounds > 0 ? whole_rounds : f.rounds;
  wo.first_round_ms = FirstRoundMsEndingBefore(now_ms, span_rounds);
  const auto g0 = std::chrono::steady_clock::now();
  if (!BuildWorkload(dataset, wo, workload, &error)) {
    std::fprintf(stderr, "workload: %s\n", error.c_str());
    return false;
  }
  const double gen_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - g0)
          .count();
  char buf[1024];
  std::snprintf(
      buf, sizeof(buf),
      "%zu seed series (%zu counters) x %d instances = %zu series; %d "
      "rounds 15 s apart (%.1f h of data); %zu requests of <= %d samples, "
      "%lld samples; %.0f bytes raw / %.0f snappy per request; %d "
      "keep-alive connections; generated in %.1f s before the servers start",
      dataset.series.size(), counters, f.instances, workload->series, f.rounds,
      f.rounds * 15.0 / 3600, workload->request_count(), f.samples_per_request,
      static_cast<long long>(workload->samples),
      workload->raw_bytes / static_cast<double>(workload->request_count()),
      workload->compressed_bytes /
          static_cast<double>(workload->request_count()),
      f.connections, gen_s);
  info->workload = buf;
  info->dataset = dataset.source + " (" +
                  std::to_string(dataset.series.size()) + " series, " +
                  std::to_string(dataset.recorded_samples) + " samples)";
  std::printf("workload: %s\n", info->workload.c_str());
  std::printf("pinning: %s\n", info->pinning.c_str());
  std::fflush(stdout);
  return true;
}

// Ends a scenario's report: `info` gets the load average and the wall time
// since `t0`, then the text report goes to stdout and the Markdown one is
// appended to --results.
void PublishReport(const Flags& f, std::chrono::steady_clock::time_point t0,
                   RunInfo* info,
                   const std::function<std::string(const RunInfo&)>& text,
                   const std::function<std::string(const RunInfo&)>& markdown) {
  info->load_after = LoadAverage();
  info->total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  std::fputs(text(*info).c_str(), stdout);
  if (!f.results.empty()) {
    std::ofstream out(f.results, std::ios::app);
    out << markdown(*info);
    std::printf("\nappended to %s\n", f.results.c_str());
  }
}

// Runs Prometheus, then strata-server, each on a fresh data dir through
// RunServerBench, prints and appends the report. Non-zero when a server
// failed a step or did not take every sample.
int RunBothAndReport(const Flags& f, const Context& c, const Workload& workload,
                     const BenchOptions& bo,
                     const std::vector<std::string>& extra_args,
                     std::chrono::steady_clock::time_point t0,
                     RunInfo* info_out) {
  RunInfo& info = *info_out;
  // From here on the driver stays on its CPUs: the ingest and query threads
  // are created later by this thread and inherit its affinity.
  if (!PinCurrentThread(c.driver_cpus)) std::perror("sched_setaffinity");

  ServerReport strata, prom;
  // Prometheus first, then strata-server, each on its own fresh data dir.
  if (c.run_prom) {
    std::printf("running prometheus (%s)...\n", f.prometheus.c_str());
    std::fflush(stdout);
    prom = RunServerBench({ServerKind::kPrometheus, "prometheus", f.prometheus,
                           c.server_cpus, extra_args},
                          workload, bo);
  }
  if (c.run_strata) {
    std::printf("running strata-server (%s)...\n", f.strata.c_str());
    std::fflush(stdout);
    strata = RunServerBench({ServerKind::kStrata, "strata-server", f.strata,
                             c.server_cpus, extra_args},
                            workload, bo);
  }
  const ServerReport* sp = c.run_strata ? &strata : nullptr;
  const ServerReport* pp = c.run_prom ? &prom : nullptr;
  PublishReport(
      f, t0, &info, [&](const RunInfo& i) { return TextReport(i, sp, pp); },
      [&](const RunInfo& i) { return MarkdownReport(i, sp, pp); });

  // Failure when a server failed a step or did not take every sample.
  int rc = 0;
  for (const ServerReport* r : {sp, pp}) {
    if (r == nullptr) continue;
    if (!r->error.empty() || r->ingest.failed > 0 ||
        (r->samples_appended >= 0 &&
         r->samples_appended != r->expected_samples)) {
      std::fprintf(stderr,
                   "%s: not every sample was accepted, or a step failed\n",
                   r->name.c_str());
      rc = 1;
    }
  }
  return rc;
}

// Ingest, queries, on-disk size and restart (server_bench.h), from the
// recorded dataset.
int IngestScenario(const Flags& f, const Context& c) {
  const auto t0 = std::chrono::steady_clock::now();
  RunInfo info = ScenarioInfo(f, c.pinning);
  const std::string& work_dir = c.work_dir;
  Workload workload;
  if (!MakeIngestWorkload(f, c, &workload, &info)) return 1;

  BenchOptions bo;
  bo.work_dir = work_dir;
  bo.ingest.connections = f.connections;
  bo.settle_s = f.settle_s;
  bo.query_repetitions = f.query_repetitions;
  bo.keep_data = f.keep_data;
  return RunBothAndReport(f, c, workload, bo, {}, t0, &info);
}

// Native histograms (histogram_workload.h): ingest CPU per histogram
// sample, on-disk bytes per sample and restarts, both servers started with
// --enable-feature=native-histograms. Sizes by --scale: tiny 1 x 5 routes
// x 20 rounds, small 10 x 50 x 240 (1,000 series, 1 h), large 100 x 50 x
// 240 (10,000 series).
int HistogramScenario(const Flags& f, const Context& c) {
  const auto t0 = std::chrono::steady_clock::now();
  RunInfo info = ScenarioInfo(f, c.pinning);
  HistogramWorkloadOptions ho;
  ho.instances = f.scale == "tiny" ? 1 : f.scale == "small" ? 10 : 100;
  ho.routes = f.scale == "tiny" ? 5 : 50;
  ho.rounds = f.scale == "tiny" ? 20 : 240;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  ho.first_round_ms = FirstRoundMsEndingBefore(now_ms, ho.rounds);
  Workload workload;
  std::string error;
  if (!BuildHistogramWorkload(ho, &workload, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  info.dataset = "generated native histograms (histogram_workload.h)";
  char buf[512];
  std::snprintf(
      buf, sizeof(buf),
      "%zu native histogram series (schema 3) x %d rounds 15 s "
      "apart = %lld histogram samples; %zu requests of <= %d "
      "series; %d keep-alive connections",
      workload.series, ho.rounds, static_cast<long long>(workload.samples),
      workload.request_count(), ho.samples_per_request, f.connections);
  info.workload = buf;
  std::printf("workload: %s\n", info.workload.c_str());
  std::fflush(stdout);
  BenchOptions bo;
  bo.work_dir = c.work_dir;
  bo.ingest.connections = f.connections;
  bo.settle_s = f.settle_s;
  bo.keep_data = f.keep_data;
  bo.dashboard = false;
  return RunBothAndReport(f, c, workload, bo,
                          {"--enable-feature=native-histograms"}, t0, &info);
}

// Rule evaluation CPU (rules_bench.h), from the generated API fleet.
int RulesScenario(const Flags& f, const Context& c) {
  const auto t0 = std::chrono::steady_clock::now();
  RunInfo info = ScenarioInfo(f, c.pinning);
  if (!PinCurrentThread(c.driver_cpus)) std::perror("sched_setaffinity");

  RulesOptions ro;
  ro.work_dir = c.work_dir;
  ro.shape.instances = f.rules_instances;
  ro.shape.routes = f.rules_routes;
  ro.history_rounds = f.rules_history;
  ro.rounds = f.rules_rounds;
  ro.interval_ms = static_cast<int64_t>(f.rules_interval_s * 1000);
  ro.baseline_s = f.rules_baseline_s;
  ro.poll_s = std::min(3.0, f.rules_interval_s / 3);
  ro.samples_per_request = f.samples_per_request;
  ro.ingest.connections = f.connections;
  ro.keep_data = f.keep_data;
  {
    ApiFleet fleet(ro.shape, ro.samples_per_request);
    char buf[1024];
    std::snprintf(
        buf, sizeof(buf),
        "%zu series (%d instances x %d routes x (5 http_requests_total + 12 "
        "buckets + _sum + _count) + up), remote-written: %d rounds 15 s "
        "apart (%.1f h) as fast as accepted, then one round every 15 s; "
        "%d recording rules in %d groups (sum by, rate, histogram_quantile "
        "over 1m..1h windows), global.evaluation_interval %.0f s, loaded by "
        "SIGHUP after a %.0f s idle baseline; %d evaluation rounds measured, "
        "/metrics polled every %.1f s in both windows",
        fleet.series(), ro.shape.instances, ro.shape.routes, ro.history_rounds,
        ro.history_rounds * 15.0 / 3600, RuleCount(ro.shape), ro.shape.routes,
        f.rules_interval_s, ro.baseline_s, ro.rounds, ro.poll_s);
    info.workload = buf;
  }
  std::printf("rules workload: %s\n", info.workload.c_str());
  std::fflush(stdout);

  RulesReport strata, prom;
  if (c.run_prom) {
    std::printf("rules: running prometheus (%s)...\n", f.prometheus.c_str());
    std::fflush(stdout);
    prom = RunRulesBench({ServerKind::kPrometheus,
                          "prometheus",
                          f.prometheus,
                          c.server_cpus,
                          {}},
                         ro);
  }
  if (c.run_strata) {
    std::printf("rules: running strata-server (%s)...\n", f.strata.c_str());
    std::fflush(stdout);
    strata = RunRulesBench(
        {ServerKind::kStrata, "strata-server", f.strata, c.server_cpus, {}},
        ro);
  }
  const RulesReport* sp = c.run_strata ? &strata : nullptr;
  const RulesReport* pp = c.run_prom ? &prom : nullptr;
  PublishReport(
      f, t0, &info,
      [&](const RunInfo& i) { return RulesTextReport(i, sp, pp); },
      [&](const RunInfo& i) { return RulesMarkdownReport(i, sp, pp); });
  int rc = 0;
  for (const RulesReport* r : {sp, pp}) {
    if (r == nullptr) continue;
    if (!r->error.empty() || r->evaluation_failures != 0 ||
        r->output_series != static_cast<double>(r->expected_output_series)) {
      std::fprintf(stderr,
                   "%s: a rules step failed, a rule failed, or the rules' "
                   "output is not what was expected\n",
                   r->name.c_str());
      rc = 1;
    }
  }
  return rc;
}

// strata-server's ingest CPU per sample over plain HTTP, TLS and TLS +
// basic auth (tls_bench.h), on the ingest scenario's workload.
int TlsScenario(const Flags& f, const Context& c) {
  const auto t0 = std::chrono::steady_clock::now();
  RunInfo info = ScenarioInfo(
      f, "strata-server " + c.server_pin + "; load generator " + c.driver_pin);
  Workload workload;
  if (!MakeIngestWorkload(f, c, &workload, &info)) return 1;
  if (!PinCurrentThread(c.driver_cpus)) std::perror("sched_setaffinity");

  TlsBenchOptions to;
  to.work_dir = c.work_dir;
  to.ingest.connections = f.connections;
  to.runs = f.tls_runs;
  to.handshakes = f.tls_handshakes;
  to.keep_data = f.keep_data;
  const TlsReport report = RunTlsBench(
      {ServerKind::kStrata, "strata-server", f.strata, c.server_cpus, {}},
      workload, to);
  PublishReport(
      f, t0, &info, [&](const RunInfo& i) { return TlsTextReport(i, report); },
      [&](const RunInfo& i) { return TlsMarkdownReport(i, report); });
  if (!TlsBenchSucceeded(report)) {
    std::fprintf(stderr,
                 "tls: a run failed, lost samples or failed connections\n");
    return 1;
  }
  return 0;
}

// Memory per series with hours of data in the head, both servers opening
// the same WAL (head_memory_bench.h).
int HeadMemoryScenario(const Flags& f, const Context& c) {
  const auto t0 = std::chrono::steady_clock::now();
  RunInfo info = ScenarioInfo(f, c.pinning);
  const int whole = f.history_rounds + f.tail_rounds;
  Flags history_flags = f;
  history_flags.rounds = f.history_rounds;
  Workload history;
  if (!MakeIngestWorkload(history_flags, c, &history, &info, 0, whole)) {
    return 1;
  }
  const std::string history_text = info.workload;
  Flags tail_flags = f;
  tail_flags.rounds = f.tail_rounds;
  Workload tail;
  if (!MakeIngestWorkload(tail_flags, c, &tail, &info, f.history_rounds,
                          whole)) {
    return 1;
  }
  info.workload = "history: " + history_text + "; tail: " + info.workload;
  if (!PinCurrentThread(c.driver_cpus)) std::perror("sched_setaffinity");

  HeadMemoryOptions ho;
  ho.work_dir = c.work_dir;
  ho.ingest.connections = f.connections;
  ho.settle_s = f.head_settle_s;
  ho.keep_data = f.keep_data;
  std::printf(
      "head-memory: strata-server writes the WAL, then prometheus "
      "and strata-server open it...\n");
  std::fflush(stdout);
  const HeadMemoryReport report = RunHeadMemoryBench(
      {ServerKind::kStrata, "strata-server", f.strata, c.server_cpus, {}},
      {ServerKind::kPrometheus, "prometheus", f.prometheus, c.server_cpus, {}},
      &history, tail, ho);
  PublishReport(
      f, t0, &info,
      [&](const RunInfo& i) { return HeadMemoryTextReport(i, report); },
      [&](const RunInfo& i) { return HeadMemoryMarkdownReport(i, report); });
  if (!HeadMemoryBenchSucceeded(report)) {
    std::fprintf(stderr,
                 "head-memory: a step failed, a server did not open every "
                 "series or did not take every tail sample\n");
    return 1;
  }
  return 0;
}

int Main(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string v;
    if (Parse(argv[i], "--scale", &f.scale) ||
        Parse(argv[i], "--strata", &f.strata) ||
        Parse(argv[i], "--prometheus", &f.prometheus) ||
        Parse(argv[i], "--node-exporter", &f.node_exporter) ||
        Parse(argv[i], "--dataset-dir", &f.dataset_dir) ||
        Parse(argv[i], "--only", &f.only) ||
        Parse(argv[i], "--results", &f.results) ||
        Parse(argv[i], "--command", &f.command) ||
        Parse(argv[i], "--work-dir", &f.work_dir) ||
        Parse(argv[i], "--server-cpus", &f.server_cpus) ||
        Parse(argv[i], "--driver-cpus", &f.driver_cpus) ||
        Parse(argv[i], "--scenario", &f.scenario)) {
      continue;
    }
    if (std::strcmp(argv[i], "--keep-data") == 0) {
      f.keep_data = true;
    } else if (Parse(argv[i], "--instances", &v)) {
      f.instances = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--rounds", &v)) {
      f.rounds = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--samples-per-request", &v)) {
      f.samples_per_request = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--connections", &v)) {
      f.connections = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--query-repetitions", &v)) {
      f.query_repetitions = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--settle", &v)) {
      f.settle_s = std::atof(v.c_str());
    } else if (Parse(argv[i], "--rules-instances", &v)) {
      f.rules_instances = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--rules-routes", &v)) {
      f.rules_routes = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--rules-history", &v)) {
      f.rules_history = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--rules-rounds", &v)) {
      f.rules_rounds = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--rules-interval", &v)) {
      f.rules_interval_s = std::atof(v.c_str());
    } else if (Parse(argv[i], "--rules-baseline", &v)) {
      f.rules_baseline_s = std::atof(v.c_str());
    } else if (Parse(argv[i], "--tls-runs", &v)) {
      f.tls_runs = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--tls-handshakes", &v)) {
      f.tls_handshakes = std::atoi(v.c_str());
    } else if (Parse(argv[i], "--tail-rounds", &v)) {
      f.tail_rounds = std::atoi(v.c_str());
    } else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      Usage();
      return 2;
    }
  }
  Preset preset;
  if (!PresetFor(f.scale, &preset)) {
    std::fprintf(stderr, "--scale must be tiny, small or large\n");
    return 2;
  }
  if (f.instances < 0) f.instances = preset.instances;
  // The head-memory scenario holds 2 h unless --rounds says otherwise.
  f.history_rounds = f.rounds >= 0 ? f.rounds : 480;
  // Its RSS readings wait longer: a garbage-collected heap settles slowly.
  f.head_settle_s = f.settle_s >= 0 ? f.settle_s : 30;
  if (f.rounds < 0) f.rounds = preset.rounds;
  if (f.connections < 0) f.connections = preset.connections;
  if (f.query_repetitions < 0) f.query_repetitions = preset.query_repetitions;
  if (f.settle_s < 0) f.settle_s = preset.settle_s;
  if (f.rules_instances < 0) f.rules_instances = preset.rules_instances;
  if (f.rules_routes < 0) f.rules_routes = preset.rules_routes;
  if (f.rules_history < 0) f.rules_history = preset.rules_history;
  if (f.rules_rounds < 0) f.rules_rounds = preset.rules_rounds;
  if (f.rules_baseline_s < 0) f.rules_baseline_s = preset.rules_baseline_s;
  if (f.scenario != "all" && f.scenario != "ingest" && f.scenario != "rules" &&
      f.scenario != "tls" && f.scenario != "histograms" &&
      f.scenario != "head-memory") {
    std::fprintf(stderr,
                 "--scenario must be all, ingest, rules, tls, histograms or "
                 "head-memory\n");
    return 2;
  }
  if (f.history_rounds < 1 || f.tail_rounds < 1) {
    std::fprintf(stderr, "--rounds and --tail-rounds must be >= 1\n");
    return 2;
  }
  if (f.tls_runs < 1 || f.tls_handshakes < 0) {
    std::fprintf(stderr, "--tls-runs must be >= 1, --tls-handshakes >= 0\n");
    return 2;
  }
  if (f.rules_interval_s < 1 || f.rules_rounds < 1 || f.rules_routes < 1 ||
      f.rules_instances < 1 || f.rules_history < 1) {
    std::fprintf(stderr,
                 "--rules-interval must be >= 1 s; the other --rules-* "
                 "counts >= 1\n");
    return 2;
  }
  // The tls scenario measures strata-server alone; head-memory needs both
  // (strata-server writes the WAL Prometheus opens).
  const bool both = f.scenario == "head-memory";
  const bool run_strata =
      f.only.empty() || f.only == "strata" || f.scenario == "tls" || both;
  const bool run_prom = f.only.empty() || f.only == "prometheus" || both;
  if (run_strata && f.strata.empty()) {
    std::fprintf(stderr, "--strata=<path to strata-server> is required\n");
    Usage();
    return 2;
  }
  if (f.command.empty()) f.command = Join(argc, argv);

  std::vector<int> server_cpus, driver_cpus;
  std::string server_pin, driver_pin;
  if (!ResolveCpus(f.server_cpus, true, &server_cpus, &server_pin) ||
      !ResolveCpus(f.driver_cpus, false, &driver_cpus, &driver_pin)) {
    std::fprintf(stderr, "bad CPU list\n");
    return 2;
  }
  Context c;
  c.run_strata = run_strata;
  c.run_prom = run_prom;
  c.work_dir = f.work_dir;
  if (c.work_dir.empty()) {
    char tmpl[] = "/tmp/strata_bench_compare_XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    c.work_dir = tmpl;
  }
  std::filesystem::create_directories(c.work_dir);
  c.pinning = "both servers " + server_pin +
              " (one at a time); load generator " + driver_pin;
  c.server_pin = server_pin;
  c.driver_pin = driver_pin;
  c.server_cpus = server_cpus;
  c.driver_cpus = driver_cpus;

  int rc = 0;
  if (f.scenario == "all" || f.scenario == "ingest") rc |= IngestScenario(f, c);
  if (f.scenario == "all" || f.scenario == "rules") rc |= RulesScenario(f, c);
  if (f.scenario == "tls") rc |= TlsScenario(f, c);
  if (f.scenario == "histograms") rc |= HistogramScenario(f, c);
  if (f.scenario == "head-memory") rc |= HeadMemoryScenario(f, c);
  if (!f.keep_data && f.work_dir.empty()) {
    std::filesystem::remove_all(c.work_dir);
  }
  return rc;
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) { return strata::bench::Main(argc, argv); }
