#include "chunk/xor_chunk.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"
#include "chunk/xor_iterator.h"
#include "gtest/gtest.h"

namespace strata::chunk {
namespace {

struct Sample {
  int64_t t;
  uint64_t bits;  // The value's bit pattern; compared exactly.
  bool operator==(const Sample&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Sample& s) {
  return os << "{" << s.t << ", 0x" << std::hex << s.bits << std::dec << "}";
}

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

XorChunk Encode(const std::vector<Sample>& samples) {
  XorChunk c;
  auto app = c.NewAppender();
  EXPECT_TRUE(app.has_value());
  for (const Sample& s : samples) {
    app->Append(s.t, std::bit_cast<double>(s.bits));
  }
  return c;
}

// Decodes from an exactly sized heap copy, so sanitizers see any overread.
std::vector<Sample> Decode(std::string_view bytes, bool* error = nullptr) {
  auto copy = std::make_unique<char[]>(std::max<size_t>(bytes.size(), 1));
  std::copy(bytes.begin(), bytes.end(), copy.get());
  XorIterator it(std::string_view(copy.get(), bytes.size()));
  std::vector<Sample> out;
  while (it.Next()) out.push_back({it.t(), it.v_bits()});
  if (error != nullptr) *error = it.error();
  EXPECT_EQ(it.error(), !it.error_message().empty());
  return out;
}

// An independent model of the format, written from FORMAT.md with a string
// of '0'/'1' characters: Encode must produce exactly these bytes.
std::string ReferenceEncode(const std::vector<Sample>& samples) {
  std::string bits;
  // Prometheus's bstream leaves a zero byte at the end when a write of a
  // whole number of bytes ends on a byte boundary.
  bool trailing_free_byte = false;
  auto put = [&bits, &trailing_free_byte](uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) bits.push_back(((v >> i) & 1) ? '1' : '0');
    if (n > 0) trailing_free_byte = n % 8 == 0 && bits.size() % 8 == 0;
  };
  auto put_uvarint = [&put](uint64_t v) {
    do {
      const uint64_t byte = v & 0x7f;
      v >>= 7;
      put(byte | (v != 0 ? 0x80 : 0), 8);
    } while (v != 0);
  };
  int leading = -1;  // No window yet.
  int trailing = 0;
  auto put_xor = [&](uint64_t prev, uint64_t cur) {
    const uint64_t x = prev ^ cur;
    if (x == 0) {
      put(0, 1);
      return;
    }
    put(1, 1);
    const int lz = std::min(std::countl_zero(x), 31);
    const int tz = std::countr_zero(x);
    if (leading >= 0 && lz >= leading && tz >= trailing) {
      put(0, 1);
      put(x >> trailing, 64 - leading - trailing);
    } else {
      leading = lz;
      trailing = tz;
      put(1, 1);
      put(lz, 5);
      put(64 - lz - tz, 6);  // 64 wraps to 0 in 6 bits.
      put(x >> tz, 64 - lz - tz);
    }
  };
  put(samples.size(), 16);
  uint64_t prev_delta = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto t = static_cast<uint64_t>(samples[i].t);
    if (i == 0) {
      put_uvarint((t << 1) ^ static_cast<uint64_t>(samples[i].t >> 63));
      put(samples[i].bits, 64);
      continue;
    }
    const uint64_t delta = t - static_cast<uint64_t>(samples[i - 1].t);
    if (i == 1) {
      put_uvarint(delta);
    } else {
      const auto dod = static_cast<int64_t>(delta - prev_delta);
      if (dod == 0) {
        put(0, 1);
      } else if (dod >= -8191 && dod <= 8192) {
        put(0b10, 2);
        put(static_cast<uint64_t>(dod), 14);
      } else if (dod >= -65535 && dod <= 65536) {
        put(0b110, 3);
        put(static_cast<uint64_t>(dod), 17);
      } else if (dod >= -524287 && dod <= 524288) {
        put(0b1110, 4);
        put(static_cast<uint64_t>(dod), 20);
      } else {
        put(0b1111, 4);
        put(static_cast<uint64_t>(dod), 64);
      }
    }
    prev_delta = delta;
    put_xor(samples[i - 1].bits, samples[i].bits);
  }
  bits.resize((bits.size() + 7) / 8 * 8, '0');
  if (trailing_free_byte) bits += "00000000";
  std::string bytes;
  for (size_t i = 0; i < bits.size(); i += 8) {
    bytes.push_back(
        static_cast<char>(std::stoi(bits.substr(i, 8), nullptr, 2)));
  }
  return bytes;
}

// Skips n bits (ReadBits takes at most 64 at a time).
void SkipBits(BitReader* r, int n) {
  for (; n > 0; n -= 32) r->ReadBits(std::min(n, 32));
}

void ExpectRoundTrip(const std::vector<Sample>& samples) {
  XorChunk c = Encode(samples);
  ASSERT_EQ(c.NumSamples(), static_cast<int>(samples.size()));
  ASSERT_EQ(std::string(c.Bytes()), ReferenceEncode(samples));
  bool error = true;
  ASSERT_EQ(Decode(c.Bytes(), &error), samples);
  ASSERT_FALSE(error);
}

// Interesting float64 bit patterns.
std::vector<uint64_t> SpecialValues() {
  return {
      Bits(0.0),
      Bits(-0.0),
      Bits(1.0),
      Bits(-1.0),
      Bits(1.5),
      Bits(0.1),
      Bits(std::numeric_limits<double>::infinity()),
      Bits(-std::numeric_limits<double>::infinity()),
      0x7ff8000000000000ull,  // Quiet NaN.
      0x7ff8000000000001ull,  // Go's math.NaN().
      0x7ff0000000000002ull,  // Prometheus's stale marker.
      0x7ff0000000000001ull,  // Signalling NaN.
      0xfff8000000000000ull,  // Negative NaN.
      0x7fffffffffffffffull,  // NaN, all payload bits.
      0xffffffffffffffffull,
      0x0000000000000001ull,  // Smallest denormal.
      0x000fffffffffffffull,  // Largest denormal.
      0x8000000000000001ull,  // Negative denormal.
      Bits(DBL_MIN),
      Bits(DBL_MAX),
      Bits(-DBL_MAX),
      Bits(DBL_EPSILON),
      Bits(1.0 + DBL_EPSILON),
      0x8000000000000000ull ^ 0x0000000000000001ull,
      0x5555555555555555ull,
      0xaaaaaaaaaaaaaaaaull,
  };
}

std::vector<Sample> Regular(size_t n, int64_t start, int64_t step,
                            const std::vector<uint64_t>& values) {
  std::vector<Sample> s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(
        {start + static_cast<int64_t>(i) * step, values[i % values.size()]});
  }
  return s;
}

