// bench-deps: strata_block strata_query strata_head
//
// Persisted blocks:
//   - BM_BytesPerSample: the shared recorded dataset (../shared/datasets/
//     recorded-15s) as Prometheus 2.42 stored it, as Strata stores the
//     same samples (appended to a head, written by BlockWriter), and as a
//     cold block (the Prometheus block rewritten with dense chunks);
//     counters prom_, strata_ and dense_bytes_per_sample, index included.
//   - BM_DashboardQuery/{xor,dense}/<minutes>: a dashboard over that
//     block: one select per metric name over the block's last <minutes>,
//     every sample decoded, against the Prometheus (XOR) block, its
//     dense copy (compact index) and the dense copy with Prometheus's
//     index bytes; items = samples.
//   - BM_PostingsQuery/block:{0,1,2}: postings-heavy lookups over the same
//     three blocks (every label pair's postings, two regex selections of
//     series without reading chunks); items = series resolved.
//   - BM_IndexOpen/block:{0,1}: IndexFileReader::Open of the Prometheus
//     index and of the compact one (zstd decoding included).
//   - BM_CompactAdjacent / BM_CompactOverlapping: compaction-style rewrite
//     of two 1 h blocks of 10k series at 15 s into one (chunks copied), and
//     of two overlapping 2 h blocks (every chunk decoded, merged and
//     re-encoded); items = samples written.
//   - BM_Select: 10k series x 2 h selected from a block through BlockQuerier,
//     every sample decoded, by 1, 2 and 4 concurrent readers; items =
//     samples (summed over readers).
//   - BM_ReadBatch/{io_uring,pread}: every chunk of that block read with
//     ChunkFileReader::ReadBatch in batches of 1024, cold page cache not
//     forced; items = chunks.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "block/block.h"
#include "block/block_dir.h"
#include "block/block_writer.h"
#include "head/head.h"
#include "head/head_appender.h"
#include "index/index_file_reader.h"
#include "query/block_querier.h"
#include "temp_dir.h"

namespace strata {
namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int kSeries = 10000;
constexpr int64_t kStep = 15000;

using testing::TempDir;

std::string SourceDir() {
  const char* env = std::getenv("STRATA_SOURCE_DIR");
  if (env != nullptr) return env;
  return STRATA_BENCH_SOURCE_DIR;
}

std::shared_ptr<const Block> OpenOrDie(const std::string& dir) {
  auto b = Block::Open(FileSystem::Default(), dir);
  if (!b.ok()) {
    std::fprintf(stderr, "%s\n", b.status().ToString().c_str());
    std::abort();
  }
  return *b;
}

BlockMeta WriteOrDie(const std::string& dir,
                     std::vector<const BlockReader*> sources, int64_t mint,
                     int64_t maxt, const BlockCompaction* c = nullptr) {
  BlockWriter w(FileSystem::Default(), dir);
  auto meta = w.Write(sources, mint, maxt, c);
  if (!meta.ok()) {
    std::fprintf(stderr, "%s\n", meta.status().ToString().c_str());
    std::abort();
  }
  return *meta;
}

// 10k series of counters and gauges, one sample every 15 s in
// [start, end), appended to a head in time order.
std::unique_ptr<Head> SyntheticHead(int64_t start, int64_t end, uint32_t seed) {
  auto head = std::make_unique<Head>(HeadOptions{});
  HeadAppender app(head.get(), nullptr);
  std::vector<SeriesRef> refs(kSeries);
  std::vector<double> values(kSeries);
  std::mt19937 rng(seed);
  for (int64_t t = start; t < end; t += kStep) {
    for (int i = 0; i < kSeries; ++i) {
      const bool counter = i % 4 != 0;
      values[i] = counter ? values[i] + static_cast<double>(rng() % 100)
                          : static_cast<double>(rng() % 1000) / 8;
      if (t == start) {
        Labels l = Labels::Of(
            {{"__name__", counter ? "bench_requests_total" : "bench_gauge"},
             {"instance", "host-" + std::to_string(i / 10)},
             {"shard", std::to_string(i % 10)},
             {"job", "bench"}});
        refs[i] = app.Append(l, t, values[i]).value();
      } else {
        (void)app.Append(refs[i], t, values[i]);
      }
    }
    if (app.pending() > 50000) (void)app.Commit();
  }
  (void)app.Commit();
  return head;
}

// Shared fixtures, built once.
struct Fixture {
  TempDir dir;
  std::shared_ptr<const Block> first_hour, second_hour;  // Adjacent.
  std::shared_ptr<const Block> full, full_shifted;       // Overlapping.
  int64_t samples_2h = 0;

