// XorChunk::Append writes several fields at once; this checks its bytes
// against a reference encoder that writes every field on its own, in
// Prometheus's order (xorAppender.Append, writeVDelta), on series built to
// reach every branch: all dod buckets and the 64-bit fallback, unchanged
// values, window reuse and new windows, significant-bit counts of every
// width (so writes end on every bit offset, including bstream's trailing
// free byte after whole-byte fields), and random bit patterns.
#include <bit>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "chunk/bit_writer.h"
#include "chunk/xor_chunk.h"
#include "chunk/xor_format.h"
#include "gtest/gtest.h"

namespace strata::chunk {
namespace {

struct Sample {
  int64_t t;
  uint64_t v_bits;
};

// The straightforward encoder: one BitWriter call per field.
std::string ReferenceEncode(const std::vector<Sample>& samples) {
  BitWriter w(std::string_view("\0\0", 2), 0);
  int64_t t_prev = 0;
  uint64_t t_delta_prev = 0;
  uint64_t v_prev = 0;
  int leading_prev = xor_format::kNoWindow;
  int trailing_prev = 0;
  auto uvarint = [&](uint64_t v) {
    while (v >= 0x80) {
      w.WriteByte(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    w.WriteByte(static_cast<uint8_t>(v));
  };
  auto value = [&](uint64_t v_bits) {
    const uint64_t delta = v_bits ^ v_prev;
    if (delta == 0) {
      w.WriteBit(false);
      return;
    }
    w.WriteBit(true);
    int leading = std::countl_zero(delta);
    const int trailing = std::countr_zero(delta);
    if (leading > 31) leading = 31;
    if (leading_prev != xor_format::kNoWindow && leading >= leading_prev &&
        trailing >= trailing_prev) {
      w.WriteBit(false);
      w.WriteBits(delta >> trailing_prev, 64 - leading_prev - trailing_prev);
      return;
    }
    leading_prev = leading;
    trailing_prev = trailing;
    w.WriteBit(true);
    w.WriteBits(static_cast<uint64_t>(leading), 5);
    const int sig = 64 - leading - trailing;
    w.WriteBits(static_cast<uint64_t>(sig), 6);
    w.WriteBits(delta >> trailing, sig);
  };
  for (size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    const uint64_t t_delta =
        static_cast<uint64_t>(s.t) - static_cast<uint64_t>(t_prev);
    if (i == 0) {
      const auto u = static_cast<uint64_t>(s.t);
      uvarint((u << 1) ^ static_cast<uint64_t>(s.t >> 63));
      w.WriteBits(s.v_bits, 64);
    } else if (i == 1) {
      uvarint(t_delta);
      value(s.v_bits);
    } else {
      const auto dod = static_cast<int64_t>(t_delta - t_delta_prev);
      auto fits = [&](int bits) {
        const int64_t half = int64_t{1} << (bits - 1);
        return -(half - 1) <= dod && dod <= half;
      };
      if (dod == 0) {
        w.WriteBit(false);
      } else if (fits(14)) {
        w.WriteBits(0b10, 2);
        w.WriteBits(static_cast<uint64_t>(dod), 14);
      } else if (fits(17)) {
        w.WriteBits(0b110, 3);
        w.WriteBits(static_cast<uint64_t>(dod), 17);
      } else if (fits(20)) {
        w.WriteBits(0b1110, 4);
        w.WriteBits(static_cast<uint64_t>(dod), 20);
      } else {
        w.WriteBits(0b1111, 4);
        w.WriteBits(static_cast<uint64_t>(dod), 64);
      }
      value(s.v_bits);
    }
    t_delta_prev = i == 0 ? 0 : t_delta;
    t_prev = s.t;
    v_prev = s.v_bits;
  }
  std::string out(w.bytes());
  out[0] = static_cast<char>(samples.size() >> 8);
  out[1] = static_cast<char>(samples.size());
  return out;
}

std::string Encode(const std::vector<Sample>& samples) {
  XorChunk c;
  for (const Sample& s : samples) {
    c.Append(s.t, std::bit_cast<double>(s.v_bits));
  }
  return std::string(c.Bytes());
}

// A series mixing the interesting cases, chosen at random per sample.
std::vector<Sample> MixedSeries(std::mt19937_64& rng, int n) {
  std::vector<Sample> out;
  int64_t t = static_cast<int64_t>(rng() % 2000000) - 1000000;
  int64_t step = 15000;
  uint64_t v = rng();
  for (int i = 0; i < n; ++i) {
    switch (rng() % 8) {
      case 0:  // Jitter within each dod bucket, or beyond all of them.
        step += static_cast<int64_t>(rng() % 17000) - 8500;
        break;
      case 1:
        step += static_cast<int64_t>(rng() % 1000000) - 500000;
        break;
      case 2:
        step += static_cast<int64_t>(rng() % (int64_t{1} << 40));
        break;
      default:
        break;
    }
    if (step < 1) step = 1;
    t += step;
    switch (rng() % 6) {
      case 0:  // Unchanged.
        break;
      case 1:  // A window of a random width and position.
      case 2: {
        const int width = 1 + static_cast<int>(rng() % 64);
        const int shift = static_cast<int>(rng() % (65 - width));
        const uint64_t mask =
            width == 64 ? ~uint64_t{0} : ((uint64_t{1} << width) - 1);
        v ^= (rng() & mask) << shift;
        break;
      }
      case 3:  // Whole bytes of significant bits.
        v ^= (rng() & 0xff) << (8 * (rng() % 8));
        break;
      case 4:  // Low bits only: reuses a wide window.
        v ^= rng() & 0xf;
        break;
      default:
        v = rng();
        break;
    }
    out.push_back({t, v});
  }
  return out;
}

TEST(XorEncodeDiffTest, MatchesFieldByFieldReference) {
  std::mt19937_64 rng(20261205);
  for (int round = 0; round < 5000; ++round) {
    const int n = 1 + static_cast<int>(rng() % 300);
    const std::vector<Sample> s = MixedSeries(rng, n);
    const std::string want = ReferenceEncode(s);
    ASSERT_EQ(Encode(s), want) << "round " << round << ", " << n << " samples";
  }
}

TEST(XorEncodeDiffTest, EverySignificantWidthAtEveryOffset) {
  // Values whose XOR has exactly `sig` significant bits, after timestamps
  // that shift the bit offset, so every write width ends at every offset.
  for (int sig = 1; sig <= 64; ++sig) {
    for (int offset_steps = 0; offset_steps < 8; ++offset_steps) {
      std::vector<Sample> s;
      int64_t t = 0;
      uint64_t v = 0;
      s.push_back({t, v});
      for (int i = 0; i < 12; ++i) {
        t += 1000 + (i < offset_steps ? 7 * i : 0);
        const uint64_t top = uint64_t{1} << (sig - 1);
        v ^= top | (sig > 1 ? 1 : 0);
        s.push_back({t, v});
      }
      ASSERT_EQ(Encode(s), ReferenceEncode(s))
          << "sig " << sig << ", offset steps " << offset_steps;
    }
  }
}

}  // namespace
}  // namespace strata::chunk
