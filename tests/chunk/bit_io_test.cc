#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "chunk/bit_reader.h"
#include "chunk/bit_writer.h"
#include "gtest/gtest.h"

namespace strata::chunk {
namespace {

// Bits as a '0'/'1' string, MSB first: the obvious model of the stream.
std::string ToBitString(std::string_view bytes) {
  std::string s;
  for (char c : bytes) {
    for (int i = 7; i >= 0; --i) s.push_back(((c >> i) & 1) ? '1' : '0');
  }
  return s;
}

TEST(BitWriterTest, WritesMostSignificantBitFirst) {
  BitWriter w;
  w.WriteBit(true);
  w.WriteBits(0b01, 2);
  EXPECT_EQ(w.bit_size(), 3u);
  EXPECT_EQ(ToBitString(w.bytes()), "10100000");
  w.WriteBits(0xABCD, 16);
  EXPECT_EQ(ToBitString(w.bytes()),
            "101"
            "1010101111001101"
            "00000");
  w.WriteBits(0, 0);
  EXPECT_EQ(w.bit_size(), 19u);
  w.WriteByte(0xFF);
  EXPECT_EQ(w.bit_size(), 27u);
  EXPECT_EQ(ToBitString(w.bytes()),
            "101"
            "1010101111001101"
            "11111111"
            "00000");
}

TEST(BitWriterTest, IgnoresBitsAboveWidth) {
  BitWriter w;
  w.WriteBits(~uint64_t{0}, 3);
  w.WriteBits(0xF0, 4);  // Only the low 4 bits (0000) count.
  EXPECT_EQ(ToBitString(w.bytes()), "11100000");
  EXPECT_EQ(w.bit_size(), 7u);
}

TEST(BitWriterTest, Writes64BitsAtEveryAlignment) {
  for (int offset = 0; offset < 8; ++offset) {
    BitWriter w;
    w.WriteBits(0, offset);
    w.WriteBits(0x8123456789ABCDEFull, 64);
    std::string want(offset, '0');
    for (int i = 63; i >= 0; --i) {
      want.push_back(((0x8123456789ABCDEFull >> i) & 1) ? '1' : '0');
    }
    want.resize((want.size() + 7) / 8 * 8, '0');
    // From a byte boundary, whole bytes leave bstream's free byte.
    if (offset == 0) want += "00000000";
    EXPECT_EQ(ToBitString(w.bytes()), want) << offset;
    EXPECT_EQ(w.bit_size(), static_cast<size_t>(64 + offset));
  }
}

TEST(BitWriterTest, TrailingFreeByteLikeBstream) {
  BitWriter w;
  w.WriteByte(0xA5);  // Aligned whole-byte write: a free byte follows.
  EXPECT_EQ(ToBitString(w.bytes()),
            "10100101"
            "00000000");
  EXPECT_EQ(w.bit_size(), 8u);
  EXPECT_EQ(w.free_bits(), 8);
  w.WriteBit(true);  // Fills the free byte instead of adding one.
  EXPECT_EQ(ToBitString(w.bytes()),
            "10100101"
            "10000000");
  w.WriteBits(0x7F, 7);  // Ends aligned, but bit by bit: no free byte.
  EXPECT_EQ(ToBitString(w.bytes()),
            "10100101"
            "11111111");
  EXPECT_EQ(w.free_bits(), 0);
  w.WriteBits(0x3, 3);
  w.WriteBits(0xFFFF, 16);  // Unaligned whole bytes: no free byte.
  EXPECT_EQ(w.free_bits(), 5);
  EXPECT_EQ(w.bytes().size(), 5u);
  w.WriteBits(0, 5);
  w.WriteBits(0x0102, 16);  // Aligned again.
  EXPECT_EQ(w.free_bits(), 8);
  EXPECT_EQ(w.bytes().size(), 8u);
  EXPECT_EQ(w.bit_size(), 56u);
  w.WriteBits(0xAB, 8);  // Into the free byte, then a new free byte.
  EXPECT_EQ(w.bytes().size(), 9u);
  EXPECT_EQ(static_cast<uint8_t>(w.bytes()[7]), 0xABu);
  EXPECT_EQ(w.free_bits(), 8);
}

TEST(BitWriterTest, ContinuesAdoptedStreamAndClearsFreeBits) {
  // 5 bits used ("10110"), 3 free bits holding junk that must be cleared.
  std::string bytes = "\xB7";
  BitWriter w(bytes, 3);
  EXPECT_EQ(w.bit_size(), 5u);
  w.WriteBits(0b01, 2);
  EXPECT_EQ(ToBitString(w.bytes()), "10110010");
  w.WriteBit(true);
  w.WriteBit(true);
  EXPECT_EQ(ToBitString(w.bytes()),
            "10110011"
            "10000000");
}

// Buffers come from pools by size up to 2 KiB, from malloc beyond
// (bit_writer.cc); a freed buffer is handed out again with stale bytes.
// Streams that grow through every size, copied at each step, and streams
// written into reused buffers, all hold exactly the bits written.
TEST(BitWriterTest, GrowsThroughEveryBufferSizeAndReusesFreedBuffers) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 3; ++round) {
    BitWriter w;
    std::string want;
    std::vector<BitWriter> copies;
    std::vector<std::string> copies_want;
    while (want.size() < 8 * 5000) {
      const int width = 1 + static_cast<int>(rng() % 64);
      const uint64_t v = rng() >> (64 - width);
      w.WriteBits(v, width);
      for (int i = width - 1; i >= 0; --i) {
        want.push_back(((v >> i) & 1) ? '1' : '0');
      }
      if (copies.empty() || w.capacity() > copies.back().capacity()) {
        copies.push_back(w);
        copies_want.push_back(want);
      }
    }
    ASSERT_GE(copies.size(), 6u);  // 128 B to 8 KiB.
    ASSERT_EQ(ToBitString(w.bytes()).substr(0, want.size()), want);
    for (size_t i = 0; i < copies.size(); ++i) {
      const std::string got = ToBitString(copies[i].bytes());
      ASSERT_EQ(got.substr(0, copies_want[i].size()), copies_want[i]) << i;
      // Nothing but zero bits after the written ones.
      EXPECT_EQ(got.find('1', copies_want[i].size()), std::string::npos);
    }
  }
}