  Fixture() {
    auto head = SyntheticHead(0, 2 * kHour, 1);
    const std::string d = dir.path();
    first_hour = OpenOrDie(
        JoinPath(d, WriteOrDie(d, {head.get()}, 0, kHour).ulid.ToString()));
    second_hour = OpenOrDie(JoinPath(
        d, WriteOrDie(d, {head.get()}, kHour, 2 * kHour).ulid.ToString()));
    full = OpenOrDie(
        JoinPath(d, WriteOrDie(d, {head.get()}, 0, 2 * kHour).ulid.ToString()));
    samples_2h = static_cast<int64_t>(full->meta().stats.num_samples);
    head.reset();
    // Same series, samples 7.5 s later and other values: merging them
    // with `full` re-encodes every chunk.
    auto shifted = SyntheticHead(kStep / 2, 2 * kHour, 2);
    full_shifted = OpenOrDie(JoinPath(
        d, WriteOrDie(d, {shifted.get()}, 0, 2 * kHour).ulid.ToString()));
  }
};

Fixture& GetFixture() {
  static Fixture* f = new Fixture();
  return *f;
}

// The shared recorded block as Prometheus 2.42 wrote it, and its dense
// copy (BlockWriter with ChunkFormat::kDense: the cold tier), built once.
// `dense_prom_index` is the dense copy with its index decoded back to
// Prometheus's bytes (dense chunks, uncompressed index): against `dense`
// it isolates the cost of the compact index.
struct RecordedFixture {
  TempDir dir;
  std::shared_ptr<const Block> prom, dense, dense_prom_index;
};

// Copies the block at `dir` to `copy_dir` with its index as Prometheus's
// bytes (decoded from the compact form).
std::shared_ptr<const Block> CopyWithPrometheusIndex(const Block& b,
                                                     const std::string& copy) {
  std::filesystem::copy(b.dir(), copy,
                        std::filesystem::copy_options::recursive);
  const std::string_view bytes = b.index_file().PrometheusBytes();
  if (!WriteFileAtomically(FileSystem::Default(), copy + "/index", bytes)
           .ok()) {
    std::abort();
  }
  return OpenOrDie(copy);
}

// The block of a BM_DashboardQuery / BM_PostingsQuery argument.
const std::shared_ptr<const Block>& BlockOfArg(const RecordedFixture& rf,
                                               int64_t arg,
                                               benchmark::State* state) {
  static const char* const kNames[] = {"xor", "dense",
                                       "dense-prometheus-index"};
  state->SetLabel(kNames[arg]);
  return arg == 0 ? rf.prom : arg == 1 ? rf.dense : rf.dense_prom_index;
}

// Null if the dataset is missing or does not unpack.
RecordedFixture* GetRecordedFixture() {
  static RecordedFixture* f = []() -> RecordedFixture* {
    const std::string ds =
        SourceDir() +
        "/../shared/datasets/recorded-15s/prometheus-blocks.tar.zst";
    if (!std::filesystem::exists(ds)) return nullptr;
    auto* rf = new RecordedFixture();
    const std::string prom_dir = rf->dir.path() + "/prom";
    std::filesystem::create_directories(prom_dir);
    const std::string cmd =
        "zstd -dc '" + ds + "' | tar -x -C '" + prom_dir + "'";
    if (std::system(cmd.c_str()) != 0) return nullptr;
    auto names = ListBlockDirs(FileSystem::Default(), prom_dir);
    if (!names.ok() || names->empty()) return nullptr;
    rf->prom = OpenOrDie(JoinPath(prom_dir, names->front()));
    const std::string dense_dir = rf->dir.path() + "/dense";
    BlockWriterOptions o;
    o.chunk_format = ChunkFormat::kDense;
    BlockWriter w(FileSystem::Default(), dense_dir, o);
    std::vector<BlockMeta> parents = {rf->prom->meta()};
    const BlockCompaction c = CompactionFromParents(parents);
    const BlockReader* src = rf->prom.get();
    auto meta = w.Write({&src, 1}, rf->prom->meta().min_time,
                        rf->prom->meta().max_time, &c);
    if (!meta.ok()) return nullptr;
    rf->dense = OpenOrDie(JoinPath(dense_dir, meta->ulid.ToString()));
    rf->dense_prom_index = CopyWithPrometheusIndex(
        *rf->dense, rf->dir.path() + "/dense-prometheus-index");
    return rf;
  }();
  return f;
}

// The recorded fixture, or null after marking `state` skipped.
RecordedFixture* RecordedFixtureOrSkip(benchmark::State* state) {
  RecordedFixture* rf = GetRecordedFixture();
  if (rf == nullptr) {
    state->SkipWithError("shared dataset not found or not unpacked");
  }
  return rf;
}

void BM_BytesPerSample(benchmark::State& state) {
  RecordedFixture* rf = RecordedFixtureOrSkip(&state);
  if (rf == nullptr) return;
  TempDir dir;
  const std::shared_ptr<const Block>& prom = rf->prom;
  const double samples = static_cast<double>(prom->meta().stats.num_samples);

  // The same samples, bit for bit (staleness markers included), through a
  // Strata head and BlockWriter.
  Head head{HeadOptions{}};
  {
    BlockQuerier q({prom}, kMinTime, kMaxTime);
    struct S {
      int64_t t;
      double v;
      size_t series;
    };
    std::vector<Labels> labels;
    std::vector<S> all;
    auto set = q.Select(
        {Matcher::Create(Matcher::Type::kRegexMatch, kMetricNameLabel, ".+")
             .value()},
        SelectHints{});
    while (set->Next()) {
      labels.push_back(set->At().labels());
      auto it = set->At().NewIterator();
      while (it->Next()) all.push_back({it->t(), it->v(), labels.size() - 1});
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const S& a, const S& b) { return a.t < b.t; });
    HeadAppender app(&head, nullptr);
    for (const S& s : all) (void)app.Append(labels[s.series], s.t, s.v);
    (void)app.Commit();
  }
  const std::string strata_dir = dir.path() + "/strata";
  int64_t strata_bytes = 0, index_bytes = 0;
  for (auto _ : state) {
    BlockMeta meta = WriteOrDie(strata_dir, {&head}, prom->meta().min_time,
                                prom->meta().max_time);
    auto b = OpenOrDie(JoinPath(strata_dir, meta.ulid.ToString()));
    strata_bytes = b->Size();
    index_bytes = b->index_file().FileSize();
    std::filesystem::remove_all(b->dir());
  }
  state.counters["prom_bytes_per_sample"] =
      static_cast<double>(prom->Size()) / samples;
  state.counters["strata_bytes_per_sample"] =
      static_cast<double>(strata_bytes) / samples;
  state.counters["prom_index_bytes"] =
      static_cast<double>(prom->index_file().FileSize());
  state.counters["strata_index_bytes"] = static_cast<double>(index_bytes);
  state.counters["prom_chunk_bytes"] =
      static_cast<double>(prom->chunk_files().Size());
  state.counters["dense_bytes_per_sample"] =
      static_cast<double>(rf->dense->Size()) / samples;
  state.counters["dense_chunk_bytes"] =
      static_cast<double>(rf->dense->chunk_files().Size());
  state.counters["dense_index_bytes"] =
      static_cast<double>(rf->dense->index_file().FileSize());
  state.counters["samples"] = samples;
}
BENCHMARK(BM_BytesPerSample)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_DashboardQuery(benchmark::State& state) {
  RecordedFixture* rf = RecordedFixtureOrSkip(&state);
  if (rf == nullptr) return;
  const std::shared_ptr<const Block>& block =
      BlockOfArg(*rf, state.range(0), &state);
  const int64_t maxt = block->MaxTime();
  const int64_t mint = maxt - state.range(1) * 60 * 1000;
  auto names = block->Index().LabelValues(kMetricNameLabel);
  if (!names.ok()) {
    state.SkipWithError(names.status().ToString().c_str());
    return;
  }
  int64_t samples = 0;
  double sum = 0;
  for (auto _ : state) {
    BlockQuerier q({block}, mint, maxt);
    for (const std::string& name : *names) {
      auto set =
          q.Select({Matcher::Equal(kMetricNameLabel, name)}, SelectHints{});
      while (set->Next()) {
        auto it = set->At().NewIterator();
        while (it->Next()) {
          sum += it->v();
          ++samples;
        }
      }
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(samples);
  state.counters["metrics"] = static_cast<double>(names->size());
}
BENCHMARK(BM_DashboardQuery)
    ->ArgNames({"dense", "minutes"})
    ->Args({0, 15})
    ->Args({1, 15})
    ->Args({2, 15})
    ->Args({0, 60})
    ->Args({1, 60})
    ->Args({2, 60})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Postings-heavy: every label pair's postings list (each name's values in
// one PostingsFor), then two regex selections resolving series labels and
// chunk metas only (no chunk read). Items = series resolved.
void BM_PostingsQuery(benchmark::State& state) {
  RecordedFixture* rf = RecordedFixtureOrSkip(&state);
  if (rf == nullptr) return;
  const std::shared_ptr<const Block>& block =
      BlockOfArg(*rf, state.range(0), &state);
  const IndexReader& index = block->Index();
  const std::vector<std::vector<Matcher>> selections = {
      {Matcher::Create(Matcher::Type::kRegexMatch, kMetricNameLabel, ".+")
           .value()},
      {Matcher::Create(Matcher::Type::kRegexMatch, "job", "node|prometheus")
           .value(),
       Matcher::Create(Matcher::Type::kRegexMatch, kMetricNameLabel,
                       ".*_(total|bytes)")
           .value()}};
  int64_t series = 0;
  for (auto _ : state) {
    auto names = index.LabelNames();
    for (const std::string& name : *names) {
      auto values = index.LabelValues(name);
      auto p = index.PostingsFor(name, *values);
      series += static_cast<int64_t>(p->cardinality());
    }
    BlockQuerier q({block}, kMinTime, kMaxTime);
    for (const auto& matchers : selections) {
      auto set = q.Select(matchers, SelectHints{});
      while (set->Next()) ++series;
    }
  }
  state.SetItemsProcessed(series);
}
BENCHMARK(BM_PostingsQuery)
    ->ArgName("block")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// Opening the index of the recorded block: Prometheus's (mapped, tables
// loaded) and the compact one (CRC, zstd decoding, then the same).
void BM_IndexOpen(benchmark::State& state) {
  RecordedFixture* rf = RecordedFixtureOrSkip(&state);
  if (rf == nullptr) return;
  const Block& block = *BlockOfArg(*rf, state.range(0), &state);
  const std::string path = block.dir() + "/index";
  for (auto _ : state) {
    auto r = IndexFileReader::Open(FileSystem::Default(), path);
    if (!r.ok()) std::abort();
    benchmark::DoNotOptimize(r->get());
  }
}
BENCHMARK(BM_IndexOpen)
    ->ArgName("block")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond);

void Compact(benchmark::State& state, std::shared_ptr<const Block> a,
             std::shared_ptr<const Block> b) {
  TempDir out;
  std::vector<BlockMeta> parents = {a->meta(), b->meta()};
  BlockCompaction c = CompactionFromParents(parents);
  int64_t samples = 0;
  BlockWriter w(FileSystem::Default(), out.path());
  for (auto _ : state) {
    const BlockReader* srcs[] = {a.get(), b.get()};
    auto meta = w.Write(srcs, std::min(a->MinTime(), b->MinTime()),
                        std::max(a->MaxTime(), b->MaxTime()) + 1, &c);
    if (!meta.ok()) {
      state.SkipWithError(meta.status().ToString().c_str());
      return;
    }
    samples += static_cast<int64_t>(meta->stats.num_samples);
    state.PauseTiming();
    std::filesystem::remove_all(JoinPath(out.path(), meta->ulid.ToString()));
    state.ResumeTiming();
  }
  state.SetItemsProcessed(samples);
  state.counters["chunks_copied"] =
      static_cast<double>(w.last_stats().chunks_copied);
  state.counters["chunks_reencoded"] =
      static_cast<double>(w.last_stats().chunks_reencoded);
}

void BM_CompactAdjacent(benchmark::State& state) {
  Fixture& f = GetFixture();
  Compact(state, f.first_hour, f.second_hour);
}
BENCHMARK(BM_CompactAdjacent)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CompactOverlapping(benchmark::State& state) {
  Fixture& f = GetFixture();
  Compact(state, f.full, f.full_shifted);
}
BENCHMARK(BM_CompactOverlapping)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Select(benchmark::State& state) {
  Fixture& f = GetFixture();
  int64_t samples = 0;
  double sum = 0;
  for (auto _ : state) {
    BlockQuerier q({f.full}, 0, 2 * kHour - 1);
    auto set = q.Select({Matcher::Equal("job", "bench")}, SelectHints{});
    int64_t series = 0;
    while (set->Next()) {
      ++series;
      auto it = set->At().NewIterator();
      while (it->Next()) {
        sum += it->v();
        ++samples;
      }
    }
    if (series != kSeries) state.SkipWithError("wrong series count");
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(samples);
  state.counters["samples_per_query"] = static_cast<double>(f.samples_2h);
}
// 1, 2 and 4 concurrent readers of the same block, each with its own
// querier; items/s is the total over the readers.
BENCHMARK(BM_Select)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->ThreadRange(1, 4);

void BM_ReadBatch(benchmark::State& state) {
  Fixture& f = GetFixture();
  ChunkReaderOptions opts;
  opts.io_mode =
      state.range(0) == 0 ? ChunkIoMode::kUring : ChunkIoMode::kPread;
  auto reader = ChunkFileReader::Open(
      FileSystem::Default(), JoinPath(f.full->dir(), kChunksDirName), opts);
  if (!reader.ok()) {
    state.SkipWithError(reader.status().ToString().c_str());
    return;
  }
  state.SetLabel((*reader)->io_mode_name());
  std::vector<ChunkMeta> metas;
  (void)(*reader)->ForEachChunk([&metas](uint64_t ref, const ChunkBytes&) {
    metas.push_back({ref, 0, 0});
    return Status::OK();
  });
  std::vector<ChunkBytes> out;
  int64_t chunks = 0, bytes = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < metas.size(); i += 1024) {
      const size_t n = std::min<size_t>(1024, metas.size() - i);
      Status s = (*reader)->ReadBatch(
          std::span<const ChunkMeta>(metas).subspan(i, n), &out);
      if (!s.ok()) {
        state.SkipWithError(s.ToString().c_str());
        return;
      }
      for (const ChunkBytes& c : out)
        bytes += static_cast<int64_t>(c.data.size());
      chunks += static_cast<int64_t>(n);
    }
  }
  state.SetItemsProcessed(chunks);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_ReadBatch)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace strata

BENCHMARK_MAIN();
