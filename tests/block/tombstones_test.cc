#include "block/tombstones.h"

#include <gtest/gtest.h>

#include "block_test_util.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {
namespace {

Intervals Add(Intervals in, Interval iv) {
  AddInterval(&in, iv);
  return in;
}

TEST(IntervalsTest, AddMergesOverlappingAndAdjacent) {
  EXPECT_EQ(Add({}, {1, 2}), (Intervals{{1, 2}}));
  EXPECT_EQ(Add({{1, 2}}, {3, 4}), (Intervals{{1, 4}}));  // Adjacent.
  EXPECT_EQ(Add({{1, 2}}, {4, 5}), (Intervals{{1, 2}, {4, 5}}));
  EXPECT_EQ(Add({{4, 5}}, {1, 2}), (Intervals{{1, 2}, {4, 5}}));
  EXPECT_EQ(Add({{1, 2}, {5, 6}, {9, 10}}, {2, 9}), (Intervals{{1, 10}}));
  EXPECT_EQ(Add({{1, 2}, {5, 6}, {9, 10}}, {4, 7}),
            (Intervals{{1, 2}, {4, 7}, {9, 10}}));
  EXPECT_EQ(Add({{5, 6}}, {6, 6}), (Intervals{{5, 6}}));
  EXPECT_EQ(Add({{1, 2}, {9, 10}}, {kMinTime, 0}),
            (Intervals{{kMinTime, 2}, {9, 10}}));
  EXPECT_EQ(Add({{1, 2}, {9, 10}}, {11, kMaxTime}),
            (Intervals{{1, 2}, {9, kMaxTime}}));
  EXPECT_EQ(Add({{1, 2}}, {kMinTime, kMaxTime}),
            (Intervals{{kMinTime, kMaxTime}}));
}

TEST(MemTombstonesTest, GetAddTotal) {
  MemTombstones t;
  EXPECT_TRUE(t.Empty());
  t.Add(7, {10, 20});
  t.Add(7, {21, 30});
  t.Add(3, {-5, -1});
  EXPECT_FALSE(t.Empty());
  EXPECT_EQ(t.Get(7), (Intervals{{10, 30}}));
  EXPECT_EQ(t.Get(3), (Intervals{{-5, -1}}));
  EXPECT_TRUE(t.Get(4).empty());
  EXPECT_EQ(t.Total(), 2u);
}

TEST(MemTombstonesTest, PrometheusByteLayout) {
  MemTombstones t;
  t.Add(2, {-3, 5});
  const std::string bytes = t.Encode();
  std::string want;
  PutBE32(&want, 0x0130BA30);
  want.push_back(1);
  std::string entries;
  PutUvarint(&entries, 2);
  PutVarint(&entries, -3);
  PutVarint(&entries, 5);
  want += entries;
  PutBE32(&want, crc32c::Value(entries));  // Version byte not included.
  EXPECT_EQ(bytes, want);
}

TEST(MemTombstonesTest, EncodeDecodeRoundTrip) {
  MemTombstones t;
  for (SeriesId id = 1; id < 100; id += 7) {
    t.Add(id, {id * 10, id * 10 + 5});
    t.Add(id, {kMinTime, -100});
  }
  auto d = MemTombstones::Decode(t.Encode(), "x");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->Total(), t.Total());
  for (SeriesId id = 0; id < 100; ++id) EXPECT_EQ((*d)->Get(id), t.Get(id));
  // An empty set is magic, version and the CRC of nothing.
  auto e = MemTombstones::Decode(MemTombstones().Encode(), "x");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE((*e)->Empty());
}

TEST(MemTombstonesTest, DecodeRejectsDamage) {
  MemTombstones t;
  t.Add(5, {1, 2});
  const std::string good = t.Encode();
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    auto d = MemTombstones::Decode(bad, "dir/tombstones");
    ASSERT_FALSE(d.ok()) << i;
    EXPECT_TRUE(d.status().IsCorruption());
    EXPECT_NE(d.status().message().find("dir/tombstones"),
              std::string_view::npos);
  }
  std::string bad = good;
  bad[4] = 2;
  EXPECT_TRUE(MemTombstones::Decode(bad, "x").status().IsCorruption());
  EXPECT_TRUE(
      MemTombstones::Decode(good.substr(0, 7), "x").status().IsCorruption());
}

TEST(MemTombstonesTest, FileRoundTripAndMissingFile) {
  testing::TempDir dir;
  FileSystem* fs = FileSystem::Default();
  auto none = ReadTombstonesFile(fs, dir.path());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)->Empty());
  MemTombstones t;
  t.Add(16, {100, 200});
  ASSERT_TRUE(WriteTombstonesFile(fs, dir.path(), t).ok());
  EXPECT_FALSE(fs->Exists(dir.path() + "/tombstones.tmp"));
  auto back = ReadTombstonesFile(fs, dir.path());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)->Get(16), (Intervals{{100, 200}}));
}

}  // namespace
}  // namespace strata