TEST(XorChunkTest, EmptyChunk) {
  XorChunk c;
  EXPECT_EQ(c.NumSamples(), 0);
  EXPECT_EQ(std::string(c.Bytes()), std::string("\0\0", 2));
  bool error = true;
  EXPECT_TRUE(Decode(c.Bytes(), &error).empty());
  EXPECT_FALSE(error);
  int64_t lo, hi;
  EXPECT_FALSE(XorTimeRange(c.Bytes(), &lo, &hi));
  EXPECT_EQ(XorNumSamples(c.Bytes()), 0);
  EXPECT_EQ(XorNumSamples(std::string_view("\x01", 1)), -1);
}

TEST(XorChunkTest, OneAndTwoSamples) {
  ExpectRoundTrip({{1000, Bits(1.5)}});
  ExpectRoundTrip({{-5, Bits(-2.0)}});
  ExpectRoundTrip({{1000, Bits(1.5)}, {16000, Bits(1.5)}});
  ExpectRoundTrip({{1000, Bits(1.5)}, {16000, Bits(-3.25)}});
  ExpectRoundTrip({{0, 0x7ff0000000000002ull}, {1, Bits(0.0)}});
}

TEST(XorChunkTest, FirstSampleLayout) {
  // 2-byte count, zig-zag varint of t (-1 -> 1), then the raw 64 bits and,
  // as Prometheus writes it, a trailing free (zero) byte.
  XorChunk c = Encode({{-1, 0x0123456789abcdefull}});
  EXPECT_EQ(
      std::string(c.Bytes()),
      std::string("\x00\x01\x01\x01\x23\x45\x67\x89\xab\xcd\xef\x00", 12));
  // A value written with 8 significant bits from a byte boundary ends with
  // a whole-byte write and so gets the free byte too; '0' bits do not.
  EXPECT_EQ(Encode({{0, 0}, {1, 0}}).Bytes().size(), 2u + 1 + 8 + 1 + 1);
  EXPECT_EQ(Encode({{0, 0}, {1, 0}, {2, 0}}).Bytes().size(),
            2u + 1 + 8 + 1 + 1);
}

