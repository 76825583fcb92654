// bench-deps: strata_index
// Block index: writing, opening, postings lookups, matcher resolution and
// series decoding on synthetic blocks of 100k and 1M series shaped like
// Prometheus data (metric names x instances x a few other labels); the
// compact index's encoding and open (BM_Compact*).
//
//   ./index_bench --benchmark_filter=1000000
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "index/compact_index.h"
#include "index/index_file_reader.h"
#include "index/index_writer.h"
#include "index/postings_for_matchers.h"
#include "temp_dir.h"

namespace strata {
namespace {

struct Dataset {
  std::vector<std::string> symbols;
  std::vector<Labels> series;  // Sorted.
  std::vector<std::vector<ChunkMeta>> chunks;
};

// n series: 1000 metric names, each over n/1000 instances (of 200) and
// pods (unique per series, so one label has n values), with job by
// instance, and a few "le" buckets on some metrics.
std::unique_ptr<Dataset> MakeDataset(size_t n) {
  auto d = std::make_unique<Dataset>();
  const size_t per_metric = n / 1000;
  d->series.reserve(n);
  std::set<std::string> symbols;
  for (size_t m = 0; m < 1000; ++m) {
    const std::string name = "metric_" + std::to_string(m);
    for (size_t i = 0; i < per_metric; ++i) {
      const size_t instance = i % 200;
      std::vector<Label> l = {
          {"__name__", name},
          {"instance", "10.1." + std::to_string(instance) + ".7:9100"},
          {"job", "job_" + std::to_string(instance % 10)},
          {"pod", "pod-" + std::to_string(m * per_metric + i)},
      };
      if (m % 10 == 0) l.push_back({"le", std::to_string(i % 12)});
      d->series.push_back(Labels::FromUnchecked(std::move(l)));
    }
  }
  std::sort(d->series.begin(), d->series.end());
  for (const Labels& l : d->series) {
    for (const Label& p : l) {
      symbols.insert(p.name);
      symbols.insert(p.value);
    }
  }
  d->symbols.assign(symbols.begin(), symbols.end());
  uint64_t ref = 8;
  d->chunks.resize(d->series.size());
  for (auto& c : d->chunks) {
    for (int k = 0; k < 2; ++k) {
      c.push_back({ref, 1700000000000 + k * 1800000,
                   1700000000000 + k * 1800000 + 1785000});
      ref += 150;
    }
  }
  return d;
}

// One directory for the whole run, removed at exit.
const std::string& BenchDir() {
  static const testing::TempDir dir("strata-index-bench");
  if (!dir.ok()) std::abort();
  return dir.path();
}

Status WriteIndex(const Dataset& d, const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(auto w,
                          IndexWriter::Create(FileSystem::Default(), path));
  STRATA_RETURN_IF_ERROR(w->AddSymbols(d.symbols));
  for (size_t i = 0; i < d.series.size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(SeriesId id,
                            w->AddSeries(d.series[i], d.chunks[i]));
    (void)id;
  }
  return w->Finish();
}

// One dataset and index file per size, built on first use.
struct Fixture {
  std::unique_ptr<Dataset> data;
  std::string path;
  std::unique_ptr<IndexFileReader> reader;
};

Fixture& Get(size_t n) {
  static std::map<size_t, Fixture> fixtures;
  Fixture& f = fixtures[n];
  if (f.reader == nullptr) {
    f.data = MakeDataset(n);
    f.path = BenchDir() + "/index-" + std::to_string(n);
    Status s = WriteIndex(*f.data, f.path);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      std::abort();
    }
    f.reader = std::move(*IndexFileReader::Open(FileSystem::Default(), f.path));
  }
  return f;
}

void BM_Write(benchmark::State& state) {
  const size_t n = state.range(0);
  std::unique_ptr<Dataset> d = MakeDataset(n);
  const std::string path = BenchDir() + "/write-" + std::to_string(n);
  using Clock = std::chrono::steady_clock;
  Clock::duration symbols{}, series{}, finish{};
  for (auto _ : state) {
    const auto t0 = Clock::now();
    auto w = IndexWriter::Create(FileSystem::Default(), path);
    if (!w.ok() || !(*w)->AddSymbols(d->symbols).ok()) std::abort();
    const auto t1 = Clock::now();
    for (size_t i = 0; i < n; ++i) {
      if (!(*w)->AddSeries(d->series[i], d->chunks[i]).ok()) std::abort();
    }
    const auto t2 = Clock::now();
    if (!(*w)->Finish().ok()) std::abort();
    const auto t3 = Clock::now();
    symbols += t1 - t0;
    series += t2 - t1;
    finish += t3 - t2;
  }
  auto ms = [&](Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count() /
           static_cast<double>(state.iterations());
  };
  state.counters["symbols_ms"] = ms(symbols);
  state.counters["series_ms"] = ms(series);
  state.counters["finish_ms"] = ms(finish);
  state.counters["series/s"] = benchmark::Counter(
      static_cast<double>(n * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["bytes"] =
      static_cast<double>(std::filesystem::file_size(path));
}
BENCHMARK(BM_Write)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_Open(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  for (auto _ : state) {
    auto r = IndexFileReader::Open(FileSystem::Default(), f.path);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Open)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// The compact index (cold blocks): encoding the Prometheus bytes (what a
// cold-tier rewrite adds), then Open of the compact file (CRC, zstd
// decoding, then what BM_Open does).
void BM_CompactEncode(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  const std::string_view bytes = f.reader->PrometheusBytes();
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!compact_index::Encode(bytes, &out).ok()) std::abort();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes.size()));
  state.counters["index_bytes"] = static_cast<double>(bytes.size());
  state.counters["compact_bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_CompactEncode)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond);

void BM_CompactOpen(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  const std::string path = f.path + ".compact";
  std::string out;
  if (!compact_index::Encode(f.reader->PrometheusBytes(), &out).ok() ||
      !WriteFileAtomically(FileSystem::Default(), path, out).ok()) {
    std::abort();
  }
  for (auto _ : state) {
    auto r = IndexFileReader::Open(FileSystem::Default(), path);
    if (!r.ok()) std::abort();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_CompactOpen)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond);

// One metric name: n/1000 series.
void BM_PostingsForOneValue(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  std::mt19937 rng(1);
  for (auto _ : state) {
    auto p = f.reader->PostingsFor("__name__",
                                   {"metric_" + std::to_string(rng() % 1000)});
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_PostingsForOneValue)->Arg(100000)->Arg(1000000);

// 1000 values spread over the n values of a high-cardinality label.
void BM_PostingsFor1000Values(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  std::vector<std::string> values;
  for (int64_t i = 0; i < 1000; ++i) {
    values.push_back("pod-" + std::to_string(i * (state.range(0) / 1000)));
  }
  for (auto _ : state) {
    auto p = f.reader->PostingsFor("pod", values);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_PostingsFor1000Values)->Arg(100000)->Arg(1000000);

void BM_AllPostings(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  for (auto _ : state) {
    auto p = f.reader->AllPostings();
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AllPostings)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMicrosecond);

void BM_LabelValuesHighCardinality(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  for (auto _ : state) {
    auto v = f.reader->LabelValues("pod");
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_LabelValuesHighCardinality)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond);

// The "select of 10k series": resolve matchers, then read every
// selected series' labels and chunk metas.
void BM_Select10kSeries(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  // 10 metrics of n/1000 series each at 1M: 10k series.
  const std::vector<Matcher> matchers = {
      *Matcher::Create(Matcher::Type::kRegexMatch, "__name__", "metric_1[0-9]"),
      Matcher::NotEqual("job", "nope")};
  size_t selected = 0;
  for (auto _ : state) {
    auto p = PostingsForMatchers(*f.reader, matchers);
    selected = p->cardinality();
    Labels labels;
    std::vector<ChunkMeta> chunks;
    for (uint32_t id : *p) {
      if (!f.reader->Series(id, &labels, &chunks).ok()) std::abort();
    }
    benchmark::DoNotOptimize(labels);
  }
  state.counters["series"] = static_cast<double>(selected);
}
BENCHMARK(BM_Select10kSeries)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond);

void BM_SeriesDecode(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  auto all = f.reader->AllPostings();
  std::vector<uint32_t> ids(all->cardinality());
  all->toUint32Array(ids.data());
  std::mt19937 rng(2);
  Labels labels;
  std::vector<ChunkMeta> chunks;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        f.reader->Series(ids[rng() % ids.size()], &labels, &chunks));
  }
}
BENCHMARK(BM_SeriesDecode)->Arg(1000000);

// What `tsdb analyze` needs from the index: every postings list's size.
void BM_ForEachPostingsList(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  for (auto _ : state) {
    uint64_t total = 0;
    Status s = f.reader->ForEachPostingsList(
        [&](std::string_view, std::string_view, uint32_t n) {
          total += n;
          return Status::OK();
        });
    benchmark::DoNotOptimize(total);
  }
}
BENCHMARK(BM_ForEachPostingsList)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_Verify(benchmark::State& state) {
  Fixture& f = Get(state.range(0));
  for (auto _ : state) {
    Status s = f.reader->Verify();
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
  }
}
BENCHMARK(BM_Verify)->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata

BENCHMARK_MAIN();