// Writes random fields, reads them back with every read primitive, from an
// exactly sized heap copy so that sanitizers catch any read past the end.
TEST(BitReaderTest, RandomFieldsRoundTrip) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::pair<uint64_t, int>> fields;
    BitWriter w;
    const int n = 1 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) {
      const int width = static_cast<int>(rng() % 65);
      uint64_t v = rng();
      if (width < 64) v &= (uint64_t{1} << width) - 1;
      if (width == 0) v = 0;
      fields.emplace_back(v, width);
      w.WriteBits(v, width);
    }
    const std::string_view bytes = w.bytes();
    auto copy = std::make_unique<char[]>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), copy.get());
    BitReader r(std::string_view(copy.get(), bytes.size()));
    size_t consumed = 0;
    for (const auto& [v, width] : fields) {
      uint64_t got;
      if (width == 1 && (rng() & 1)) {
        got = r.ReadBit() ? 1 : 0;
      } else if (width > 0 && width <= BitReader::kMinRefillBits &&
                 (rng() & 1)) {
        r.Refill();
        ASSERT_GE(r.buffered(), BitReader::kMinRefillBits);
        got = r.window() >> (64 - width);
        r.Skip(width);
      } else {
        got = r.ReadBits(width);
      }
      ASSERT_EQ(got, v) << "round " << round << " width " << width;
      consumed += width;
      ASSERT_EQ(r.bits_consumed(), consumed);
      ASSERT_FALSE(r.overrun());
    }
    // The padding bits of the last byte are zero and still in range.
    const size_t pad = bytes.size() * 8 - consumed;
    EXPECT_EQ(r.ReadBits(static_cast<int>(pad)), 0u);
    EXPECT_FALSE(r.overrun());
    // One more bit is past the end.
    EXPECT_EQ(r.ReadBits(1), 0u);
    EXPECT_TRUE(r.overrun());
  }
}

TEST(BitReaderTest, EmptyInputOverrunsOnFirstBit) {
  BitReader r{std::string_view()};
  EXPECT_FALSE(r.overrun());
  EXPECT_EQ(r.ReadBits(0), 0u);
  EXPECT_FALSE(r.overrun());
  EXPECT_FALSE(r.ReadBit());
  EXPECT_TRUE(r.overrun());
}

TEST(BitReaderTest, ReadsPastEndAsZeros) {
  const std::string one(1, '\xff');
  BitReader r(one);
  EXPECT_EQ(r.ReadBits(64), 0xFF00000000000000ull);
  EXPECT_TRUE(r.overrun());
  EXPECT_EQ(r.bits_consumed(), 64u);
}

}  // namespace
}  // namespace strata::chunk
