// bench-deps: strata_db
//
// Head append throughput through the public API: known series refs,
// batched commits, WAL on with fsync policy `interval` (the default).
// Reports samples/s per core (the benchmark runs on one thread).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "strata/db.h"
#include "temp_dir.h"

namespace {

// Args: series, samples per commit, compression.
void BM_AppendKnownRef(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  const int batch = static_cast<int>(state.range(1));
  strata::Options options;
  options.wal_compression = state.range(2) != 0;
  const strata::testing::TempDir tmp("strata-bench");
  auto db = strata::DB::Open(options, tmp.path());
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  std::vector<strata::SeriesRef> refs(series);
  auto app = (*db)->NewAppender();
  for (int s = 0; s < series; ++s) {
    auto labels =
        strata::Labels::Of({{"__name__", "node_cpu_seconds_total"},
                            {"cpu", std::to_string(s % 64)},
                            {"instance", "host-" + std::to_string(s / 64)},
                            {"job", "node"},
                            {"mode", "user"}});
    refs[s] = *app->Append(labels, 0, 0);
  }
  (void)app->Commit();
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
      benchmark::DoNotOptimize(app->Append(refs[s++], t + 15000, value));
    }
    if (!app->Commit().ok()) state.SkipWithError("commit failed");
    samples += batch;
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples),
                                                   benchmark::Counter::kIsRate);
  (void)(*db)->Close();
}
BENCHMARK(BM_AppendKnownRef)
    ->Args({10000, 2000, 1})
    ->Args({10000, 2000, 0})
    ->Args({100000, 10000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
