// bench-deps: strata_chunk strata_block strata_util
//
// XOR chunk encode/decode throughput in samples per second on
//   - real 15 s scrape data: every chunk of the shared Prometheus 2.42 block
//     (../shared/datasets/recorded-15s), or a synthetic counter/gauge mix
//     when the dataset is absent;
//   - random 64-bit value patterns (the worst case for XOR compression).
#include <benchmark/benchmark.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "chunk/dataset_chunks.h"
#include "chunk/encoding.h"
#include "chunk/xor_chunk.h"
#include "chunk/xor_iterator.h"

namespace strata::chunk {
namespace {

using Series = testing::ChunkSamples;

struct Corpus {
  std::string name;
  std::vector<std::string> chunks;  // Encoded chunk data.
  std::vector<Series> samples;      // The same samples, decoded.
  int64_t total_samples = 0;
  int64_t total_bytes = 0;
};

// The XOR chunks of the shared recorded block (dataset_chunks.h); empty
// without the dataset.
std::vector<std::string> LoadRecordedChunks() {
  // $STRATA_SOURCE_DIR, else the source tree this file was compiled from.
  const char* src = std::getenv("STRATA_SOURCE_DIR");
  const std::string root = src != nullptr ? src : STRATA_BENCH_SOURCE_DIR;
  testing::Dataset dataset;
  std::vector<std::string> chunks;
  if (!testing::LoadDataset(root + "/../shared", &dataset).ok()) return chunks;
  for (testing::DatasetChunk& chunk : dataset.chunks) {
    if (chunk.encoding == static_cast<uint8_t>(Encoding::kXor)) {
      chunks.push_back(std::move(chunk.data));
    }
  }
  return chunks;
}

Corpus FromSeries(std::string name, std::vector<Series> all) {
  Corpus c;
  c.name = std::move(name);
  for (const Series& s : all) {
    XorChunk chunk;
    auto app = chunk.NewAppender();
    for (size_t i = 0; i < s.t.size(); ++i) app->Append(s.t[i], s.v[i]);
    c.chunks.emplace_back(chunk.Bytes());
  }
  c.samples = std::move(all);
  return c;
}

Corpus FromChunks(std::string name, std::vector<std::string> chunks) {
  Corpus c;
  c.name = std::move(name);
  c.chunks = std::move(chunks);
  for (const std::string& data : c.chunks) {
    c.samples.push_back(testing::DecodeXorSamples(data));
  }
  return c;
}

Corpus Finish(Corpus c) {
  for (const Series& s : c.samples) c.total_samples += s.t.size();
  for (const std::string& d : c.chunks) c.total_bytes += d.size();
  return c;
}

const Corpus& Realistic() {
  static const Corpus corpus = [] {
    std::vector<std::string> chunks = LoadRecordedChunks();
    if (!chunks.empty()) {
      return Finish(FromChunks("recorded-15s", std::move(chunks)));
    }
    // Synthetic fallback: counters and gauges scraped every 15 s.
    std::mt19937_64 rng(15);
    std::vector<Series> all;
    for (int k = 0; k < 3000; ++k) {
      Series s;
      int64_t t = 1795620464632 + static_cast<int64_t>(rng() % 15000);
      double v = static_cast<double>(rng() % 100000);
      for (int i = 0; i < 120; ++i) {
        t += 15000 + static_cast<int64_t>(rng() % 5) - 2;
        if (k % 2 == 0) {
          v += static_cast<double>(rng() % 20);  // Counter.
        } else {
          v = std::round(std::sin(i / 10.0 + k) * 1000) / 4;  // Gauge.
        }
        s.t.push_back(t);
        s.v.push_back(v);
      }
      all.push_back(std::move(s));
    }
    return Finish(FromSeries("synthetic-15s", std::move(all)));
  }();
  return corpus;
}

const Corpus& Random() {
  static const Corpus corpus = [] {
    std::mt19937_64 rng(64);
    std::vector<Series> all;
    for (int k = 0; k < 1000; ++k) {
      Series s;
      for (int i = 0; i < 120; ++i) {
        s.t.push_back(1795620464632 + i * 15000);
        s.v.push_back(std::bit_cast<double>(rng()));
      }
      all.push_back(std::move(s));
    }
    return Finish(FromSeries("random-bits", std::move(all)));
  }();
  return corpus;
}

void Decode(benchmark::State& state, const Corpus& c) {
  state.SetLabel(c.name);
  for (auto _ : state) {
    int64_t sum_t = 0;
    double sum_v = 0;
    for (const std::string& data : c.chunks) {
      XorIterator it(data);
      while (it.Next()) {
        sum_t += it.t();
        sum_v += it.v();
      }
    }
    benchmark::DoNotOptimize(sum_t);
    benchmark::DoNotOptimize(sum_v);
  }
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(c.total_samples),
                         benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes/sample"] =
      static_cast<double>(c.total_bytes) / static_cast<double>(c.total_samples);
}

// Whole chunks through NextBatch, as a query that buffers samples would.
void DecodeBatch(benchmark::State& state, const Corpus& c) {
  state.SetLabel(c.name);
  std::vector<int64_t> ts(xor_format::kMaxSamples);
  std::vector<double> vs(xor_format::kMaxSamples);
  for (auto _ : state) {
    int64_t sum_t = 0;
    double sum_v = 0;
    for (const std::string& data : c.chunks) {
      XorIterator it(data);
      const size_t n = it.NextBatch(ts.data(), vs.data(), ts.size());
      sum_t += ts[n - 1];
      sum_v += vs[n - 1];
    }
    benchmark::DoNotOptimize(sum_t);
    benchmark::DoNotOptimize(sum_v);
  }
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(c.total_samples),
                         benchmark::Counter::kIsIterationInvariantRate);
}

void Encode(benchmark::State& state, const Corpus& c) {
  state.SetLabel(c.name);
  for (auto _ : state) {
    size_t bytes = 0;
    for (const Series& s : c.samples) {
      XorChunk chunk;
      auto app = chunk.NewAppender();
      for (size_t i = 0; i < s.t.size(); ++i) app->Append(s.t[i], s.v[i]);
      bytes += chunk.Bytes().size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(c.total_samples),
                         benchmark::Counter::kIsIterationInvariantRate);
}

void BM_XorDecodeRealistic(benchmark::State& state) {
  Decode(state, Realistic());
}
void BM_XorDecodeRandom(benchmark::State& state) { Decode(state, Random()); }
void BM_XorDecodeBatchRealistic(benchmark::State& state) {
  DecodeBatch(state, Realistic());
}
void BM_XorDecodeBatchRandom(benchmark::State& state) {
  DecodeBatch(state, Random());
}
void BM_XorEncodeRealistic(benchmark::State& state) {
  Encode(state, Realistic());
}
void BM_XorEncodeRandom(benchmark::State& state) { Encode(state, Random()); }

BENCHMARK(BM_XorDecodeRealistic);
BENCHMARK(BM_XorDecodeRandom);
BENCHMARK(BM_XorDecodeBatchRealistic);
BENCHMARK(BM_XorDecodeBatchRandom);
BENCHMARK(BM_XorEncodeRealistic);
BENCHMARK(BM_XorEncodeRandom);

}  // namespace
}  // namespace strata::chunk

BENCHMARK_MAIN();