TEST(XorChunkTest, SpecialValuesInEveryOrder) {
  const std::vector<uint64_t> special = SpecialValues();
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<uint64_t> values;
    for (int i = 0; i < 240; ++i) {
      values.push_back(special[rng() % special.size()]);
    }
    ExpectRoundTrip(Regular(values.size(), 1700000000000, 15000, values));
  }
  // Every ordered pair, so each XOR transition occurs.
  std::vector<uint64_t> pairs;
  for (uint64_t a : special) {
    for (uint64_t b : special) {
      pairs.push_back(a);
      pairs.push_back(b);
    }
  }
  for (size_t i = 0; i < pairs.size(); i += 240) {
    std::vector<uint64_t> part(pairs.begin() + i,
                               pairs.begin() + std::min(pairs.size(), i + 240));
    ExpectRoundTrip(Regular(part.size(), 0, 1, part));
  }
}

TEST(XorChunkTest, RandomBitPatterns) {
  std::mt19937_64 rng(1);
  for (size_t n : {1, 2, 3, 119, 120, 121, 240}) {
    for (int round = 0; round < 20; ++round) {
      std::vector<uint64_t> values;
      for (size_t i = 0; i < n; ++i) values.push_back(rng());
      ExpectRoundTrip(Regular(n, 1700000000000, 15000, values));
    }
  }
}

TEST(XorChunkTest, RealisticSeries) {
  std::mt19937_64 rng(3);
  std::vector<Sample> counter, gauge, constant;
  double c = 1000, g = 0.5;
  int64_t t = 1795620464632;
  for (int i = 0; i < 120; ++i) {
    // Scrape jitter of a few milliseconds.
    t += 15000 + static_cast<int64_t>(rng() % 7) - 3;
    c += static_cast<double>(rng() % 50);
    g = std::round((g + (static_cast<double>(rng() % 1000) - 500) / 1e4) *
                   1e3) /
        1e3;
    counter.push_back({t, Bits(c)});
    gauge.push_back({t, Bits(g)});
    constant.push_back({t, Bits(42.0)});
  }
  ExpectRoundTrip(counter);
  ExpectRoundTrip(gauge);
  ExpectRoundTrip(constant);
  // A constant series at a fixed interval costs 2 bits per sample.
  XorChunk flat = Encode(Regular(120, 0, 15000, {Bits(7.0)}));
  EXPECT_EQ(flat.Bytes().size(), 2u + 1 + 8 + 2 + (1 + 118 * 2 + 7) / 8);
}

TEST(XorChunkTest, LeadingZerosClampedTo31) {
  // XOR 0x...01: 63 leading zeros, written as 31 with 33 significant bits.
  const std::vector<Sample> s = {{0, 0x4000000000000000ull},
                                 {1, 0x4000000000000001ull}};
  ExpectRoundTrip(s);
  XorChunk c = Encode(s);
  BitReader r(c.Bytes());
  SkipBits(&r, 16 + 8 + 64 + 8);  // Header, t0 varint, v0, delta varint.
  EXPECT_EQ(r.ReadBits(2), 0b11u);
  EXPECT_EQ(r.ReadBits(5), 31u);
  EXPECT_EQ(r.ReadBits(6), 33u);
  EXPECT_EQ(r.ReadBits(33), 1u);
  // A 64-bit window (both ends set) stores 0 in the 6-bit count.
  XorChunk full = Encode({{0, 0}, {1, 0x8000000000000001ull}});
  BitReader f(full.Bytes());
  SkipBits(&f, 16 + 8 + 64 + 8);
  EXPECT_EQ(f.ReadBits(2), 0b11u);
  EXPECT_EQ(f.ReadBits(5), 0u);
  EXPECT_EQ(f.ReadBits(6), 0u);
  EXPECT_EQ(f.ReadBits(64), 0x8000000000000001ull);
  EXPECT_EQ(Decode(full.Bytes()).back().bits, 0x8000000000000001ull);
}

