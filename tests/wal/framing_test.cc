// Framing (framing.h) and its decoder (segment_reader.h), without files.
#include "wal/framing.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "wal/compression.h"
#include "wal/log_format.h"
#include "wal/segment_reader.h"
#include "wal_test_util.h"

namespace strata::wal {
namespace {

// Frames `records` back to back from offset 0, as one segment.
std::string Frame(const std::vector<std::string>& records, uint8_t flags = 0) {
  std::string out;
  int64_t offset = 0;
  for (const std::string& r : records)
    offset = AppendFragments(offset, r, flags, &out);
  EXPECT_EQ(offset, static_cast<int64_t>(out.size()));
  return out;
}

std::vector<std::string> ReadAllRecords(std::string_view segment,
                                        Status* status) {
  SegmentReader reader(segment);
  std::vector<std::string> out;
  std::string_view r;
  while (reader.Next(&r)) out.emplace_back(r);
  *status = reader.status();
  return out;
}

// Checks the structural invariants of a framed segment: fragments never
// cross pages, padding only where fewer than kHeaderSize bytes remain.
void CheckLayout(std::string_view seg) {
  int64_t pos = 0;
  const int64_t size = static_cast<int64_t>(seg.size());
  while (pos < size) {
    const int64_t left = kPageSize - pos % kPageSize;
    if (seg[pos] == 0) {
      ASSERT_LT(left, kHeaderSize) << "padding where a header fits at " << pos;
      for (int64_t i = 0; i < left; ++i) ASSERT_EQ(seg[pos + i], 0);
      pos += left;
      continue;
    }
    ASSERT_GE(left, kHeaderSize);
    const int64_t len = DecodeBE16(seg.data() + pos + 1);
    ASSERT_LE(kHeaderSize + len, left) << "fragment crosses a page at " << pos;
    pos += kHeaderSize + len;
  }
  ASSERT_EQ(pos, size);
}

TEST(FramingTest, GoldenSmallRecord) {
  std::string out;
  EXPECT_EQ(AppendFragments(0, "abc", 0, &out), 10);
  ASSERT_EQ(out.size(), 10u);
  EXPECT_EQ(out[0], 1);  // kFull.
  EXPECT_EQ(DecodeBE16(out.data() + 1), 3);
  // CRC32C("abc") is 0x364b3fb7, stored big-endian.
  EXPECT_EQ(static_cast<uint8_t>(out[3]), 0x36);
  EXPECT_EQ(static_cast<uint8_t>(out[4]), 0x4b);
  EXPECT_EQ(static_cast<uint8_t>(out[5]), 0x3f);
  EXPECT_EQ(static_cast<uint8_t>(out[6]), 0xb7);
  EXPECT_EQ(out.substr(7), "abc");

  out.clear();
  AppendFragments(0, "abc", kZstdFlag, &out);
  EXPECT_EQ(out[0], 1 | kZstdFlag);
}

TEST(FramingTest, EmptyRecordIsAnEmptyFullFragment) {
  std::string out;
  EXPECT_EQ(AppendFragments(0, "", 0, &out), kHeaderSize);
  EXPECT_EQ(out, std::string("\x01\0\0\0\0\0\0", 7));  // CRC32C("") == 0.
  Status s;
  auto got = ReadAllRecords(Frame({"", "", "x", ""}), &s);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(got, (std::vector<std::string>{"", "", "x", ""}));
}

TEST(FramingTest, RecordFillingAPageExactly) {
  const std::string r = MakeRecord(1, kMaxFragmentData);
  std::string out;
  EXPECT_EQ(AppendFragments(0, r, 0, &out), kPageSize);
  EXPECT_EQ(out[0], 1);  // One kFull fragment, no padding.
  Status s;
  auto got = ReadAllRecords(Frame({r, r}), &s);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(got, (std::vector<std::string>{r, r}));
}

TEST(FramingTest, PageSizedRecordSplitsInTwo) {
  const std::string r = MakeRecord(2, kPageSize);
  std::string out;
  const int64_t end = AppendFragments(0, r, 0, &out);
  EXPECT_EQ(end, kPageSize + kHeaderSize + kHeaderSize);
  EXPECT_EQ(out[0], 2);          // kFirst.
  EXPECT_EQ(out[kPageSize], 4);  // kLast at the next page.
  EXPECT_EQ(DecodeBE16(out.data() + kPageSize + 1), kHeaderSize);
  CheckLayout(out);
}

TEST(FramingTest, MultiPageRecordUsesMiddleFragments) {
  const std::string r = MakeRecord(3, 5 * kPageSize + 123);
  std::string out;
  AppendFragments(100, r, 0, &out);  // Start mid-page.
  std::vector<int> types;
  for (int64_t page = 0;
       page * kPageSize < static_cast<int64_t>(out.size()) + 100; ++page) {
    const int64_t at = page == 0 ? 0 : page * kPageSize - 100;
    types.push_back(out[at]);
  }
  ASSERT_GE(types.size(), 6u);
  EXPECT_EQ(types.front(), 2);
  for (size_t i = 1; i + 1 < types.size(); ++i) EXPECT_EQ(types[i], 3);
  EXPECT_EQ(types.back(), 4);
}

TEST(FramingTest, PadsWhenFewerThanHeaderBytesRemain) {
  // A record leaving exactly 3 bytes in the page forces 3 bytes of padding.
  const std::string r = MakeRecord(4, kMaxFragmentData - 3);
  std::string out;
  EXPECT_EQ(AppendFragments(0, r, 0, &out), kPageSize);
  EXPECT_EQ(out.substr(kPageSize - 3), std::string(3, '\0'));
  // Leaving exactly kHeaderSize bytes: no padding, the next record starts
  // with an empty kFirst fragment in them.
  const std::string r2 = MakeRecord(5, kMaxFragmentData - kHeaderSize);
  out.clear();
  int64_t off = AppendFragments(0, r2, 0, &out);
  EXPECT_EQ(off, kPageSize - kHeaderSize);
  off = AppendFragments(off, "hello", 0, &out);
  EXPECT_EQ(out[kPageSize - kHeaderSize], 2);  // kFirst, length 0.
  EXPECT_EQ(DecodeBE16(out.data() + kPageSize - kHeaderSize + 1), 0);
  Status s;
  auto got = ReadAllRecords(out, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(got, (std::vector<std::string>{r2, "hello"}));
}

TEST(FramingTest, RandomRoundTrips) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::string> records;
    const int n = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      size_t size;
      switch (rng() % 4) {
        case 0:
          size = rng() % 8;
          break;
        case 1:
          size = kMaxFragmentData - 8 + rng() % 16;
          break;
        case 2:
          size = rng() % (3 * kPageSize);
          break;
        default:
          size = rng() % 300;
      }
      records.push_back(MakeRecord(round * 1000 + i, size));
    }
    const std::string seg = Frame(records);
    CheckLayout(seg);
    Status s;
    EXPECT_EQ(ReadAllRecords(seg, &s), records);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

TEST(FramingTest, CompressedRecordsRoundTrip) {
  for (Compression c : {Compression::kSnappy, Compression::kZstd}) {
    std::vector<std::string> records;
    std::string framed;
    int64_t offset = 0;
    for (int i = 0; i < 50; ++i) {
      // Compressible: repeated text, some spanning pages.
      std::string r;
      for (int k = 0; k < i * 97; ++k) r += "series{job=\"node\"} ";
      records.push_back(r);
      std::string compressed;
      const uint8_t flag = Compress(c, r, &compressed);
      if (r.size() > 64) {
        EXPECT_NE(flag, 0) << "record " << i << " should compress";
      }
      offset = AppendFragments(offset, flag ? compressed : r, flag, &framed);
    }
    Status s;
    EXPECT_EQ(ReadAllRecords(framed, &s), records);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
}

TEST(FramingTest, IncompressibleRecordsStayUncompressed) {
  std::string out;
  EXPECT_EQ(Compress(Compression::kZstd, MakeRecord(9, 200), &out), 0);
  EXPECT_EQ(Compress(Compression::kSnappy, "ab", &out), 0);
  EXPECT_EQ(Compress(Compression::kNone, std::string(1000, 'a'), &out), 0);
}

TEST(FramingTest, SegmentRoomFollowsPrometheus) {
  constexpr int64_t kSeg = 4 * kPageSize;
  EXPECT_EQ(SegmentRoom(0, kSeg), 4 * kMaxFragmentData);
  EXPECT_EQ(SegmentRoom(100, kSeg),
            kPageSize - 100 - kHeaderSize + 3 * kMaxFragmentData);
  EXPECT_EQ(SegmentRoom(3 * kPageSize + 10, kSeg),
            kPageSize - 10 - kHeaderSize);
  EXPECT_EQ(SegmentRoom(kSeg, kSeg), 0);
  EXPECT_EQ(SegmentRoom(kSeg + 500, kSeg), 0);
  EXPECT_EQ(PagePadding(0), 0);
  EXPECT_EQ(PagePadding(1), kPageSize - 1);
  EXPECT_EQ(PagePadding(kPageSize), 0);
}

TEST(SegmentReaderTest, AcceptsShortSegmentAndZeroTail) {
  const std::string seg = Frame({"a", "bb"});
  Status s;
  EXPECT_EQ(ReadAllRecords(seg, &s).size(), 2u);
  EXPECT_TRUE(s.ok());
  // Zero padding to (or short of) the page end is a clean end.
  EXPECT_EQ(ReadAllRecords(seg + std::string(100, '\0'), &s).size(), 2u);
  EXPECT_TRUE(s.ok());
  const std::string padded = seg + std::string(kPageSize - seg.size(), '\0');
  EXPECT_EQ(ReadAllRecords(padded, &s).size(), 2u);
  EXPECT_TRUE(s.ok());
}

TEST(SegmentReaderTest, TruncationAtEveryOffsetIsReportedAsTruncated) {
  const std::string first = MakeRecord(1, 50);
  const std::string last = MakeRecord(2, kPageSize + 500);  // Two fragments.
  const std::string seg = Frame({first, last});
  const int64_t last_start = kHeaderSize + 50;
  for (int64_t cut = last_start + 1; cut < static_cast<int64_t>(seg.size());
       ++cut) {
    SegmentReader reader(std::string_view(seg).substr(0, cut));
    std::string_view r;
    ASSERT_TRUE(reader.Next(&r));
    EXPECT_EQ(r, first);
    ASSERT_FALSE(reader.Next(&r)) << cut;
    EXPECT_EQ(reader.error(), SegmentReader::Error::kTruncated) << cut;
    EXPECT_EQ(reader.record_offset(), last_start) << cut;
    EXPECT_FALSE(reader.status().ok());
    EXPECT_FALSE(SegmentReader::ValidFragmentFollows(
        std::string_view(seg).substr(0, cut), reader.error_offset()));
  }
}

TEST(SegmentReaderTest, DetectsDamage) {
  const std::string a = MakeRecord(1, 100), b = MakeRecord(2, 100);
  const std::string c = MakeRecord(3, 100);
  const std::string seg = Frame({a, b, c});
  const int64_t b_start = kHeaderSize + 100;
  struct Case {
    const char* name;
    int64_t at;
    char value;
  };
  const Case cases[] = {
      {"payload byte", b_start + kHeaderSize + 5, 0x5a},
      {"crc byte", b_start + 4, 0x11},
      {"type byte", b_start, 0x07},
      {"flags", b_start, 0x21},
      {"middle without first", b_start, 0x03},
      {"length too large", b_start + 1, static_cast<char>(0xff)},
  };
  for (const Case& tc : cases) {
    std::string bad = seg;
    bad[tc.at] = tc.value;
    SegmentReader reader(bad);
    std::string_view r;
    ASSERT_TRUE(reader.Next(&r)) << tc.name;
    EXPECT_EQ(r, a);
    EXPECT_FALSE(reader.Next(&r)) << tc.name;
    EXPECT_EQ(reader.error(), SegmentReader::Error::kCorrupt) << tc.name;
    EXPECT_EQ(reader.record_offset(), b_start) << tc.name;
    EXPECT_EQ(reader.error_offset(), b_start) << tc.name;
    EXPECT_NE(reader.status().message().find("offset"), std::string_view::npos);
  }
  // Record c, valid, follows the damaged b.
  std::string bad = seg;
  bad[b_start + kHeaderSize + 5] ^= 1;
  EXPECT_TRUE(SegmentReader::ValidFragmentFollows(bad, b_start));
  // Damage in the last record: nothing valid follows.
  bad = seg;
  bad[seg.size() - 1] ^= 1;
  EXPECT_FALSE(SegmentReader::ValidFragmentFollows(bad, 2 * b_start));
}

TEST(SegmentReaderTest, NonZeroPaddingIsCorrupt) {
  std::string seg = Frame({MakeRecord(1, kMaxFragmentData - 3), "next"});
  seg[kPageSize - 2] = 1;
  Status s;
  auto got = ReadAllRecords(seg, &s);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_TRUE(s.IsCorruption());
}

TEST(SegmentReaderTest, DamagedCompressedPayloadIsCorrupt) {
  std::string compressed;
  const std::string r(5000, 'z');
  const uint8_t flag = Compress(Compression::kZstd, r, &compressed);
  ASSERT_EQ(flag, kZstdFlag);
  compressed[compressed.size() / 2] ^= 0x40;
  std::string seg;
  AppendFragments(0, compressed, flag, &seg);  // CRC matches the damage.
  Status s;
  EXPECT_TRUE(ReadAllRecords(seg, &s).empty());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

}  // namespace
}  // namespace strata::wal
