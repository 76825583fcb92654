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

// The samples both benchmarks append: every series in turn, 15 s apart,
// values rising by 0.25.
class SampleStream {
 public:
  explicit SampleStream(const std::vector<strata::SeriesRef>& refs)
      : refs_(refs) {}
  void Next(strata::SeriesRef* ref, int64_t* t, double* v) {
    if (s_ == refs_.size()) {
      s_ = 0;
      t_ += 15000;
    }
    value_ += 0.25;
    *ref = refs_[s_++];
    *t = t_ + 15000;
    *v = value_;
  }

 private:
  const std::vector<strata::SeriesRef>& refs_;
  size_t s_ = 0;
  int64_t t_ = 0;
  double value_ = 0;
};

// Args: series, samples per commit, compression. `append_and_commit`
// appends the next `batch` samples of a SampleStream and commits them,
// returning false on failure.
template <typename AppendAndCommit>
void RunAppendBenchmark(benchmark::State& state,
                        AppendAndCommit append_and_commit) {
  const int series = static_cast<int>(state.range(0));
  const int batch = static_cast<int>(state.range(1));
  BenchDB b;
  if (!OpenBenchDB(state, series, state.range(2) != 0, &b)) return;
  auto app = b.db->NewAppender();
  SampleStream stream(b.refs);
  int64_t samples = 0;
  for (auto _ : state) {
    if (!append_and_commit(*app, stream, batch)) {
      state.SkipWithError("append or commit failed");
    }
    samples += batch;
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples),
                                                   benchmark::Counter::kIsRate);
  app.reset();
  (void)b.db->Close();
}

// One Append(ref, t, v) call per sample.
void BM_AppendKnownRef(benchmark::State& state) {
  RunAppendBenchmark(
      state, [](strata::Appender& app, SampleStream& stream, int batch) {
        strata::SeriesRef ref;
        int64_t t;
        double v;
        for (int i = 0; i < batch; ++i) {
          stream.Next(&ref, &t, &v);
          benchmark::DoNotOptimize(app.Append(ref, t, v));
        }
        return app.Commit().ok();
      });
}
BENCHMARK(BM_AppendKnownRef)
    ->Args({10000, 2000, 1})
    ->Args({10000, 2000, 0})
    ->Args({100000, 10000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same samples, each commit's in one AppendBatch (filling its three
// arrays is timed too).
void BM_AppendBatchKnownRef(benchmark::State& state) {
  std::vector<strata::SeriesRef> refs;
  std::vector<int64_t> ts;
  std::vector<double> values;
  strata::AppendBatchReport report;
  RunAppendBenchmark(
      state, [&](strata::Appender& app, SampleStream& stream, int batch) {
        refs.resize(batch);
        ts.resize(batch);
        values.resize(batch);
        for (int i = 0; i < batch; ++i)
          stream.Next(&refs[i], &ts[i], &values[i]);
        return app.AppendBatch(refs, ts, values, &report).ok() &&
               report.errors.empty() && app.Commit().ok();
      });
}
BENCHMARK(BM_AppendBatchKnownRef)
    ->Args({10000, 2000, 1})
    ->Args({10000, 2000, 0})
    ->Args({100000, 10000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