TEST(XorChunkTest, WindowReuse) {
  // Second XOR fits inside the first window: '10' and the window's bits.
  const std::vector<Sample> s = {
      {0, 0}, {1, 0x00ff000000000000ull}, {2, 0x0010000000000000ull}};
  ExpectRoundTrip(s);
  XorChunk c = Encode(s);
  BitReader r(c.Bytes());
  SkipBits(&r, 16 + 8 + 64 + 8);
  EXPECT_EQ(r.ReadBits(2), 0b11u);
  EXPECT_EQ(r.ReadBits(5), 8u);
  EXPECT_EQ(r.ReadBits(6), 8u);
  EXPECT_EQ(r.ReadBits(8), 0xffu);
  EXPECT_EQ(r.ReadBits(1), 0u);  // dod == 0.
  EXPECT_EQ(r.ReadBits(2), 0b10u);
  EXPECT_EQ(r.ReadBits(8), 0xefu);  // 0x00ff.. ^ 0x0010.. in the window.
}

// Checks the bucket Prometheus's bitRange picks for a delta-of-delta.
void ExpectDodBucket(int64_t dod, uint64_t prefix, int prefix_bits,
                     int value_bits) {
  SCOPED_TRACE(dod);
  const int64_t base = 1000000000;  // Keeps deltas positive.
  const std::vector<Sample> s = {{0, 0}, {base, 0}, {2 * base + dod, 0}};
  ExpectRoundTrip(s);
  XorChunk c = Encode(s);
  BitReader r(c.Bytes());
  // Header, t0 varint (1 byte), v0, delta varint (5 bytes), value '0'.
  SkipBits(&r, 16 + 8 + 64 + 5 * 8 + 1);
  EXPECT_EQ(r.ReadBits(prefix_bits), prefix);
  uint64_t raw = r.ReadBits(value_bits);
  if (value_bits < 64) {
    const uint64_t mask = (uint64_t{1} << value_bits) - 1;
    EXPECT_EQ(raw, static_cast<uint64_t>(dod) & mask);
  } else {
    EXPECT_EQ(raw, static_cast<uint64_t>(dod));
  }
}

TEST(XorChunkTest, DeltaOfDeltaBucketBoundaries) {
  ExpectDodBucket(0, 0b0, 1, 0);
  for (int bits : {14, 17, 20}) {
    const int64_t half = int64_t{1} << (bits - 1);
    const uint64_t prefix = bits == 14 ? 0b10 : bits == 17 ? 0b110 : 0b1110;
    const int prefix_bits = bits == 14 ? 2 : bits == 17 ? 3 : 4;
    // Upper end inclusive, lower end one short of two's complement.
    ExpectDodBucket(half - 1, prefix, prefix_bits, bits);
    ExpectDodBucket(half, prefix, prefix_bits, bits);
    ExpectDodBucket(-(half - 1), prefix, prefix_bits, bits);
    const uint64_t next_prefix = bits == 14   ? 0b110
                                 : bits == 17 ? 0b1110
                                              : 0b1111;
    const int next_prefix_bits = bits == 14 ? 3 : 4;
    const int next_bits = bits == 14 ? 17 : bits == 17 ? 20 : 64;
    ExpectDodBucket(half + 1, next_prefix, next_prefix_bits, next_bits);
    ExpectDodBucket(-half, next_prefix, next_prefix_bits, next_bits);
    ExpectDodBucket(-(half + 1), next_prefix, next_prefix_bits, next_bits);
  }
  ExpectDodBucket(1, 0b10, 2, 14);
  ExpectDodBucket(-1, 0b10, 2, 14);
  ExpectDodBucket(int64_t{1} << 20, 0b1111, 4, 64);
  ExpectDodBucket(int64_t{1} << 40, 0b1111, 4, 64);
  ExpectDodBucket(-(int64_t{1} << 40), 0b1111, 4, 64);
}

