// Differential test of the XOR decoder: Next(), NextBatch (whole, in random
// slices, mixed with Next()) and Seek(), with both builds of the decode
// loop, against a bit-by-bit reference
// decoder written here from FORMAT.md, on adversarial inputs: bit streams
// built token by token (long '00' runs, every dod bucket and its bounds,
// 64-bit dods, every window shape, windows wider than 64 bits), chunks from
// the appender (NaN, stale markers, huge and negative deltas, extreme
// timestamps), truncations, bit flips and random bytes. Every input is
// decoded from an exactly sized heap copy, so sanitizers see any overread.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "chunk/xor_chunk.h"
#include "chunk/xor_iterator.h"
#include "gtest/gtest.h"

namespace strata::chunk {
namespace {

struct Sample {
  int64_t t;
  uint64_t bits;
  bool operator==(const Sample&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Sample& s) {
  return os << "{" << s.t << ", 0x" << std::hex << s.bits << std::dec << "}";
}

struct Decoded {
  std::vector<Sample> samples;
  bool error = false;
};

// The reference: one bit at a time, bounds checked on every bit.
class RefBits {
 public:
  explicit RefBits(std::string_view s) : s_(s) {}
  // False once a bit past the end was asked for.
  bool ok() const { return ok_; }
  uint64_t Bit() {
    if (pos_ >= s_.size() * 8) {
      ok_ = false;
      return 0;
    }
    const auto byte = static_cast<uint8_t>(s_[pos_ / 8]);
    const uint64_t b = (byte >> (7 - pos_ % 8)) & 1;
    ++pos_;
    return b;
  }
  uint64_t Bits(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 1) | Bit();
    return v;
  }
  // Go's binary.Uvarint; false if over-long or truncated.
  bool Uvarint(uint64_t* v) {
    uint64_t x = 0;
    for (int i = 0; i < 10; ++i) {
      const uint64_t b = Bits(8);
      if (!ok_) return false;
      if (b < 0x80) {
        if (i == 9 && b > 1) return false;
        *v = x | b << (7 * i);
        return true;
      }
      x |= (b & 0x7f) << (7 * i);
    }
    return false;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  bool ok_ = true;
};

Decoded ReferenceDecode(std::string_view chunk) {
  Decoded d;
  if (chunk.size() < 2) {
    d.error = true;
    return d;
  }
  const int n =
      (static_cast<uint8_t>(chunk[0]) << 8) | static_cast<uint8_t>(chunk[1]);
  RefBits r(chunk.substr(2));
  int64_t t = 0;
  uint64_t v = 0, t_delta = 0;
  int leading = 0, trailing = 0;
  // Returns false on error.
  auto read_value = [&]() {
    if (r.Bit() == 0) return r.ok();
    if (r.Bit() == 1) {
      leading = static_cast<int>(r.Bits(5));
      int sig = static_cast<int>(r.Bits(6));
      if (sig == 0) sig = 64;
      if (leading + sig > 64) return false;
      trailing = 64 - leading - sig;
    }
    const int sig = 64 - leading - trailing;
    v ^= r.Bits(sig) << trailing;
    return r.ok();
  };
  for (int i = 0; i < n; ++i) {
    if (i == 0) {
      uint64_t zz;
      if (!r.Uvarint(&zz)) break;
      t = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
      v = r.Bits(64);
      if (!r.ok()) break;
    } else if (i == 1) {
      if (!r.Uvarint(&t_delta)) break;
      t = static_cast<int64_t>(static_cast<uint64_t>(t) + t_delta);
      if (!read_value()) break;
    } else {
      int ones = 0;
      while (ones < 4 && r.Bit() == 1) ++ones;
      static constexpr int kWidth[] = {0, 14, 17, 20, 64};
      const int w = kWidth[ones];
      uint64_t dod = r.Bits(w);
      if (w > 0 && w < 64 && dod > (uint64_t{1} << (w - 1))) {
        dod -= uint64_t{1} << w;
      }
      t_delta += dod;
      t = static_cast<int64_t>(static_cast<uint64_t>(t) + t_delta);
      if (!r.ok() || !read_value()) break;
    }
    d.samples.push_back({t, v});
  }
  d.error = d.samples.size() < static_cast<size_t>(n);
  return d;
}

// Builds bit streams token by token.
class BitSink {
 public:
  void Put(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      if (bits_ % 8 == 0) bytes_.push_back('\0');
      if ((v >> i) & 1) bytes_.back() |= static_cast<char>(0x80 >> (bits_ % 8));
      ++bits_;
    }
  }
  void Uvarint(uint64_t v) {
    while (v >= 0x80) {
      Put((v & 0x7f) | 0x80, 8);
      v >>= 7;
    }
    Put(v, 8);
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
  size_t bits_ = 0;
};

// A random stream of `n` samples; mostly well-formed, with every shape of
// token the format has, weighted towards long '00' runs.
std::string RandomStream(std::mt19937_64& rng, int n) {
  BitSink s;
  s.Put(static_cast<uint64_t>(n), 16);
  auto chance = [&](int percent) {
    return static_cast<int>(rng() % 100) < percent;
  };
  int leading = 0, trailing = 0;
  bool window = false;
  auto value = [&]() {
    const int r = static_cast<int>(rng() % 100);
    if (r < 55) {
      s.Put(0, 1);
    } else if (r < 80 && window) {
      s.Put(0b10, 2);
      s.Put(rng(), 64 - leading - trailing);
    } else {
      s.Put(0b11, 2);
      const int lead = static_cast<int>(rng() % 32);
      int sig = static_cast<int>(rng() % 64);
      if (!chance(2)) {
        // Valid: lead + sig <= 64 (sig 0 means 64, only with lead 0).
        if (sig == 0) sig = 64 - lead;
        sig = std::min(sig, 64 - lead);
      }
      s.Put(static_cast<uint64_t>(lead), 5);
      s.Put(static_cast<uint64_t>(sig == 64 ? 0 : sig), 6);
      const int real_sig = sig == 0 ? 64 : sig;
      if (lead + real_sig <= 64) {
        leading = lead;
        trailing = 64 - lead - real_sig;
        window = true;
      }
      s.Put(rng(), std::min(real_sig, 64));
    }
  };
  const bool constant = chance(30);
  for (int i = 0; i < n; ++i) {
    if (i == 0) {
      s.Uvarint(chance(50) ? rng() : rng() % 100000);
      s.Put(rng(), 64);
      continue;
    }
    if (i == 1) {
      s.Uvarint(chance(80) ? rng() % 30000 : rng());
      value();
      continue;
    }
    if (constant ? chance(90) : chance(40)) {
      s.Put(0, 2);  // '00': dod 0, same value.
      continue;
    }
    const int r = static_cast<int>(rng() % 100);
    if (r < 40) {
      s.Put(0, 1);
    } else {
      const int bucket = r < 70 ? 1 : r < 85 ? 2 : r < 95 ? 3 : 4;
      static constexpr int kWidth[] = {0, 14, 17, 20, 64};
      const int w = kWidth[bucket];
      s.Put((uint64_t{1} << (bucket + 1)) - 2 + (bucket == 4 ? 1 : 0),
            bucket == 4 ? 4 : bucket + 1);
      uint64_t raw = rng();
      if (chance(30)) {
        // Bucket bounds: 0, +-1, 2^(w-1) and its neighbours.
        const uint64_t half =
            w == 64 ? uint64_t{1} << 63 : uint64_t{1} << (w - 1);
        const uint64_t picks[] = {0, 1, half - 1, half, half + 1, ~0ull};
        raw = picks[rng() % 6];
      }
      s.Put(w == 64 ? raw : raw & ((uint64_t{1} << w) - 1), w);
    }
    value();
  }
  return s.bytes();
}

// A copy on the heap of exactly the input's size.
struct ExactCopy {
  explicit ExactCopy(std::string_view s)
      : buf(std::make_unique<char[]>(std::max<size_t>(s.size(), 1))),
        view(buf.get(), s.size()) {
    std::copy(s.begin(), s.end(), buf.get());
  }
  std::unique_ptr<char[]> buf;
  std::string_view view;
};

void CheckDecodersOnce(std::string_view bytes, std::mt19937_64& rng) {
  const Decoded want = ReferenceDecode(bytes);
  const ExactCopy copy(bytes);
  {
    XorIterator it(copy.view);
    Decoded got;
    while (it.Next()) got.samples.push_back({it.t(), it.v_bits()});
    got.error = it.error();
    ASSERT_EQ(got.samples, want.samples) << "Next()";
    ASSERT_EQ(got.error, want.error) << "Next()";
    EXPECT_EQ(it.error(), !it.error_message().empty());
    EXPECT_EQ(it.num_read(), static_cast<int>(want.samples.size()));
    EXPECT_FALSE(it.Next());
    if (!want.samples.empty() && !want.error) {
      EXPECT_EQ(it.t(), want.samples.back().t);
      EXPECT_EQ(it.v_bits(), want.samples.back().bits);
    }
  }
  {
    XorIterator it(copy.view);
    const size_t room = static_cast<size_t>(std::max(XorNumSamples(bytes), 0));
    std::vector<int64_t> ts(room + 1);
    std::vector<double> vs(room + 1);
    const size_t n = it.NextBatch(ts.data(), vs.data(), ts.size());
    ASSERT_EQ(n, want.samples.size()) << "NextBatch";
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(ts[i], want.samples[i].t) << i;
      ASSERT_EQ(std::bit_cast<uint64_t>(vs[i]), want.samples[i].bits) << i;
    }
    EXPECT_EQ(it.error(), want.error) << "NextBatch";
    EXPECT_EQ(it.NextBatch(ts.data(), vs.data(), ts.size()), 0u);
  }
  {
    // Slices of random sizes (0 included), mixed with Next().
    XorIterator it(copy.view);
    std::vector<Sample> got;
    int64_t ts[40];
    double vs[40];
    while (true) {
      if (rng() % 3 == 0) {
        if (!it.Next()) break;
        got.push_back({it.t(), it.v_bits()});
        ASSERT_EQ(it.num_read(), static_cast<int>(got.size()));
        continue;
      }
      const size_t max = rng() % 41;
      const size_t n = it.NextBatch(ts, vs, max);
      ASSERT_LE(n, max);
      for (size_t i = 0; i < n; ++i) {
        got.push_back({ts[i], std::bit_cast<uint64_t>(vs[i])});
      }
      ASSERT_EQ(it.num_read(), static_cast<int>(got.size()));
      if (n > 0) {
        EXPECT_EQ(it.t(), got.back().t);
        EXPECT_EQ(it.v_bits(), got.back().bits);
      }
      if (n < max) break;
    }
    ASSERT_EQ(got, want.samples) << "mixed";
    EXPECT_EQ(it.error(), want.error) << "mixed";
  }
  if (!want.samples.empty()) {
    // Seek to a sample's timestamp (or just after it) after some Next()s.
    // Only meaningful where timestamps increase.
    const bool increasing = std::is_sorted(
        want.samples.begin(), want.samples.end(),
        [](const Sample& a, const Sample& b) { return a.t <= b.t; });
    if (increasing) {
      XorIterator it(copy.view);
      const size_t skip = rng() % want.samples.size();
      for (size_t i = 0; i < skip; ++i) ASSERT_TRUE(it.Next());
      const size_t target = skip + rng() % (want.samples.size() - skip);
      const int64_t t = want.samples[target].t;
      ASSERT_TRUE(it.Seek(t));
      EXPECT_EQ(it.t(), t);
      EXPECT_EQ(it.v_bits(), want.samples[target].bits);
      EXPECT_EQ(it.num_read(), static_cast<int>(target + 1));
    }
  }
}

// Both builds of the decode loop (baseline x86-64, and LZCNT/BMI2 where the
// CPU has them).
void CheckDecoders(std::string_view bytes, std::mt19937_64& rng,
                   const std::string& what) {
  SCOPED_TRACE(what);
  for (const bool baseline : {true, false}) {
    SCOPED_TRACE(baseline ? "baseline decoder" : "default decoder");
    XorIterator::UseBaselineDecoderForTesting(baseline);
    CheckDecodersOnce(bytes, rng);
    XorIterator::UseBaselineDecoderForTesting(false);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(XorDecodeDiffTest, TokenStreams) {
  std::mt19937_64 rng(2);
  for (int round = 0; round < 3000; ++round) {
    const int n = round % 50 == 0 ? static_cast<int>(rng() % 3000)
                                  : static_cast<int>(rng() % 260);
    const std::string bytes = RandomStream(rng, n);
    CheckDecoders(bytes, rng, "stream " + std::to_string(round));
    if (HasFatalFailure()) return;
  }
}

TEST(XorDecodeDiffTest, EveryTruncationAndFlip) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 60; ++round) {
    const std::string bytes = RandomStream(rng, static_cast<int>(rng() % 140));
    for (size_t len = 0; len <= bytes.size(); ++len) {
      CheckDecoders(
          bytes.substr(0, len), rng,
          "stream " + std::to_string(round) + " cut at " + std::to_string(len));
      if (HasFatalFailure()) return;
    }
    for (int flip = 0; flip < 40 && bytes.size() > 2; ++flip) {
      std::string b = bytes;
      const size_t bit = 16 + rng() % ((b.size() - 2) * 8);
      b[bit / 8] ^= static_cast<char>(0x80 >> (bit % 8));
      CheckDecoders(
          b, rng,
          "stream " + std::to_string(round) + " flip " + std::to_string(bit));
      if (HasFatalFailure()) return;
    }
  }
}

TEST(XorDecodeDiffTest, RandomBytes) {
  std::mt19937_64 rng(4);
  for (int round = 0; round < 3000; ++round) {
    std::string b(rng() % 300, '\0');
    // Mostly zero bits (long '00' runs and zero padding), or random.
    const bool sparse = rng() % 2 == 0;
    for (char& c : b) {
      c = static_cast<char>(sparse ? (rng() % 8 == 0 ? rng() : 0) : rng());
    }
    if (b.size() >= 2 && rng() % 2 == 0) {
      b[0] = 0;
      b[1] = static_cast<char>(rng() % 256);
    }
    CheckDecoders(b, rng, "bytes " + std::to_string(round));
    if (HasFatalFailure()) return;
  }
}

// t + delta with two's complement wrap-around, as Go's int64 (and the codec)
// wraps: the random walks below may run past INT64_MAX, which in C++ is
// undefined behaviour (UBSan reports it in `make asan`).
int64_t WrapAdd(int64_t t, int64_t delta) {
  return static_cast<int64_t>(static_cast<uint64_t>(t) +
                              static_cast<uint64_t>(delta));
}

TEST(XorDecodeDiffTest, AppenderChunks) {
  std::mt19937_64 rng(5);
  const uint64_t kStale = 0x7ff0000000000002ull;
  const uint64_t kNaN = std::bit_cast<uint64_t>(std::nan(""));
  for (int round = 0; round < 1500; ++round) {
    XorChunk c;
    auto app = c.NewAppender();
    ASSERT_TRUE(app.has_value());
    const int n = static_cast<int>(rng() % (round % 100 == 0 ? 2000 : 250));
    int64_t t = round % 7 == 0 ? std::numeric_limits<int64_t>::min() / 2
                               : static_cast<int64_t>(rng() % 2000000000000);
    double v = static_cast<double>(rng() % 1000);
    const int kind = round % 6;
    for (int i = 0; i < n; ++i) {
      switch (rng() % 20) {
        case 0:
          t = WrapAdd(t, static_cast<int64_t>(rng() >> 2));  // Huge dod.
          break;
        case 1:
          t = WrapAdd(t, -static_cast<int64_t>(rng() % 100000));  // Backwards.
          break;
        default:
          t = WrapAdd(
              t, 15000 + (kind == 0 ? 0 : static_cast<int64_t>(rng() % 5) - 2));
      }
      switch (kind) {
        case 0:  // Constant with rare stale markers and NaNs.
          if (rng() % 30 == 0) {
            app->Append(t, std::bit_cast<double>(rng() % 2 ? kStale : kNaN));
            continue;
          }
          break;
        case 1:
          v += static_cast<double>(rng() % 10);  // Counter.
          break;
        case 2:
          v = std::bit_cast<double>(rng());  // Random bits.
          break;
        case 3:
          v = std::round(std::sin(i / 7.0) * 1000) / 8;  // Gauge.
          break;
        case 4:
          v = rng() % 3 == 0 ? -v : v * 1.5;
          break;
        default:
          if (rng() % 4 == 0) v = static_cast<double>(rng() % 4);
      }
      app->Append(t, v);
    }
    const std::string bytes(c.Bytes());
    CheckDecoders(bytes, rng, "appender " + std::to_string(round));
    if (HasFatalFailure()) return;
    if (round % 10 == 0 && bytes.size() > 2) {
      CheckDecoders(bytes.substr(0, 2 + rng() % (bytes.size() - 2)), rng,
                    "appender cut " + std::to_string(round));
      if (HasFatalFailure()) return;
    }
  }
}

// XorChunk::NewAppender resumes from the decoder's end state; appending to
// a re-opened chunk must equal appending in one go, for every cut point.
TEST(XorDecodeDiffTest, ResumedAppendMatchesUninterrupted) {
  std::mt19937_64 rng(6);
  for (int round = 0; round < 40; ++round) {
    std::vector<Sample> s;
    int64_t t = 1700000000000;
    for (int i = 0; i < 130; ++i) {
      t = WrapAdd(t, 15000 + static_cast<int64_t>(rng() % 3) - 1);
      const uint64_t bits =
          rng() % 3 == 0 ? rng() : std::bit_cast<uint64_t>(i / 10.0);
      s.push_back({t, bits});
    }
    XorChunk whole;
    {
      auto app = whole.NewAppender();
      for (const Sample& x : s) app->Append(x.t, std::bit_cast<double>(x.bits));
    }
    const size_t cut = rng() % s.size();
    XorChunk first;
    {
      auto app = first.NewAppender();
      for (size_t i = 0; i < cut; ++i) {
        app->Append(s[i].t, std::bit_cast<double>(s[i].bits));
      }
    }
    XorChunk resumed{std::string(first.Bytes())};
    auto app = resumed.NewAppender();
    ASSERT_TRUE(app.has_value());
    for (size_t i = cut; i < s.size(); ++i) {
      app->Append(s[i].t, std::bit_cast<double>(s[i].bits));
    }
    EXPECT_EQ(resumed.Bytes(), whole.Bytes()) << round << " cut " << cut;
  }
}

}  // namespace
}  // namespace strata::chunk
