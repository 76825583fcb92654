#include "wal/segment.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "wal_test_util.h"

namespace strata::wal {
namespace {

TEST(SegmentNameTest, FormatAndParse) {
  EXPECT_EQ(SegmentName(0), "00000000");
  EXPECT_EQ(SegmentName(42), "00000042");
  EXPECT_EQ(SegmentName(123456789), "123456789");
  EXPECT_EQ(SegmentPath("/a/wal", 7), "/a/wal/00000007");
  EXPECT_EQ(ParseSegmentName("00000042"), 42);
  EXPECT_EQ(ParseSegmentName("7"), 7);
  EXPECT_EQ(ParseSegmentName(""), -1);
  EXPECT_EQ(ParseSegmentName("0000000x"), -1);
  EXPECT_EQ(ParseSegmentName("00000001.abandoned"), -1);
  EXPECT_EQ(ParseSegmentName("00000001.repair"), -1);
  EXPECT_EQ(CheckpointName(3), "checkpoint.00000003");
  EXPECT_EQ(ParseCheckpointName("checkpoint.00000003"), 3);
  EXPECT_EQ(ParseCheckpointName("checkpoint.00000003.tmp"), -1);
  EXPECT_EQ(ParseCheckpointName("00000003"), -1);
  EXPECT_EQ(AbandonMarkerName(5), "00000005.abandoned");
}

class SegmentFilesTest : public TempDirTest {
 protected:
  void Touch(const std::string& name) {
    auto f = posix()->NewWritableFile(JoinPath(dir_, name));
    ASSERT_TRUE(f.ok() && (*f)->Close().ok());
  }
};

TEST_F(SegmentFilesTest, ListsSegmentsAndCheckpointsInOrder) {
  ASSERT_TRUE(posix()->CreateDirs(dir_).ok());
  for (const char* n : {"00000010", "00000002", "00000009", "notes",
                        "00000009.abandoned", "00000003.repair"}) {
    Touch(n);
  }
  ASSERT_TRUE(posix()->CreateDirs(JoinPath(dir_, "checkpoint.00000008")).ok());
  ASSERT_TRUE(posix()->CreateDirs(JoinPath(dir_, "checkpoint.00000001")).ok());
  ASSERT_TRUE(
      posix()->CreateDirs(JoinPath(dir_, "checkpoint.00000011.tmp")).ok());

  auto segs = ListSegments(posix(), dir_);
  ASSERT_TRUE(segs.ok());
  std::vector<int> idx;
  for (const auto& s : *segs) idx.push_back(s.index);
  EXPECT_EQ(idx, (std::vector<int>{2, 9, 10}));
  auto range = GetSegmentRange(posix(), dir_);
  EXPECT_EQ(range->first, 2);
  EXPECT_EQ(range->last, 10);

  auto cps = ListCheckpoints(posix(), dir_);
  ASSERT_TRUE(cps.ok());
  ASSERT_EQ(cps->size(), 2u);
  EXPECT_EQ((*cps)[0].index, 1);
  EXPECT_EQ((*cps)[1].name, "checkpoint.00000008");

  ASSERT_TRUE(RemoveSegmentsBefore(posix(), dir_, 10).ok());
  segs = ListSegments(posix(), dir_);
  ASSERT_EQ(segs->size(), 1u);
  EXPECT_EQ((*segs)[0].index, 10);
  EXPECT_FALSE(posix()->Exists(JoinPath(dir_, "00000009.abandoned")));
  EXPECT_TRUE(posix()->Exists(JoinPath(dir_, "notes")));
}

TEST_F(SegmentFilesTest, AbandonMarkersRoundTripAndRejectDamage) {
  ASSERT_TRUE(posix()->CreateDirs(dir_).ok());
  ASSERT_TRUE(WriteAbandonMarker(posix(), dir_, 3, 123456789012).ok());
  ASSERT_TRUE(WriteAbandonMarker(posix(), dir_, 7, 0).ok());
  auto markers = ReadAbandonMarkers(posix(), dir_);
  ASSERT_TRUE(markers.ok());
  EXPECT_EQ(*markers, (std::map<int, int64_t>{{3, 123456789012}, {7, 0}}));

  // A damaged marker is ignored rather than trusted.
  std::string content = *posix()->ReadFile(AbandonMarkerPath(dir_, 3));
  content[2] ^= 1;
  {
    auto f = posix()->NewWritableFile(AbandonMarkerPath(dir_, 3));
    ASSERT_TRUE((*f)->Append(content).ok());
  }
  {
    auto f = posix()->NewWritableFile(AbandonMarkerPath(dir_, 4));
    ASSERT_TRUE((*f)->Append("short").ok());
  }
  markers = ReadAbandonMarkers(posix(), dir_);
  EXPECT_EQ(*markers, (std::map<int, int64_t>{{7, 0}}));
}

}  // namespace
}  // namespace strata::wal
