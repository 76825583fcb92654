// bench-deps: strata_db
//
// Head append throughput through the public API: known series refs,
// batched commits, WAL on with fsync policy `interval` (the default), one
// sample at a time (Append) or per commit in one Appender::AppendBatch.
// Reports samples/s per core (the benchmark runs on one thread).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "strata/db.h"
#include "temp_dir.h"

namespace {

// A DB with `series` node_cpu-like series, each with one sample at t=0.
struct BenchDB {
  strata::testing::TempDir tmp{"strata-bench"};
  std::unique_ptr<strata::DB> db;
  std::vector<strata::SeriesRef> refs;
};

bool OpenBenchDB(benchmark::State& state, int series, bool compression,
                 BenchDB* out) {
  strata::Options options;
  options.wal_compression = compression;
  auto db = strata::DB::Open(options, out->tmp.path());
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return false;
  }
  out->db = std::move(*db);
  auto app = out->db->NewAppender();
  for (int s = 0; s < series; ++s) {
    auto labels =
        strata::Labels::Of({{"__name__", "node_cpu_seconds_total"},
                            {"cpu", std::to_string(s % 64)},
                            {"instance", "host-" + std::to_string(s / 64)},
                            {"job", "node"},
                            {"mode", "user"}});
    out->refs.push_back(*app->Append(labels, 0, 0));
  }
  (void)app->Commit();
  return true;
}

// Args: series, samples per commit, compression.
void BM_AppendKnownRef(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const int batch = static_cast<int>(state.range(1));
  BenchDB b;
  if (!OpenBenchDB(state, series, state.range(2) != 0, &b)) return;
  auto app = b.db->NewAppender();
  int64_t t = 0;
  int64_t samples = 0;
  double value = 0;
  int s = 0;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) {
      if (s == series) {
        s = 0;
        t += 15000;
      }
      value += 0.25;
      benchmark::DoNotOptimize(app->Append(b.refs[s++], t + 15000, value));
    }
    if (!app->Commit().ok()) state.SkipWithError("commit failed");
    samples += batch;
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples),
                                                   benchmark::Counter::kIsRate);
  app.reset();
  (void)b.db->Close();
}
BENCHMARK(BM_AppendKnownRef)
    ->Args({10000, 2000, 1})
    ->Args({10000, 2000, 0})
    ->Args({100000, 10000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same samples as BM_AppendKnownRef, each commit's in one AppendBatch
// (filling its three arrays is timed too).
void BM_AppendBatchKnownRef(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const int batch = static_cast<int>(state.range(1));
  BenchDB b;
  if (!OpenBenchDB(state, series, state.range(2) != 0, &b)) return;
  auto app = b.db->NewAppender();
  std::vector<strata::SeriesRef> refs(batch);
  std::vector<int64_t> ts(batch);
  std::vector<double> values(batch);
  strata::AppendBatchReport report;
  int64_t t = 0;
  int64_t samples = 0;
  double value = 0;
  int s = 0;
  for (auto _ : state) {
    for (int i = 0; i < batch; ++i) {
      if (s == series) {
        s = 0;
        t += 15000;
      }
      value += 0.25;
      refs[i] = b.refs[s++];
      ts[i] = t + 15000;
      values[i] = value;
    }
    if (!app->AppendBatch(refs, ts, values, &report).ok() ||
        !report.errors.empty() || !app->Commit().ok()) {
      state.SkipWithError("append or commit failed");
    }
    samples += batch;
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples),
                                                   benchmark::Counter::kIsRate);
  app.reset();
  (void)b.db->Close();
}
BENCHMARK(BM_AppendBatchKnownRef)
    ->Args({10000, 2000, 1})
    ->Args({10000, 2000, 0})
    ->Args({100000, 10000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
