// bench-deps: strata_chunk strata_block strata_util
//
// Dense chunks (lib/chunk/dense_chunk.h) against XOR on every chunk of the
// shared recorded block (../shared/datasets/recorded-15s, written by
// Prometheus 2.42, read with the block chunk reader):
//   - BM_Size: bytes per sample of the chunk data, XOR and dense, and of the
//     whole block (chunk segments with their framing, index, meta.json,
//     tombstones) as Prometheus wrote it and with dense chunks instead;
//     chunks and samples per value coding.
//   - BM_{Xor,Dense}Decode: every chunk decoded whole into arrays (XOR with
//     NextBatch), each codec's chunks read from one buffer in block order
//     like a memory-mapped segment file; items = samples.
//   - BM_{Xor,Dense}Encode: every series chunk encoded; items = samples.
// $STRATA_SOURCE_DIR/../shared, else the source tree's ../shared; the
// benchmarks fail without the dataset.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "chunk/dataset_chunks.h"
#include "chunk/dense_chunk.h"
#include "chunk/dense_format.h"
#include "chunk/xor_chunk.h"
#include "chunk/xor_iterator.h"
#include "util/coding.h"

namespace strata::chunk {
namespace {

// Chunks one after the other in one buffer, as a block's chunk segment
// file holds them (and a reader sees them, memory-mapped): both decoders
// read their chunks from such a layout, not from separate heap strings.
struct Segment {
  std::string bytes;
  std::vector<std::string_view> chunks;