TEST(XorChunkTest, ExtremeTimestamps) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  const std::vector<uint64_t> v = {Bits(1.0), Bits(2.0), Bits(2.0)};
  ExpectRoundTrip(Regular(10, -1000000, 15000, v));  // Crosses zero.
  ExpectRoundTrip(Regular(10, kMin, 1, v));
  ExpectRoundTrip(Regular(10, kMax - 9, 1, v));
  ExpectRoundTrip({{kMin, 0}, {kMax, 0}, {kMin, 0}, {0, 0}, {kMax, 0}});
  ExpectRoundTrip({{kMin / 2, 0}, {kMax / 2, 0}, {kMax, 0}});
  // Decreasing and repeated timestamps are the caller's business, but the
  // codec round-trips any sequence.
  ExpectRoundTrip({{100, 0}, {50, 0}, {50, 0}, {-7, 0}, {1LL << 50, 0}});
  std::mt19937_64 rng(9);
  for (int round = 0; round < 50; ++round) {
    std::vector<Sample> s;
    for (int i = 0; i < 120; ++i) {
      // Mix of tiny and huge jumps.
      const int64_t t = (rng() & 1) ? static_cast<int64_t>(rng())
                                    : static_cast<int64_t>(rng() % 100000);
      s.push_back({t, rng()});
    }
    ExpectRoundTrip(s);
  }
}

TEST(XorChunkTest, IrregularIntervalsNearBoundaries) {
  std::mt19937_64 rng(11);
  const int64_t jumps[] = {8191,  8192,   8193,   65535,  65536,
                           65537, 524287, 524288, 524289, 1 << 22};
  std::vector<Sample> s;
  int64_t t = 1600000000000;
  for (int i = 0; i < 240; ++i) {
    int64_t step = 15000;
    if (rng() % 3 == 0) step += jumps[rng() % std::size(jumps)];
    t += step;
    s.push_back({t, Bits(static_cast<double>(i))});
  }
  ExpectRoundTrip(s);
}

TEST(XorChunkTest, MaxSamples) {
  XorChunk c;
  auto app = c.NewAppender();
  ASSERT_TRUE(app.has_value());
  for (int i = 0; i < xor_format::kMaxSamples; ++i) {
    EXPECT_FALSE(c.Full());
    app->Append(i * 10, static_cast<double>(i % 17));
  }
  EXPECT_TRUE(c.Full());
  EXPECT_EQ(c.NumSamples(), 65535);
  XorIterator it = c.Iterator();
  int n = 0;
  while (it.Next()) {
    ASSERT_EQ(it.t(), n * 10);
    ASSERT_EQ(it.v(), static_cast<double>(n % 17));
    ++n;
  }
  EXPECT_FALSE(it.error());
  EXPECT_EQ(n, 65535);
}

TEST(XorChunkTest, TimeRangeAndCount) {
  XorChunk c = Encode(Regular(100, -500, 7, {Bits(1.0), Bits(3.0)}));
  int64_t lo = 0, hi = 0;
  ASSERT_TRUE(XorTimeRange(c.Bytes(), &lo, &hi));
  EXPECT_EQ(lo, -500);
  EXPECT_EQ(hi, -500 + 99 * 7);
  EXPECT_EQ(XorNumSamples(c.Bytes()), 100);
  // A truncated chunk has no trustworthy range.
  EXPECT_FALSE(
      XorTimeRange(c.Bytes().substr(0, c.Bytes().size() - 1), &lo, &hi));
}

// Bytes written by Prometheus 2.42's promtool for
//   foo 1.5 1000.000, NaN 1015.000, +Inf 1030.500, -Inf 1100.001
// (Go parses "NaN" to 0x7ff8000000000001).
TEST(XorChunkTest, PrometheusGoldenBytes) {
  const std::string golden(
      "\x00\x04\x80\x89\x7a\x3f\xf8\x00\x00\x00\x00\x00\x00\x98\x75\xc3\xfc"
      "\x00\x00\x00\x00\x00\x00\x00\x18\x1f\x48\x00\x40\x00\x00\x00\x00\x00"
      "\x0e\x69\x78\xe0\x06",
      39);
  const std::vector<Sample> want = {
      {1000000, Bits(1.5)},
      {1015000, 0x7ff8000000000001ull},
      {1030500, Bits(std::numeric_limits<double>::infinity())},
      {1100001, Bits(-std::numeric_limits<double>::infinity())}};
  bool error = true;
  EXPECT_EQ(Decode(golden, &error), want);
  EXPECT_FALSE(error);
  EXPECT_EQ(std::string(Encode(want).Bytes()), golden);
}

