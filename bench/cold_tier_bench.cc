// bench-deps: strata_bench_compare strata_block strata_head strata_query
//
// The cold tier over a day of bench-compare data (issue 19's second
// figure): bytes per sample, index included, of 24 h of blocks.
//
// One UTC day of `make bench-compare`'s workload (bench/compare/workload.h:
// the shared recorded hour replicated over `instances`, 15 s rounds) is
// written once as OpenMetrics text, in round order, and stored both ways:
//   - Prometheus: `promtool tsdb create-blocks-from openmetrics
//     --max-block-duration=24h` (Prometheus 2.42's backfill: its head and
//     block writer, blocks of the largest compaction range within 24 h,
//     18 h, aligned as compaction aligns them);
//   - Strata: the same samples appended to a Head (2 h chunk range, as the
//     DB's head cuts chunks), then one block per Prometheus block window
//     written by BlockWriter, in XOR (what compaction writes) and in the
//     dense format (what the cold-tier rewrite writes: dense chunks and the
//     compact index).
// Counters: bytes/sample of each (every file of every block directory),
// index bytes, and the ratios to Prometheus. Needs promtool on PATH and
// ../shared/datasets/recorded-15s.
//
//   build/bench/cold_tier_bench --benchmark_filter=ColdTier24h/instances:1
// (instances:7, SCALE=small's series, writes about 7 GB of OpenMetrics
// text to the temporary directory.)
#include <benchmark/benchmark.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "block/block.h"
#include "block/block_dir.h"
#include "block/block_writer.h"
#include "dataset.h"
#include "head/head.h"
#include "head/head_appender.h"
#include "prometheus/remote.pb.h"
#include "snappy.h"
#include "temp_dir.h"
#include "util/strings.h"
#include "workload.h"

namespace strata {
namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;
constexpr int64_t kTwoHoursMs = 2 * 3600 * 1000;
// 2026-11-25 00:00 UTC, the recorded hour's day.
constexpr int64_t kDayStartMs = 1795564800000;
// Rounds whose samples all fall inside the day: a round's samples lie in
// [first - 7.5 s, first + 15 s), so start one step in and stop two short.
constexpr int kRounds = static_cast<int>(kDayMs / bench::kStepMs) - 2;

using testing::TempDir;

std::string SourceDir() {
  const char* env = std::getenv("STRATA_SOURCE_DIR");
  if (env != nullptr) return env;
  return STRATA_BENCH_SOURCE_DIR;
}

int64_t DirBytes(const std::string& dir) {
  int64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += static_cast<int64_t>(e.file_size());
  }
  return n;
}

// The series of the workload (label sets, in shard order) and a sink for
// its samples, round by round.
struct Decoded {
  std::vector<Labels> series;
  std::vector<std::string> om_prefix;  // `name{l="v",...} ` per series.
};

std::string OpenMetricsPrefix(const Labels& labels) {
  std::string out(labels.Get(kMetricNameLabel));
  bool first = true;
  for (const Label& l : labels) {
    if (l.name == kMetricNameLabel) continue;
    out += first ? "{" : ",";
    first = false;
    out += l.name;
    out += '=';
    AppendQuoted(&out, l.value);
  }
  if (!first) out += '}';
  out += ' ';
  return out;
}

// Calls fn(series index, t, v) for every sample of the workload, round by
// round (so each series' samples come in time order). Aborts on requests
// that do not decode (they were made by BuildWorkload).
template <typename Fn>
void ForEachSample(const bench::Workload& w, Decoded* d, Fn fn) {
  std::vector<size_t> shard_base(w.requests.size());
  std::string raw;
  prometheus::WriteRequest req;
  for (int round = 0; round < w.rounds; ++round) {
    for (size_t s = 0; s < w.requests.size(); ++s) {
      const std::string& c = w.requests[s][static_cast<size_t>(round)];
      if (!snappy::Uncompress(c.data(), c.size(), &raw) ||
          !req.ParseFromString(raw)) {
        std::abort();
      }
      if (round == 0) {
        shard_base[s] = d->series.size();
        for (const auto& ts : req.timeseries()) {
          std::vector<Label> labels;
          for (const auto& l : ts.labels()) {
            labels.push_back({l.name(), l.value()});
          }
          d->series.push_back(Labels::FromUnchecked(std::move(labels)));
          d->om_prefix.push_back(OpenMetricsPrefix(d->series.back()));
        }
      }
      for (int i = 0; i < req.timeseries_size(); ++i) {
        const auto& sample = req.timeseries(i).samples(0);
        fn(shard_base[s] + static_cast<size_t>(i), sample.timestamp(),
           sample.value());
      }
    }
  }
}

void AppendOpenMetricsSample(std::string* out, const std::string& prefix,
                             int64_t t, double v) {
  char buf[64];
  out->append(prefix);
  if (v != v) {
    out->append("NaN");
  } else {
    const int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
    out->append(buf, static_cast<size_t>(n));
  }
  const int n = std::snprintf(buf, sizeof(buf), " %" PRId64 ".%03" PRId64 "\n",
                              t / 1000, t % 1000);
  out->append(buf, static_cast<size_t>(n));
}

