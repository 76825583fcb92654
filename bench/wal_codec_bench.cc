// bench-deps: strata_wal zstd snappy
//
// WAL record compression: the cost and size of each codec choice on
// Samples records of real data, to choose what the committing thread runs.
//   BM_Compress/<codec>: codec 0 = snappy, otherwise zstd at level
//     (codec - 100), e.g. 101 = level 1 (the default before), 99 = -1.
// Records: ../shared/datasets/recorded-15s (1467 series scraped every 15
// s), one record per scrape round holding every series' sample, series
// refs in order, as a remote-write request or a scrape commits them.
// Reports compressed bytes per sample and ns per sample.
#include <snappy.h>
#include <zstd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "benchmark/benchmark.h"
#include "wal/record.h"

namespace strata::wal {
namespace {

struct Series {
  std::vector<int64_t> t;
  std::vector<double> v;
};

// The dataset's series in order of first appearance, from its OpenMetrics
// text ("name{labels} value seconds" lines).
std::vector<Series> LoadSeries() {
  namespace fs = std::filesystem;
  const char* src = std::getenv("STRATA_SOURCE_DIR");
  const fs::path root =
      src != nullptr ? fs::path(src) : fs::path(STRATA_BENCH_SOURCE_DIR);
  const fs::path file =
      root / ".." / "shared" / "datasets" / "recorded-15s" / "data.om.zst";
  std::vector<Series> out;
  const std::string cmd = "zstd -dc '" + file.string() + "'";
  FILE* in = ::popen(cmd.c_str(), "r");
  if (in == nullptr) return out;
  std::unordered_map<std::string, size_t> index;
  char* line = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = ::getline(&line, &cap, in)) > 0) {
    std::string_view l(line, static_cast<size_t>(n));
    if (l.empty() || l[0] == '#') continue;
    while (!l.empty() && l.back() == '\n') l.remove_suffix(1);
    const size_t ts_at = l.rfind(' ');
    if (ts_at == std::string_view::npos) continue;
    const size_t v_at = l.rfind(' ', ts_at - 1);
    if (v_at == std::string_view::npos) continue;
    const std::string name(l.substr(0, v_at));
    auto [it, fresh] = index.try_emplace(name, out.size());
    if (fresh) out.emplace_back();
    Series& s = out[it->second];
    s.v.push_back(
        std::strtod(std::string(l.substr(v_at + 1)).c_str(), nullptr));
    s.t.push_back(std::llround(
        std::strtod(std::string(l.substr(ts_at + 1)).c_str(), nullptr) * 1000));
  }
  std::free(line);
  ::pclose(in);
  return out;
}

struct Corpus {
  std::vector<std::string> records;
  int64_t samples = 0;
};

const Corpus& Records() {
  static const Corpus corpus = [] {
    const std::vector<Series> series = LoadSeries();
    Corpus c;
    for (size_t round = 0;; ++round) {
      std::vector<RefSample> samples;
      for (size_t i = 0; i < series.size(); ++i) {
        if (round < series[i].t.size()) {
          samples.push_back({i + 1, series[i].t[round], series[i].v[round]});
        }
      }
      if (samples.empty()) break;
      c.samples += static_cast<int64_t>(samples.size());
      EncodeSamples(samples, &c.records.emplace_back());
    }
    return c;
  }();
  return corpus;
}

void BM_Compress(benchmark::State& state) {
  const Corpus& corpus = Records();
  if (corpus.records.empty()) {
    state.SkipWithError("dataset recorded-15s not found");
    return;
  }
  const int codec = static_cast<int>(state.range(0));
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  std::string out;
  int64_t raw = 0, compressed = 0, samples = 0;
  for (auto _ : state) {
    for (const std::string& rec : corpus.records) {
      if (codec == 0) {
        snappy::Compress(rec.data(), rec.size(), &out);
      } else {
        out.resize(ZSTD_compressBound(rec.size()));
        out.resize(ZSTD_compressCCtx(cctx, out.data(), out.size(), rec.data(),
                                     rec.size(), codec - 100));
      }
      raw += static_cast<int64_t>(rec.size());
      compressed += static_cast<int64_t>(out.size());
    }
    samples += corpus.samples;
  }
  ZSTD_freeCCtx(cctx);
  state.counters["raw_B/sample"] =
      static_cast<double>(raw) / static_cast<double>(samples);
  state.counters["B/sample"] =
      static_cast<double>(compressed) / static_cast<double>(samples);
  // Seconds per (sample / 1e9): nanoseconds per sample.
  state.counters["ns/sample"] = benchmark::Counter(
      static_cast<double>(samples) / 1e9,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Compress)
    ->Arg(0)
    ->Arg(103)
    ->Arg(101)
    ->Arg(99)
    ->Arg(97)
    ->Arg(95)
    ->Arg(90)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata::wal

BENCHMARK_MAIN();
