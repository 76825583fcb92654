// Dense chunks (lib/chunk/dense_chunk.h): bit-exact round trips of
// hand-picked and randomized adversarial series, the choice of value
// coding, and errors (never crashes) for truncated or corrupted bytes.
#include "chunk/dense_chunk.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "chunk/dense_format.h"
#include "chunk/xor_chunk.h"
#include "gtest/gtest.h"

namespace strata::chunk {
namespace {

constexpr uint64_t kStaleMarker = 0x7ff0000000000002;

struct Series {
  std::vector<int64_t> t;
  std::vector<double> v;
};

double FromBits(uint64_t bits) { return std::bit_cast<double>(bits); }

// Encodes, decodes and compares every timestamp and value bit pattern.
std::string ExpectRoundTrip(const Series& s) {
  const std::string data = EncodeDenseChunk(s.t, s.v);
  EXPECT_EQ(DenseNumSamples(data), static_cast<int>(s.t.size()));
  std::vector<int64_t> t(s.t.size());
  std::vector<double> v(s.v.size());
  const char* err = DecodeDenseChunk(data, t, v);
  EXPECT_EQ(err, nullptr) << err;
  for (size_t i = 0; i < s.t.size(); ++i) {
    if (t[i] != s.t[i] ||
        std::bit_cast<uint64_t>(v[i]) != std::bit_cast<uint64_t>(s.v[i])) {
      ADD_FAILURE() << "sample " << i << " of " << s.t.size() << ": got ("
                    << t[i] << ", " << std::hex << std::bit_cast<uint64_t>(v[i])
                    << "), want (" << std::dec << s.t[i] << ", " << std::hex
                    << std::bit_cast<uint64_t>(s.v[i]) << ")";
      break;
    }
  }
  return data;
}

dense_format::ValueMode ModeOf(const Series& s) {
  const int mode = DenseValueMode(EncodeDenseChunk(s.t, s.v));
  EXPECT_GE(mode, 0);
  return static_cast<dense_format::ValueMode>(mode);
}

Series Regular(int n, int64_t start, int64_t step) {
  Series s;
  for (int i = 0; i < n; ++i) {
    s.t.push_back(start + i * step);
    s.v.push_back(i);
  }
  return s;
}

TEST(DenseChunkTest, EmptyChunk) {
  const std::string data = ExpectRoundTrip(Series{});
  EXPECT_EQ(data, std::string(1, '\0'));
}

TEST(DenseChunkTest, OneSampleOfEverySpecialValue) {
  for (uint64_t bits :
       {kStaleMarker, uint64_t{0x7ff8000000000001},
        uint64_t{0xfff8000000000000}, uint64_t{0x7ff0000000000001},
        std::bit_cast<uint64_t>(-0.0), std::bit_cast<uint64_t>(0.0),
        std::bit_cast<uint64_t>(HUGE_VAL), std::bit_cast<uint64_t>(-HUGE_VAL),
        uint64_t{1}, std::bit_cast<uint64_t>(1.5)}) {
    ExpectRoundTrip({{1795620464632}, {FromBits(bits)}});
  }
  ExpectRoundTrip({{std::numeric_limits<int64_t>::min()}, {1}});
  ExpectRoundTrip({{std::numeric_limits<int64_t>::max()}, {1}});
}

TEST(DenseChunkTest, FullScrapeChunkOfACounterIsSmall) {
  Series s = Regular(120, 1795620464632, 15000);
  for (int i = 0; i < 120; ++i) s.v[i] = 1000 + 3 * i;
  const std::string data = ExpectRoundTrip(s);
  // Count, anchor, interval, one width-0 offset block, mode, exponent,
  // first value, one width-0 delta block, exception count: 21 bytes
  // where the XOR chunk takes about 60.
  EXPECT_EQ(data.size(), 21u);
  EXPECT_EQ(ModeOf(s), dense_format::ValueMode::kDecimalDelta);
}

// The decoder converts runs of equal differences without the scalar
// int64 conversion only while every decimal is below 2^51 and the step
// below 2^44; runs that cross those limits take the exact slow path.
TEST(DenseChunkTest, DeltaRunsAcrossTheFastConversionLimits) {
  constexpr int64_t kLimit = int64_t{1} << 51;
  for (int64_t first : {kLimit - 60, -kLimit + 60, kLimit - 1, -kLimit}) {
    for (int64_t step : {int64_t{1}, int64_t{-1}, int64_t{3}}) {
      Series s = Regular(120, 1795620464632, 15000);
      for (int i = 0; i < 120; ++i) {
        s.v[i] = static_cast<double>(first + step * i);
      }
      s.v[70] = 5;  // An exception ends the first run.
      ExpectRoundTrip(s);
      EXPECT_EQ(ModeOf(s), dense_format::ValueMode::kDecimalDelta)
          << first << " " << step;
      for (int i = 0; i < 120; ++i) {
        s.v[i] = dense_format::DecimalValue(first / 8 + step * i, 3);
      }
      ExpectRoundTrip(s);
    }
  }
  Series s = Regular(120, 1795620464632, 15000);
  for (int i = 0; i < 120; ++i) {
    s.v[i] = std::ldexp(static_cast<double>(i - 60), 45);  // Step 2^45.
  }
  ExpectRoundTrip(s);
  EXPECT_EQ(ModeOf(s), dense_format::ValueMode::kDecimalDelta);
}

TEST(DenseChunkTest, ScrapeJitterAndStaleMarker) {
  Series s = Regular(120, 1795620464632, 15000);
  s.t[7] += 2;
  s.t[50] -= 4;
  s.t[0] -= 3;
  for (int i = 0; i < 120; ++i) s.v[i] = 0.25 * i;
  s.v[119] = FromBits(kStaleMarker);
  const std::string data = ExpectRoundTrip(s);
  EXPECT_LE(data.size(), 40u);
}

TEST(DenseChunkTest, DecimalsKeepTheirBits) {
  Series s = Regular(300, 0, 1000);
  const double decimals[] = {0.1, 0.2, 0.3, 14.264, 1e-9, 123456.789, -0.5};
  for (int i = 0; i < 300; ++i) s.v[i] = decimals[i % 7] * (i + 1);
  s.v[10] = -0.0;
  s.v[11] = 14.264000000000001;  // Not a short decimal: an exception.
  ExpectRoundTrip(s);
}

TEST(DenseChunkTest, CounterResetsAndHugeJumps) {
  Series s = Regular(400, -5000, 15000);
  double c = 0;
  for (int i = 0; i < 400; ++i) {
    c = i % 97 == 0 ? 0 : c + i % 5;
    s.v[i] = c;
  }
  s.v[200] = 4e18;
  s.v[201] = -4e18;
  s.v[202] = 1.8446744073709552e19;
  s.v[203] = std::numeric_limits<double>::max();
  s.v[204] = std::numeric_limits<double>::denorm_min();
  s.t[300] += int64_t{1} << 40;  // A huge gap, then back on the grid.
  for (int i = 301; i < 400; ++i) s.t[i] += int64_t{1} << 40;
  ExpectRoundTrip(s);
}

TEST(DenseChunkTest, ExtremeTimestampsWrapAround) {
  Series s;
  s.t = {std::numeric_limits<int64_t>::min(),
         std::numeric_limits<int64_t>::max(),
         0,
         -1,
         std::numeric_limits<int64_t>::min() + 1,
         42};
  s.v = {1, 2, 3, 4, 5, 6};
  ExpectRoundTrip(s);
}

TEST(DenseChunkTest, RandomDoublesFallBackToXorOrRaw) {
  std::mt19937_64 rng(7);
  Series s = Regular(120, 1795620464632, 15000);
  for (double& v : s.v) v = FromBits(rng());
  const std::string data = ExpectRoundTrip(s);
  EXPECT_LE(data.size(), 120u * 8 + 16);
  const auto mode = ModeOf(s);
  EXPECT_TRUE(mode == dense_format::ValueMode::kRaw ||
              mode == dense_format::ValueMode::kXor);
}

TEST(DenseChunkTest, SlowlyChangingFloatsUseXor) {
  Series s = Regular(120, 0, 15000);
  for (int i = 0; i < 120; ++i) s.v[i] = 1.0 / 3.0 + (i / 10) * (1.0 / 7.0);
  ExpectRoundTrip(s);
  EXPECT_EQ(ModeOf(s), dense_format::ValueMode::kXor);
}

TEST(DenseChunkTest, MaxSamples) {
  std::mt19937_64 rng(11);
  Series s = Regular(static_cast<int>(dense_format::kMaxSamples), 1, 15000);
  for (int i = 0; i < static_cast<int>(s.v.size()); ++i) {
    s.t[i] += static_cast<int64_t>(rng() % 7) - 3;
    s.v[i] = static_cast<double>(rng() % 1000) / 100;
  }
  ExpectRoundTrip(s);
}

// Timestamps: regular, jittered, irregular, huge gaps, or random.
std::vector<int64_t> RandomTimestamps(std::mt19937_64& rng, int n) {
  std::vector<int64_t> t(n);
  const int kind = static_cast<int>(rng() % 5);
  int64_t x = static_cast<int64_t>(rng());
  const int64_t step = static_cast<int64_t>(rng() % 100000) + 1;
  for (int i = 0; i < n; ++i) {
    switch (kind) {
      case 0:
        x += step;
        break;
      case 1:
        x += step + static_cast<int64_t>(rng() % 9) - 4;
        break;
      case 2:
        x += static_cast<int64_t>(rng() % 1000000) + 1;
        break;
      case 3:
        x += rng() % 10 == 0 ? static_cast<int64_t>(rng() >> 20) : step;
        break;
      default:
        x = static_cast<int64_t>(rng());  // Not even increasing.
    }
    t[i] = x;
  }
  return t;
}

// Values: counters with resets, gauges of decimals, random bits, constants,
// and any of them with special values sprinkled in.
std::vector<double> RandomValues(std::mt19937_64& rng, int n) {
  std::vector<double> v(n);
  const int kind = static_cast<int>(rng() % 6);
  const int e = static_cast<int>(rng() % 19);
  double counter = static_cast<double>(rng() % 1000000);
  const double c = FromBits(rng());
  for (int i = 0; i < n; ++i) {
    switch (kind) {
      case 0:
        counter =
            rng() % 50 == 0 ? 0 : counter + static_cast<double>(rng() % 20);
        v[i] = counter;
        break;
      case 1:
        v[i] = static_cast<double>(static_cast<int64_t>(rng() % 2000000) -
                                   1000000) /
               dense_format::kPow10[e];
        break;
      case 2:
        v[i] = FromBits(rng());
        break;
      case 3:
        v[i] = c;
        break;
      case 4:
        v[i] = static_cast<double>(static_cast<int64_t>(rng()));
        break;
      default:
        v[i] = std::sin(i * 0.01) * 1e3;
    }
  }
  const uint64_t specials[] = {kStaleMarker,
                               0x7ff8000000000001,
                               0xfff0000000000abc,
                               std::bit_cast<uint64_t>(-0.0),
                               std::bit_cast<uint64_t>(HUGE_VAL),
                               std::bit_cast<uint64_t>(-HUGE_VAL),
                               std::bit_cast<uint64_t>(1e300),
                               std::bit_cast<uint64_t>(-1e-300)};
  if (rng() % 2 == 0) {
    const int count = static_cast<int>(rng() % (n / 4 + 1));
    for (int k = 0; k < count; ++k) {
      v[rng() % n] = FromBits(specials[rng() % std::size(specials)]);
    }
  }
  return v;
}

TEST(DenseChunkTest, RandomizedAdversarialSeries) {
  std::mt19937_64 rng(20261206);
  for (int round = 0; round < 3000; ++round) {
    int n = static_cast<int>(rng() % 300) + 1;
    if (round % 100 == 0) n = static_cast<int>(rng() % 5000) + 1;
    Series s{RandomTimestamps(rng, n), RandomValues(rng, n)};
    SCOPED_TRACE("round " + std::to_string(round));
    ExpectRoundTrip(s);
    if (HasFailure()) return;
  }
}

TEST(DenseChunkTest, WrongOutputSizeIsAnError) {
  const Series s = Regular(10, 0, 1);
  const std::string data = EncodeDenseChunk(s.t, s.v);
  std::vector<int64_t> t(9);
  std::vector<double> v(9);
  EXPECT_NE(DecodeDenseChunk(data, t, v), nullptr);
}

// Decodes `data` into buffers sized by its header, if the header is
// readable; true if the decoder reported no error.
bool DecodesCleanly(std::string_view data) {
  const int n = DenseNumSamples(data);
  if (n < 0) return false;
  std::vector<int64_t> t(n);
  std::vector<double> v(n);
  return DecodeDenseChunk(data, t, v) == nullptr;
}

// A series of each value coding, to damage.
std::vector<std::string> ChunksOfEveryMode() {
  std::mt19937_64 rng(3);
  std::vector<std::string> chunks;
  Series counter = Regular(130, 1795620464632, 15000);
  counter.t[5] += 3;
  counter.v[129] = FromBits(kStaleMarker);
  chunks.push_back(EncodeDenseChunk(counter.t, counter.v));
  Series floats = Regular(130, 0, 15000);
  for (int i = 0; i < 130; ++i) floats.v[i] = 1.0 / 3 + i / 7;
  chunks.push_back(EncodeDenseChunk(floats.t, floats.v));
  Series random = Regular(40, 0, 15000);
  for (double& v : random.v) v = FromBits(rng());
  chunks.push_back(EncodeDenseChunk(random.t, random.v));
  Series decimals = Regular(200, 0, 15000);
  for (int i = 0; i < 200; ++i) decimals.v[i] = (i * 37 % 101) / 100.0;
  chunks.push_back(EncodeDenseChunk(decimals.t, decimals.v));
  return chunks;
}

TEST(DenseChunkTest, EveryTruncationIsAnError) {
  for (const std::string& data : ChunksOfEveryMode()) {
    ASSERT_TRUE(DecodesCleanly(data));
    for (size_t len = 0; len < data.size(); ++len) {
      EXPECT_FALSE(DecodesCleanly(std::string_view(data).substr(0, len)))
          << "prefix of " << len << " of " << data.size() << " bytes";
    }
    EXPECT_FALSE(DecodesCleanly(data + '\0')) << "trailing byte";
  }
}

// Corruption need not be detected by the decoder (the segment's CRC32C
// does that), but must never crash it or make it read out of bounds.
TEST(DenseChunkTest, CorruptedBytesNeverCrash) {
  std::mt19937_64 rng(5);
  int errors = 0;
  int total = 0;
  for (const std::string& data : ChunksOfEveryMode()) {
    for (size_t pos = 0; pos < data.size(); ++pos) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = data;
        bad[pos] = static_cast<char>(bad[pos] ^ (1 << bit));
        errors += !DecodesCleanly(bad);
        ++total;
      }
      std::string bad = data;
      bad[pos] = static_cast<char>(rng());
      errors += !DecodesCleanly(bad);
      ++total;
    }
  }
  // Damage to headers and lengths is reported; a flipped bit inside packed
  // values or an XOR stream decodes to other values (the CRC's job). Under
  // ASan (make asan) this test also checks the decoder stays in bounds.
  EXPECT_GT(errors, 0);
  EXPECT_LT(errors, total);
}

}  // namespace
}  // namespace strata::chunk