TEST(XorIteratorTest, Seek) {
  XorChunk c = Encode(Regular(10, 100, 10, {Bits(1.0), Bits(2.0)}));
  {
    XorIterator it = c.Iterator();
    ASSERT_TRUE(it.Seek(0));  // Before the first sample.
    EXPECT_EQ(it.t(), 100);
    ASSERT_TRUE(it.Seek(100));  // Exact hit stays.
    EXPECT_EQ(it.t(), 100);
    ASSERT_TRUE(it.Seek(151));  // Between samples: the next one.
    EXPECT_EQ(it.t(), 160);
    EXPECT_EQ(it.v(), 1.0);
    ASSERT_TRUE(it.Seek(120));  // Never moves backwards.
    EXPECT_EQ(it.t(), 160);
    ASSERT_TRUE(it.Next());
    EXPECT_EQ(it.t(), 170);
    ASSERT_TRUE(it.Seek(190));  // The last sample.
    EXPECT_EQ(it.t(), 190);
    EXPECT_FALSE(it.Next());
    // Exhausted: as in Prometheus, a Seek to at most the last timestamp
    // still reports the last sample; a later one fails.
    EXPECT_TRUE(it.Seek(0));
    EXPECT_EQ(it.t(), 190);
    EXPECT_FALSE(it.Seek(191));
    EXPECT_FALSE(it.error());
  }
  {
    XorIterator it = c.Iterator();
    EXPECT_FALSE(it.Seek(191));  // Past the end.
    EXPECT_FALSE(it.error());
  }
  {
    XorIterator it;  // Default: nothing.
    EXPECT_FALSE(it.Next());
    EXPECT_FALSE(it.Seek(0));
  }
}

// NextBatch in random slices, mixed with Next(), decodes what Next() does,
// also on corrupt input.
TEST(XorIteratorTest, NextBatchMatchesNext) {
  std::mt19937_64 rng(17);
  for (int round = 0; round < 500; ++round) {
    std::vector<Sample> s;
    for (int i = 0; i < 1 + static_cast<int>(rng() % 240); ++i) {
      s.push_back({i * 15000 + static_cast<int64_t>(rng() % 100),
                   (rng() % 2) ? rng() : Bits(static_cast<double>(i / 3))});
    }
    std::string bytes(Encode(s).Bytes());
    if (round % 3 == 0) {
      bytes[2 + rng() % (bytes.size() - 2)] ^=
          static_cast<char>(1 + rng() % 255);
    }
    if (round % 5 == 0) bytes.resize(rng() % (bytes.size() + 1));
    bool want_error = false;
    const std::vector<Sample> want = Decode(bytes, &want_error);

    XorIterator it(bytes);
    std::vector<Sample> got;
    std::vector<int64_t> ts(300);
    std::vector<double> vs(300);
    while (true) {
      if (rng() % 4 == 0) {
        if (!it.Next()) break;
        got.push_back({it.t(), it.v_bits()});
        continue;
      }
      const size_t max = rng() % 50;
      const size_t n = it.NextBatch(ts.data(), vs.data(), max);
      ASSERT_LE(n, max);
      for (size_t i = 0; i < n; ++i) {
        got.push_back({ts[i], Bits(vs[i])});
      }
      if (n > 0 && !it.error()) {
        EXPECT_EQ(it.t(), got.back().t);
        EXPECT_EQ(it.v_bits(), got.back().bits);
      }
      if (n < max) break;
    }
    EXPECT_EQ(got, want) << round;
    EXPECT_EQ(it.error(), want_error) << round;
    EXPECT_EQ(it.num_read(), static_cast<int>(want.size()));
    EXPECT_FALSE(it.Next());
  }
}

