// The one dispatch on a chunk's encoding byte (chunk_decoding.h): XOR and
// dense chunks iterate alike (Next, Seek, NextBatch), unknown encodings
// and damaged dense chunks are errors, and the cold-block choice falls
// back to XOR when dense is not smaller.
#include "chunk/chunk_decoding.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "chunk/dense_chunk.h"
#include "chunk/encoding.h"
#include "chunk/histogram_chunk.h"

namespace strata::chunk {
namespace {

constexpr uint8_t kXorByte = static_cast<uint8_t>(Encoding::kXor);
constexpr uint8_t kDenseByte = static_cast<uint8_t>(Encoding::kDense);

struct Samples {
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

// A scrape-like counter: 15 s apart with jitter, small increments.
Samples Counter(int n) {
  Samples s;
  double v = 1000;
  for (int i = 0; i < n; ++i) {
    s.ts.push_back(1795620000000 + i * 15000 + (i % 7 == 3 ? 2 : 0));
    v += i % 5;
    s.vs.push_back(v);
  }
  return s;
}

std::vector<uint64_t> Bits(const std::vector<double>& vs) {
  std::vector<uint64_t> out;
  for (double v : vs) out.push_back(std::bit_cast<uint64_t>(v));
  return out;
}

TEST(ChunkDecodingTest, XorAndDenseIterateAlike) {
  const Samples s = Counter(120);
  const std::string xor_data = EncodeXorChunk(s.ts, s.vs);
  const std::string dense_data = EncodeDenseChunk(s.ts, s.vs);
  for (auto [enc, data] :
       {std::pair{kXorByte, std::string_view(xor_data)},
        std::pair{kDenseByte, std::string_view(dense_data)}}) {
    SCOPED_TRACE(static_cast<int>(enc));
    EXPECT_EQ(ChunkNumSamples(enc, data), 120);
    ChunkSampleIterator it;
    it.Reset(enc, data);
    // Seek into the middle, never backwards, then Next to the end.
    ASSERT_TRUE(it.Seek(s.ts[40] - 1));
    EXPECT_EQ(it.t(), s.ts[40]);
    ASSERT_TRUE(it.Seek(s.ts[10]));
    EXPECT_EQ(it.t(), s.ts[40]);
    EXPECT_EQ(it.num_read(), 41);
    int n = 41;
    while (it.Next()) {
      EXPECT_EQ(it.t(), s.ts[n]);
      EXPECT_EQ(std::bit_cast<uint64_t>(it.v()),
                std::bit_cast<uint64_t>(s.vs[n]));
      ++n;
    }
    EXPECT_EQ(n, 120);
    EXPECT_FALSE(it.error());
    EXPECT_FALSE(it.Seek(s.ts.back() + 1));
    // Whole chunk at once.
    std::vector<int64_t> ts;
    std::vector<double> vs;
    EXPECT_EQ(DecodeChunk(enc, data, &ts, &vs), nullptr);
    EXPECT_EQ(ts, s.ts);
    EXPECT_EQ(Bits(vs), Bits(s.vs));
    const ChunkSummary sum = SummarizeChunk(enc, data);
    EXPECT_EQ(sum.num_samples, 120);
    EXPECT_EQ(sum.first, s.ts.front());
    EXPECT_EQ(sum.last, s.ts.back());
    EXPECT_TRUE(sum.increasing);
    EXPECT_TRUE(sum.error.empty());
  }
}

// Histogram chunks yield histograms, never floats: the float-only paths
// (NextBatch, DecodeChunk) refuse them.
TEST(ChunkDecodingTest, HistogramChunksYieldHistograms) {
  HistogramChunk c;
  for (int i = 1; i <= 5; ++i) {
    Histogram h;
    h.count = static_cast<uint64_t>(i);
    h.sum = i * 0.25;
    h.positive_spans = {{0, 1}};
    h.positive_buckets = {i};
    c.Append(i * 1000, h);
  }
  ChunkSampleIterator it;
  it.Reset(2, c.Bytes());
  ASSERT_TRUE(it.Seek(3000));
  EXPECT_EQ(it.t(), 3000);
  EXPECT_EQ(it.histogram().count, 3u);
  EXPECT_EQ(it.float_histogram().sum, 0.75);
  int n = 1;
  while (it.Next()) ++n;
  EXPECT_EQ(n, 3);
  EXPECT_FALSE(it.error());
  EXPECT_EQ(SummarizeChunk(2, c.Bytes()).num_samples, 5);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  EXPECT_NE(DecodeChunk(2, c.Bytes(), &ts, &vs), nullptr);
  EXPECT_TRUE(vs.empty());
}

TEST(ChunkDecodingTest, UnknownEncodingAndDamagedDenseAreErrors) {
  const Samples s = Counter(50);
  const std::string dense = EncodeDenseChunk(s.ts, s.vs);
  ChunkSampleIterator it;
  it.Reset(0x7f, dense);
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.error());
  EXPECT_EQ(ChunkNumSamples(0x7f, dense), -1);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  EXPECT_NE(DecodeChunk(0x7f, dense, &ts, &vs), nullptr);
  // Every truncation of a dense chunk is an error, never a crash; the
  // iterator can be reused after one.
  for (size_t len = 0; len < dense.size(); ++len) {
    it.Reset(kDenseByte, std::string_view(dense).substr(0, len));
    EXPECT_FALSE(it.Next()) << len;
    EXPECT_TRUE(it.error()) << len;
    EXPECT_FALSE(
        SummarizeChunk(kDenseByte, dense.substr(0, len)).error.empty());
  }
  it.Reset(kDenseByte, dense);
  int n = 0;
  while (it.Next()) ++n;
  EXPECT_EQ(n, 50);
  EXPECT_FALSE(it.error());
}

TEST(ChunkDecodingTest, ColdChunkFallsBackToXorWhenDenseIsNotSmaller) {
  const Samples counter = Counter(120);
  const std::string xor_counter = EncodeXorChunk(counter.ts, counter.vs);
  EncodedChunk e = EncodeColdChunk(counter.ts, counter.vs, xor_counter);
  EXPECT_EQ(e.encoding, kDenseByte);
  EXPECT_LT(e.data.size(), xor_counter.size());
  // Random timestamps and bit patterns: whichever encoding is smaller wins,
  // XOR on ties.
  std::mt19937_64 rng(7);
  Samples noise;
  for (int i = 0; i < 120; ++i) {
    noise.ts.push_back(rng() >> 1);
    noise.vs.push_back(std::bit_cast<double>(rng()));
  }
  const std::string xor_noise = EncodeXorChunk(noise.ts, noise.vs);
  e = EncodeColdChunk(noise.ts, noise.vs, xor_noise);
  const std::string dense_noise = EncodeDenseChunk(noise.ts, noise.vs);
  if (dense_noise.size() < xor_noise.size()) {
    EXPECT_EQ(e.encoding, kDenseByte);
  } else {
    EXPECT_EQ(e.encoding, kXorByte);
    EXPECT_EQ(e.data, xor_noise);
  }
  // One sample: XOR (2 + varint + 8 bytes) is hard to beat.
  const std::vector<int64_t> one_t = {1795620000000};
  const std::vector<double> one_v = {std::bit_cast<double>(0x7ff0000000000002)};
  const std::string xor_one = EncodeXorChunk(one_t, one_v);
  e = EncodeColdChunk(one_t, one_v, xor_one);
  EXPECT_LE(e.data.size(), xor_one.size());
  std::vector<int64_t> ts;
  std::vector<double> vs;
  ASSERT_EQ(DecodeChunk(e.encoding, e.data, &ts, &vs), nullptr);
  EXPECT_EQ(ts, one_t);
  EXPECT_EQ(Bits(vs), Bits(one_v));
}

}  // namespace
}  // namespace strata::chunk