struct StoreBytes {
  int64_t total = 0;
  int64_t index = 0;
  int blocks = 0;
};

StoreBytes MeasureBlocks(const std::string& dir) {
  StoreBytes b;
  auto names = ListBlockDirs(FileSystem::Default(), dir);
  if (!names.ok()) std::abort();
  for (const std::string& name : *names) {
    const std::string block = JoinPath(dir, name);
    b.total += DirBytes(block);
    b.index += static_cast<int64_t>(
        std::filesystem::file_size(JoinPath(block, "index")));
    ++b.blocks;
  }
  return b;
}

// Writes one Strata block per window of the blocks in `prom_dir`.
void WriteStrataBlocks(const Head& head, const std::string& prom_dir,
                       const std::string& out_dir, ChunkFormat format) {
  auto names = ListBlockDirs(FileSystem::Default(), prom_dir);
  if (!names.ok()) std::abort();
  BlockWriterOptions o;
  o.chunk_range_ms = kTwoHoursMs;
  o.chunk_format = format;
  for (const std::string& name : *names) {
    auto prom = Block::Open(FileSystem::Default(), JoinPath(prom_dir, name));
    if (!prom.ok()) std::abort();
    BlockWriter w(FileSystem::Default(), out_dir, o);
    const BlockReader* src = &head;
    auto meta =
        w.Write({&src, 1}, (*prom)->meta().min_time, (*prom)->meta().max_time);
    if (!meta.ok()) {
      std::fprintf(stderr, "%s\n", meta.status().ToString().c_str());
      std::abort();
    }
  }
}

void BM_ColdTier24h(benchmark::State& state) {
  const std::string ds = SourceDir() + "/../shared/datasets/recorded-15s";
  bench::Dataset dataset;
  std::string error;
  if (!bench::LoadRecorded(ds + "/data.om.zst", ds + "/metadata.json", &dataset,
                           &error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  bench::WorkloadOptions wo;
  wo.instances = static_cast<int>(state.range(0));
  wo.rounds = kRounds;
  wo.first_round_ms = kDayStartMs + bench::kStepMs;
  wo.threads = 2;
  bench::Workload w;
  if (!bench::BuildWorkload(dataset, wo, &w, &error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  TempDir dir;
  const std::string om_path = dir.path() + "/day.om";
  Decoded d;
  Head head{HeadOptions{}};
  {
    std::ofstream om(om_path, std::ios::binary);
    std::string buf;
    HeadAppender app(&head, nullptr);
    ForEachSample(w, &d, [&](size_t series, int64_t t, double v) {
      AppendOpenMetricsSample(&buf, d.om_prefix[series], t, v);
      if (buf.size() > (1 << 20)) {
        om.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        buf.clear();
      }
      if (!app.Append(d.series[series], t, v).ok()) std::abort();
      if (app.pending() > 50000 && !app.Commit().ok()) std::abort();
    });
    if (!app.Commit().ok()) std::abort();
    buf += "# EOF\n";
    om.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  }
  const std::string prom_dir = dir.path() + "/prometheus";
  const std::string xor_dir = dir.path() + "/strata-xor";
  const std::string dense_dir = dir.path() + "/strata-dense";
  for (auto _ : state) {
    const std::string cmd =
        "promtool tsdb create-blocks-from openmetrics -q "
        "--max-block-duration=24h '" +
        om_path + "' '" + prom_dir + "' >/dev/null";
    if (std::system(cmd.c_str()) != 0) {
      state.SkipWithError("promtool create-blocks-from openmetrics failed");
      return;
    }
    WriteStrataBlocks(head, prom_dir, xor_dir, ChunkFormat::kXor);
    WriteStrataBlocks(head, prom_dir, dense_dir, ChunkFormat::kDense);
  }
  const StoreBytes prom = MeasureBlocks(prom_dir);
  const StoreBytes strata_xor = MeasureBlocks(xor_dir);
  const StoreBytes dense = MeasureBlocks(dense_dir);
  const auto samples = static_cast<double>(w.samples);
  state.counters["samples"] = samples;
  state.counters["series"] = static_cast<double>(d.series.size());
  state.counters["blocks"] = prom.blocks;
  state.counters["prom_bytes_per_sample"] = prom.total / samples;
  state.counters["prom_index_bytes"] = static_cast<double>(prom.index);
  state.counters["strata_xor_bytes_per_sample"] = strata_xor.total / samples;
  state.counters["dense_bytes_per_sample"] = dense.total / samples;
  state.counters["dense_index_bytes"] = static_cast<double>(dense.index);
  state.counters["dense_vs_prom"] =
      static_cast<double>(dense.total) / static_cast<double>(prom.total);
}
BENCHMARK(BM_ColdTier24h)
    ->ArgName("instances")
    ->Arg(1)
    ->Arg(7)  // SCALE=small's 10,269 series.
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace strata

BENCHMARK_MAIN();