TEST(XorIteratorTest, ResetReusesIterator) {
  XorChunk a = Encode(Regular(5, 0, 1, {Bits(1.0)}));
  XorChunk b = Encode(Regular(3, 50, 2, {Bits(2.0)}));
  XorIterator it(a.Bytes());
  ASSERT_TRUE(it.Next());
  it.Reset(b.Bytes());
  int n = 0;
  while (it.Next()) {
    EXPECT_EQ(it.t(), 50 + 2 * n);
    EXPECT_EQ(it.v(), 2.0);
    ++n;
  }
  EXPECT_EQ(n, 3);
  EXPECT_EQ(it.num_samples(), 3);
}

std::vector<Sample> MixedSeries(std::mt19937_64& rng, size_t n) {
  const std::vector<uint64_t> special = SpecialValues();
  std::vector<Sample> s;
  int64_t t = static_cast<int64_t>(rng() % 1000000) - 500000;
  double counter = 0;
  for (size_t i = 0; i < n; ++i) {
    t += (rng() % 4 == 0) ? static_cast<int64_t>(rng() % (1 << 21)) : 15000;
    switch (rng() % 4) {
      case 0:
        s.push_back({t, rng()});
        break;
      case 1:
        s.push_back({t, special[rng() % special.size()]});
        break;
      default:
        counter += static_cast<double>(rng() % 10);
        s.push_back({t, Bits(counter)});
    }
  }
  return s;
}

TEST(XorChunkCorruptionTest, EveryTruncationFails) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 30; ++round) {
    const std::vector<Sample> s = MixedSeries(rng, 1 + rng() % 240);
    XorChunk c = Encode(s);
    const std::string_view bytes = c.Bytes();
    for (size_t len = 0; len < bytes.size(); ++len) {
      bool error = false;
      const std::vector<Sample> got = Decode(bytes.substr(0, len), &error);
      if (!error) {
        // Only the trailing free byte holds no sample bits.
        ASSERT_EQ(len, bytes.size() - 1);
        ASSERT_EQ(bytes.back(), '\0');
        ASSERT_EQ(got, s);
        continue;
      }
      // Every other byte holds bits of the last sample or earlier, so a cut
      // loses part of a promised sample.
      ASSERT_LT(got.size(), s.size());
      ASSERT_TRUE(std::equal(got.begin(), got.end(), s.begin()));
    }
  }
}

TEST(XorChunkCorruptionTest, RandomByteFlipsNeverCrash) {
  std::mt19937_64 rng(6);
  int errors = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::vector<Sample> s = MixedSeries(rng, 1 + rng() % 240);
    std::string bytes(Encode(s).Bytes());
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) {
      bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    if (rng() % 2) bytes.resize(rng() % (bytes.size() + 1));
    bool error = false;
    const std::vector<Sample> got = Decode(bytes, &error);
    EXPECT_LE(got.size(), 0xffffu);
    errors += error;
    // Appending to a corrupt chunk is refused; to a decodable one it works.
    XorChunk c{std::string(bytes)};
    auto app = c.NewAppender();
    EXPECT_EQ(app.has_value(), !error);
  }
  EXPECT_GT(errors, 0);
}

TEST(XorChunkCorruptionTest, CraftedCorruption) {
  bool error = false;
  // Count says 2, no sample bits.
  EXPECT_TRUE(Decode(std::string("\x00\x02", 2), &error).empty());
  EXPECT_TRUE(error);
  // Header only, shorter than 2 bytes.
  EXPECT_TRUE(Decode(std::string("\x00", 1), &error).empty());
  EXPECT_TRUE(error);
  // First timestamp varint longer than 10 bytes.
  std::string long_varint("\x00\x01", 2);
  long_varint += std::string(11, '\x80') + std::string(8, '\0');
  EXPECT_TRUE(Decode(long_varint, &error).empty());
  EXPECT_TRUE(error);
  // A window of 31 leading zeros and 64 significant bits does not fit.
  XorChunk c = Encode({{0, 0}, {1, 0x00000000ffffffffull}});
  BitWriter w;
  for (int i = 0; i < 16 + 8 + 64 + 8; i += 8) w.WriteBits(0, 8);
  w.WriteBits(0b11, 2);
  w.WriteBits(31, 5);
  w.WriteBits(0, 6);  // 0 means 64.
  w.WriteBits(0, 64);
  std::string crafted(w.bytes());
  crafted[1] = 2;
  crafted[2] = 0;   // t0 = 0.
  crafted[11] = 1;  // delta = 1.
  const std::vector<Sample> got = Decode(crafted, &error);
  EXPECT_TRUE(error);
  EXPECT_EQ(got.size(), 1u);
  // More bytes than the samples need are ignored, as in Prometheus.
  std::string extra(c.Bytes());
  extra += "\xff\xff";
  EXPECT_EQ(Decode(extra, &error).size(), 2u);
  EXPECT_FALSE(error);
}

