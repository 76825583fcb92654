#include "chunk/cut_policy.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace strata::chunk {
namespace {

constexpr int64_t kTwoHours = 2 * 3600 * 1000;

std::vector<int64_t> Regular(int64_t start, int64_t step, int n) {
  std::vector<int64_t> ts;
  for (int i = 0; i < n; ++i) ts.push_back(start + i * step);
  return ts;
}

// Sizes of the chunks ChunkStarts produces.
std::vector<size_t> ChunkSizes(const std::vector<int64_t>& ts) {
  const std::vector<size_t> starts = ChunkStarts(ts, kTwoHours);
  std::vector<size_t> sizes;
  for (size_t i = 0; i < starts.size(); ++i) {
    sizes.push_back((i + 1 < starts.size() ? starts[i + 1] : ts.size()) -
                    starts[i]);
  }
  return sizes;
}

TEST(CutPolicyTest, RangeForTimestampUsesTruncatingDivision) {
  EXPECT_EQ(RangeForTimestamp(0, kTwoHours), kTwoHours);
  EXPECT_EQ(RangeForTimestamp(1, kTwoHours), kTwoHours);
  EXPECT_EQ(RangeForTimestamp(kTwoHours - 1, kTwoHours), kTwoHours);
  EXPECT_EQ(RangeForTimestamp(kTwoHours, kTwoHours), 2 * kTwoHours);
  // Go's division truncates toward zero, so (-1 / w) * w == 0.
  EXPECT_EQ(RangeForTimestamp(-1, kTwoHours), kTwoHours);
  EXPECT_EQ(RangeForTimestamp(-kTwoHours, kTwoHours), 0);
  EXPECT_EQ(RangeForTimestamp(-kTwoHours - 1, kTwoHours), 0);
}

TEST(CutPolicyTest, ComputeChunkEndTime) {
  // 30 samples at 15 s fill [0, 435000]: n = 7200000 / (435001 * 4) = 4.
  EXPECT_EQ(ComputeChunkEndTime(0, 435000, kTwoHours), 1800000);
  // n = 7200000 / 116004 = 62 -> 7200000 / 62 = 116129.
  EXPECT_EQ(ComputeChunkEndTime(0, 29000, kTwoHours), 116129);
  // Fewer than two chunks would fit: the range end.
  EXPECT_EQ(ComputeChunkEndTime(0, 1740000, kTwoHours), kTwoHours);
  EXPECT_EQ(ComputeChunkEndTime(5400000, 5835000, kTwoHours), kTwoHours);
}

TEST(CutPolicyTest, FifteenSecondScrapeFillsFourChunksOf120) {
  // [0, 2h) at 15 s: at the 30th sample each chunk predicts a 30-minute
  // span (7200000 / 4, 5400000 / 3, 3600000 / 2, then the range end).
  EXPECT_EQ(ChunkSizes(Regular(0, 15000, 480)),
            (std::vector<size_t>{120, 120, 120, 120}));
  // The next range starts a new chunk at 2h exactly.
  EXPECT_EQ(ChunkSizes(Regular(0, 15000, 481)),
            (std::vector<size_t>{120, 120, 120, 120, 1}));
}

TEST(CutPolicyTest, OneSecondScrape) {
  // Chunk 1: next_at = 0 + 7200000 / 62 = 116129 -> samples 0..116 s.
  // Chunk 2: starts 117000, n = 7083000 / 116004 = 61,
  //   next_at = 117000 + 7083000 / 61 = 233114 -> samples 117..233 s.
  const std::vector<int64_t> ts = Regular(0, 1000, 7200);
  const std::vector<size_t> starts = ChunkStarts(ts, kTwoHours);
  ASSERT_GE(starts.size(), 3u);
  EXPECT_EQ(starts[0], 0u);
  EXPECT_EQ(starts[1], 117u);
  EXPECT_EQ(starts[2], 234u);
  // Chunks never exceed 2 * 120 and never span the 2h boundary.
  size_t total = 0;
  for (size_t size : ChunkSizes(ts)) {
    EXPECT_LE(size, 240u);
    total += size;
  }
  EXPECT_EQ(total, 7200u);
}

TEST(CutPolicyTest, RateIncreaseCutsAt240Samples) {
  // 31 samples 60 s apart: at the 30th the prediction is the range end.
  // Then 1 s samples: nothing cuts on time, so the count rule does at 240.
  std::vector<int64_t> ts = Regular(0, 60000, 31);
  for (int i = 0; i < 600; ++i) ts.push_back(1860000 + i * 1000);
  const std::vector<size_t> sizes = ChunkSizes(ts);
  ASSERT_GE(sizes.size(), 2u);
  EXPECT_EQ(sizes[0], 240u);
  // Next chunk starts at 2069000: n = 5131000 / 116004 = 44,
  // next_at = 2069000 + 116613 -> 117 samples.
  EXPECT_EQ(sizes[1], 117u);
}

TEST(CutPolicyTest, ShouldCutStepByStep) {
  ChunkCutState state;
  OnChunkStarted(&state, 0, kTwoHours);
  EXPECT_EQ(state.next_at, kTwoHours);
  // Samples 1..29 leave next_at alone.
  for (int n = 1; n < 30; ++n) {
    EXPECT_FALSE(
        ShouldCut(&state, n, 0, (n - 1) * 15000, n * 15000, kTwoHours));
    EXPECT_EQ(state.next_at, kTwoHours);
  }
  // The 31st sample: prediction from the 30 samples in [0, 435000].
  EXPECT_FALSE(ShouldCut(&state, 30, 0, 435000, 450000, kTwoHours));
  EXPECT_EQ(state.next_at, 1800000);
  EXPECT_FALSE(ShouldCut(&state, 119, 0, 1770000, 1785000, kTwoHours));
  EXPECT_TRUE(ShouldCut(&state, 120, 0, 1785000, 1800000, kTwoHours));
  // An empty (e.g. restored) chunk takes its range from the sample.
  ChunkCutState fresh;
  EXPECT_FALSE(ShouldCut(&fresh, 0, 0, 0, 3 * kTwoHours + 5, kTwoHours));
  EXPECT_EQ(fresh.next_at, 4 * kTwoHours);
  // The count rule alone.
  ChunkCutState far;
  far.next_at = INT64_MAX;
  EXPECT_FALSE(ShouldCut(&far, 239, 0, 238, 239, kTwoHours));
  EXPECT_TRUE(ShouldCut(&far, 240, 0, 239, 240, kTwoHours));
}

TEST(CutPolicyTest, NegativeTimestamps) {
  // The first chunk at -2h ends at range end 0. Later chunks in (-2h, 0)
  // get range end +2h (truncating division), but their 30-sample
  // predictions still land on 30-minute marks: four chunks of 120.
  EXPECT_EQ(ChunkSizes(Regular(-kTwoHours, 15000, 480)),
            (std::vector<size_t>{120, 120, 120, 120}));
  EXPECT_TRUE(ChunkStarts({}, kTwoHours).empty());
}

}  // namespace
}  // namespace strata::chunk
