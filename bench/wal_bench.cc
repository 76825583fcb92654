// bench-deps: strata_wal
//
// WAL Log throughput on a temporary directory of the real file system
// ($TMPDIR or /tmp), one Log per record:
//   BM_LogInterval/<samples per record>/<zstd 0|1>: kInterval policy, one
//     writer; measures encoding + write(2).
//   BM_LogAlways/<samples per record>/threads:N: kAlways policy, N writers
//     sharing fdatasyncs (group commit); reports fdatasyncs per Log.
// Records are Prometheus Samples records (16-byte header + ~10 bytes per
// sample), so the byte rate is the WAL payload rate before compression.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "temp_dir.h"
#include "util/file_system.h"
#include "wal/record.h"
#include "wal/wal.h"

namespace strata::wal {
namespace {

// A realistic Samples record: consecutive series refs, one scrape time,
// counter-like values.
std::string SamplesRecord(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<RefSample> samples;
  const int64_t t = 1700000000000 + static_cast<int64_t>(seed) * 15000;
  for (int i = 0; i < n; ++i) {
    samples.push_back({static_cast<uint64_t>(1000 + i),
                       t + static_cast<int64_t>(rng() % 3),
                       static_cast<double>(rng() % 100000) / 10.0});
  }
  std::string rec;
  EncodeSamples(samples, &rec);
  return rec;
}

std::vector<std::string> Records(int samples_per_record) {
  std::vector<std::string> out;
  for (int i = 0; i < 64; ++i)
    out.push_back(SamplesRecord(samples_per_record, i));
  return out;
}

void BM_LogInterval(benchmark::State& state) {
  const strata::testing::TempDir tmp("strata-wal-bench");
  const std::string& dir = tmp.path();
  WalOptions o;
  o.sync = WalSyncPolicy::kInterval;
  o.compression = state.range(1) ? Compression::kZstd : Compression::kNone;
  auto wal = Wal::Open(dir, FileSystem::Default(), o);
  if (!wal.ok()) {
    state.SkipWithError(wal.status().ToString().c_str());
    return;
  }
  const std::vector<std::string> records =
      Records(static_cast<int>(state.range(0)));
  int64_t bytes = 0;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& r = records[i++ % records.size()];
    if (!(*wal)->Log(r).ok()) state.SkipWithError("Log failed");
    bytes += static_cast<int64_t>(r.size());
  }
  const WalStats st = (*wal)->stats();
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
  state.counters["wal_bytes_per_record"] =
      static_cast<double>(st.bytes_written) /
      static_cast<double>(std::max<int64_t>(1, st.records));
  (void)(*wal)->Close();
}
BENCHMARK(BM_LogInterval)
    ->ArgsProduct({{1, 100, 1000}, {0, 1}})
    ->ArgNames({"samples", "zstd"})
    ->UseRealTime();

std::unique_ptr<Wal> g_wal;
std::unique_ptr<strata::testing::TempDir> g_dir;

void BM_LogAlways(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_dir = std::make_unique<strata::testing::TempDir>("strata-wal-bench");
    WalOptions o;
    o.sync = WalSyncPolicy::kAlways;
    auto wal = Wal::Open(g_dir->path(), FileSystem::Default(), o);
    if (!wal.ok()) std::abort();
    g_wal = std::move(*wal);
  }
  const std::vector<std::string> records =
      Records(static_cast<int>(state.range(0)));
  int64_t bytes = 0;
  size_t i = static_cast<size_t>(state.thread_index());
  for (auto _ : state) {
    const std::string& r = records[i++ % records.size()];
    if (!g_wal->Log(r).ok()) state.SkipWithError("Log failed");
    bytes += static_cast<int64_t>(r.size());
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    const WalStats st = g_wal->stats();
    state.counters["fsyncs_per_log"] =
        static_cast<double>(st.fsyncs) /
        static_cast<double>(std::max<int64_t>(1, st.records));
    state.counters["fsync_ms"] =
        st.fsyncs ? 1000.0 * st.fsync_seconds / static_cast<double>(st.fsyncs)
                  : 0;
    (void)g_wal->Close();
    g_wal.reset();
    g_dir.reset();
  }
}
BENCHMARK(BM_LogAlways)
    ->Arg(100)
    ->ArgName("samples")
    ->Threads(1)
    ->Threads(4)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace strata::wal

BENCHMARK_MAIN();