TEST(XorAppenderTest, ResumeMatchesUninterruptedAppend) {
  std::mt19937_64 rng(13);
  for (int round = 0; round < 40; ++round) {
    const std::vector<Sample> s = MixedSeries(rng, 2 + rng() % 239);
    const std::string whole(Encode(s).Bytes());
    for (size_t k = 0; k <= s.size(); ++k) {
      const std::vector<Sample> head(s.begin(), s.begin() + k);
      // Round-trip through a plain byte string, as from disk.
      XorChunk c{std::string(Encode(head).Bytes())};
      auto app = c.NewAppender();
      ASSERT_TRUE(app.has_value());
      for (size_t i = k; i < s.size(); ++i) {
        app->Append(s[i].t, std::bit_cast<double>(s[i].bits));
      }
      bool error = true;
      ASSERT_EQ(Decode(c.Bytes(), &error), s) << k;
      ASSERT_FALSE(error);
      // Byte-identical once the prefix has set an XOR window; before that
      // Prometheus resumes with a 0/0 window instead of none (below).
      bool has_window = false;
      for (size_t i = 1; i < k; ++i)
        has_window |= head[i].bits != head[i - 1].bits;
      if (k == 0 || has_window) {
        ASSERT_EQ(std::string(c.Bytes()), whole) << k;
      }
    }
  }
}

TEST(XorAppenderTest, ResumeWithoutWindowUsesFullWidthLikePrometheus) {
  XorChunk c{std::string(Encode({{0, Bits(1.0)}, {10, Bits(1.0)}}).Bytes())};
  auto app = c.NewAppender();
  ASSERT_TRUE(app.has_value());
  app->Append(20, 2.0);
  BitReader r(c.Bytes());
  SkipBits(&r, 16 + 8 + 64 + 8 + 1);  // ... second value '0'.
  EXPECT_EQ(r.ReadBits(1), 0u);       // dod == 0.
  EXPECT_EQ(r.ReadBits(2), 0b10u);    // Reuse of the 0/0 window.
  EXPECT_EQ(r.ReadBits(64), Bits(1.0) ^ Bits(2.0));
  bool error = true;
  const std::vector<Sample> want = {
      {0, Bits(1.0)}, {10, Bits(1.0)}, {20, Bits(2.0)}};
  EXPECT_EQ(Decode(c.Bytes(), &error), want);
  EXPECT_FALSE(error);
}

TEST(XorAppenderTest, ResumeDropsTrailingJunk) {
  const std::vector<Sample> s = {
      {0, Bits(1.0)}, {15, Bits(2.0)}, {30, Bits(2.5)}};
  std::string bytes(Encode(s).Bytes());
  // Junk in the unused low bits of the last byte and after it.
  bytes.back() = static_cast<char>(bytes.back() | 0x01);
  ASSERT_EQ(Decode(bytes).size(), 3u);
  bytes += "junk";
  XorChunk c{bytes};
  auto app = c.NewAppender();
  ASSERT_TRUE(app.has_value());
  app->Append(45, 3.0);
  std::vector<Sample> want = s;
  want.push_back({45, Bits(3.0)});
  EXPECT_EQ(std::string(c.Bytes()), std::string(Encode(want).Bytes()));
}

TEST(XorAppenderTest, RefusesCorruptChunk) {
  XorChunk c{std::string("\x00\x05\x01", 3)};
  EXPECT_FALSE(c.NewAppender().has_value());
  XorChunk tiny{std::string("\x00", 1)};
  EXPECT_FALSE(tiny.NewAppender().has_value());
}

}  // namespace
}  // namespace strata::chunk
