// XorChunk::State and XorChunk::Resume: an open chunk saved as bytes plus
// encoder state continues exactly as if it had never been interrupted.
#include <bit>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "chunk/xor_chunk.h"
#include "gtest/gtest.h"

namespace strata::chunk {
namespace {

struct Sample {
  int64_t t;
  double v;
};

// Timestamps with regular steps, jitter and jumps; values constant,
// counting, random bit patterns and repeats, so every encoder branch and
// both trailing-byte cases occur.
std::vector<Sample> RandomSeries(std::mt19937_64& rng, size_t n) {
  std::vector<Sample> out;
  int64_t t = static_cast<int64_t>(rng() % 1000000) - 500000;
  double v = 0;
  for (size_t i = 0; i < n; ++i) {
    switch (rng() % 5) {
      case 0:
        t += static_cast<int64_t>(rng() % (1 << 22));
        break;
      case 1:
        t += 15000 + static_cast<int64_t>(rng() % 7) - 3;
        break;
      default:
        t += 15000;
    }
    switch (rng() % 4) {
      case 0:
        v = std::bit_cast<double>(rng());
        break;
      case 1:
        v += 1;
        break;
      default:
        break;  // Repeat.
    }
    out.push_back({t, v});
  }
  return out;
}

XorChunk Encode(const std::vector<Sample>& s, size_t n) {
  XorChunk c;
  for (size_t i = 0; i < n; ++i) c.Append(s[i].t, s[i].v);
  return c;
}

TEST(XorResumeStateTest, ResumedChunkEqualsUninterruptedAppend) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 60; ++round) {
    const std::vector<Sample> s = RandomSeries(rng, 1 + rng() % 240);
    const std::string whole(Encode(s, s.size()).Bytes());
    for (size_t k = 1; k <= s.size(); ++k) {
      const XorChunk prefix = Encode(s, k);
      // A plain copy of the bytes, as a snapshot file hands them back.
      const std::string bytes(prefix.Bytes());
      std::optional<XorChunk> c = XorChunk::Resume(bytes, prefix.State());
      ASSERT_TRUE(c.has_value()) << k;
      EXPECT_EQ(c->NumSamples(), static_cast<int>(k));
      EXPECT_EQ(c->last_t(), s[k - 1].t);
      for (size_t i = k; i < s.size(); ++i) c->Append(s[i].t, s[i].v);
      ASSERT_EQ(std::string(c->Bytes()), whole)
          << "round " << round << " k " << k;
    }
  }
}

TEST(XorResumeStateTest, RefusesStateThatDoesNotFitTheBytes) {
  XorChunk c;
  c.Append(1000, 1.5);
  c.Append(2000, 2.5);
  const std::string bytes(c.Bytes());
  const XorChunk::AppendState good = c.State();
  ASSERT_TRUE(XorChunk::Resume(bytes, good).has_value());

  XorChunk::AppendState bad = good;
  bad.num = 3;  // The header says 2.
  EXPECT_FALSE(XorChunk::Resume(bytes, bad).has_value());
  bad = good;
  bad.num = 0;
  EXPECT_FALSE(XorChunk::Resume(bytes, bad).has_value());
  bad = good;
  bad.free_bits = 9;
  EXPECT_FALSE(XorChunk::Resume(bytes, bad).has_value());
  bad = good;
  bad.leading = 40;
  EXPECT_FALSE(XorChunk::Resume(bytes, bad).has_value());
  bad = good;
  bad.trailing = 64;
  EXPECT_FALSE(XorChunk::Resume(bytes, bad).has_value());
  EXPECT_FALSE(XorChunk::Resume(bytes.substr(0, 5), good).has_value());
}

}  // namespace
}  // namespace strata::chunk