  static Segment Of(const std::vector<std::string_view>& data) {
    Segment s;
    for (std::string_view d : data) s.bytes.append(d);
    size_t offset = 0;
    for (std::string_view d : data) {
      s.chunks.push_back(std::string_view(s.bytes).substr(offset, d.size()));
      offset += d.size();
    }
    return s;
  }
};

struct Corpus {
  Status status;
  testing::Dataset dataset;
  std::vector<testing::ChunkSamples> series;  // One per chunk.
  std::vector<std::string> dense;             // The same chunks, dense.
  Segment xor_segment;                        // dataset.chunks' data.
  Segment dense_segment;                      // dense.
  int64_t samples = 0;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    const char* src = std::getenv("STRATA_SOURCE_DIR");
    const std::string root = src != nullptr ? src : STRATA_BENCH_SOURCE_DIR;
    c->status = testing::LoadDataset(root + "/../shared", &c->dataset);
    for (const testing::DatasetChunk& chunk : c->dataset.chunks) {
      testing::ChunkSamples s = testing::DecodeXorSamples(chunk.data);
      c->samples += static_cast<int64_t>(s.t.size());
      c->dense.push_back(EncodeDenseChunk(s.t, s.v));
      c->series.push_back(std::move(s));
    }
    std::vector<std::string_view> xor_data;
    for (const testing::DatasetChunk& chunk : c->dataset.chunks) {
      xor_data.push_back(chunk.data);
    }
    c->xor_segment = Segment::Of(xor_data);
    c->dense_segment = Segment::Of(
        std::vector<std::string_view>(c->dense.begin(), c->dense.end()));
    return c;
  }();
  return *corpus;
}

bool Ready(benchmark::State& state, const Corpus& c) {
  if (c.status.ok()) return true;
  state.SkipWithError(c.status.ToString().c_str());
  return false;
}

void SetRate(benchmark::State& state, const Corpus& c) {
  state.SetItemsProcessed(state.iterations() * c.samples);
}

// Segment framing of one chunk: uvarint length, encoding byte, CRC32C.
int64_t FramedSize(size_t data_size) {
  return UvarintLength(data_size) + 1 + static_cast<int64_t>(data_size) + 4;
}

void BM_Size(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  if (!Ready(state, c)) return;
  int64_t xor_data = 0, dense_data = 0, xor_framed = 0, dense_framed = 0;
  int64_t mode_chunks[dense_format::kMaxValueMode + 1] = {};
  int64_t mode_samples[dense_format::kMaxValueMode + 1] = {};
  int64_t mode_bytes[dense_format::kMaxValueMode + 1] = {};
  for (auto _ : state) {
    for (size_t i = 0; i < c.dense.size(); ++i) {
      xor_data += static_cast<int64_t>(c.dataset.chunks[i].data.size());
      dense_data += static_cast<int64_t>(c.dense[i].size());
      xor_framed += FramedSize(c.dataset.chunks[i].data.size());
      dense_framed += FramedSize(c.dense[i].size());
      const int mode = DenseValueMode(c.dense[i]);
      ++mode_chunks[mode];
      mode_samples[mode] += static_cast<int64_t>(c.series[i].t.size());
      mode_bytes[mode] += static_cast<int64_t>(c.dense[i].size());
    }
  }
  const auto per_sample = [&c, &state](int64_t bytes) {
    return static_cast<double>(bytes) / static_cast<double>(c.samples) /
           static_cast<double>(state.iterations());
  };
  const int64_t it = static_cast<int64_t>(state.iterations());
  const testing::Dataset& d = c.dataset;
  // The segment files hold the framed chunks plus their headers.
  const int64_t segment_overhead = d.chunk_file_bytes - xor_framed / it;
  const int64_t rest = d.index_bytes + d.other_bytes + segment_overhead;
  state.counters["samples"] = static_cast<double>(c.samples);
  state.counters["chunks"] = static_cast<double>(c.dense.size());
  state.counters["xor_data_B/sample"] = per_sample(xor_data);
  state.counters["dense_data_B/sample"] = per_sample(dense_data);
  state.counters["dense/xor_data"] =
      static_cast<double>(dense_data) / static_cast<double>(xor_data);
  state.counters["prom_block_B/sample"] = per_sample(xor_framed + rest * it);
  state.counters["dense_block_B/sample"] = per_sample(dense_framed + rest * it);
  state.counters["index_B/sample"] = per_sample(d.index_bytes * it);
  const char* names[] = {"decimal_for", "decimal_delta", "xor", "raw"};
  for (int m = 0; m <= dense_format::kMaxValueMode; ++m) {
    state.counters[std::string(names[m]) + "_chunks"] =
        static_cast<double>(mode_chunks[m] / it);
    state.counters[std::string(names[m]) + "_B/sample"] =
        mode_samples[m] == 0 ? 0
                             : static_cast<double>(mode_bytes[m]) /
                                   static_cast<double>(mode_samples[m]);
  }
}
BENCHMARK(BM_Size)->Iterations(1);

void BM_XorDecode(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  if (!Ready(state, c)) return;
  std::vector<int64_t> ts(dense_format::kMaxSamples);
  std::vector<double> vs(dense_format::kMaxSamples);
  for (auto _ : state) {
    for (std::string_view chunk : c.xor_segment.chunks) {
      XorIterator it(chunk);
      const size_t n = it.NextBatch(ts.data(), vs.data(), ts.size());
      benchmark::DoNotOptimize(ts[n - 1]);
      benchmark::DoNotOptimize(vs[n - 1]);
    }
  }
  SetRate(state, c);
}
BENCHMARK(BM_XorDecode);

void BM_DenseDecode(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  if (!Ready(state, c)) return;
  std::vector<int64_t> ts(dense_format::kMaxSamples);
  std::vector<double> vs(dense_format::kMaxSamples);
  for (auto _ : state) {
    for (std::string_view data : c.dense_segment.chunks) {
      const auto n = static_cast<size_t>(DenseNumSamples(data));
      const char* err = DecodeDenseChunk(data, std::span(ts).first(n),
                                         std::span(vs).first(n));
      if (err != nullptr) {
        state.SkipWithError(err);
        return;
      }
      benchmark::DoNotOptimize(ts[n - 1]);
      benchmark::DoNotOptimize(vs[n - 1]);
    }
  }
  SetRate(state, c);
}
BENCHMARK(BM_DenseDecode);

void BM_XorEncode(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  if (!Ready(state, c)) return;
  for (auto _ : state) {
    for (const testing::ChunkSamples& s : c.series) {
      XorChunk chunk;
      for (size_t i = 0; i < s.t.size(); ++i) chunk.Append(s.t[i], s.v[i]);
      benchmark::DoNotOptimize(chunk.Bytes().size());
    }
  }
  SetRate(state, c);
}
BENCHMARK(BM_XorEncode);

void BM_DenseEncode(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  if (!Ready(state, c)) return;
  for (auto _ : state) {
    for (const testing::ChunkSamples& s : c.series) {
      benchmark::DoNotOptimize(EncodeDenseChunk(s.t, s.v).size());
    }
  }
  SetRate(state, c);
}
BENCHMARK(BM_DenseEncode);

}  // namespace
}  // namespace strata::chunk

BENCHMARK_MAIN();
