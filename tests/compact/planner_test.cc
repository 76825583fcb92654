#include "compact/planner.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

constexpr int64_t kH = 3600 * 1000;

BlockMeta Meta(int64_t mint_h, int64_t maxt_h) {
  BlockMeta m;
  m.min_time = mint_h * kH;
  m.max_time = maxt_h * kH;
  return m;
}

TEST(PlannerTest, Ranges) {
  EXPECT_EQ(
      CompactionRanges(2 * kH, 15 * 24 * kH),
      (std::vector<int64_t>{2 * kH, 6 * kH, 18 * kH}));  // 54h > 10 % of 15d
  // Without retention, up to 31 days.
  auto r = CompactionRanges(2 * kH, 0);
  EXPECT_EQ(r.back(), 2 * kH * 243);  // 486 h; the next, 1458 h, exceeds 744 h.
}

TEST(PlannerTest, NothingForFewBlocks) {
  auto ranges = CompactionRanges(2 * kH, 15 * 24 * kH);
  EXPECT_TRUE(PlanCompaction({}, ranges).empty());
  EXPECT_TRUE(PlanCompaction({Meta(0, 2)}, ranges).empty());
  // Two blocks of a 6h range, the newest excluded: nothing yet.
  EXPECT_TRUE(PlanCompaction({Meta(0, 2), Meta(2, 4)}, ranges).empty());
}

TEST(PlannerTest, FullRangeIsCompacted) {
  auto ranges = CompactionRanges(2 * kH, 15 * 24 * kH);
  // 0-2, 2-4, 4-6 fill [0, 6h); 6-8 is the newest and left alone.
  auto plan =
      PlanCompaction({Meta(0, 2), Meta(2, 4), Meta(4, 6), Meta(6, 8)}, ranges);
  EXPECT_EQ(plan, (std::vector<size_t>{0, 1, 2}));
}

TEST(PlannerTest, GroupBeforeNewestIsCompacted) {
  auto ranges = CompactionRanges(2 * kH, 15 * 24 * kH);
  // [0, 6h) has a gap but lies wholly before the newest block (min 8h).
  auto plan = PlanCompaction(
      {Meta(0, 2), Meta(4, 6), Meta(8, 10), Meta(10, 12)}, ranges);
  EXPECT_EQ(plan, (std::vector<size_t>{0, 1}));
}

TEST(PlannerTest, OverlappingFirst) {
  auto ranges = CompactionRanges(2 * kH, 15 * 24 * kH);
  auto plan =
      PlanCompaction({Meta(0, 2), Meta(2, 4), Meta(3, 5), Meta(6, 8)}, ranges);
  EXPECT_EQ(plan, (std::vector<size_t>{1, 2}));
}

TEST(PlannerTest, HigherLevel) {
  auto ranges = CompactionRanges(2 * kH, 15 * 24 * kH);
  // Three 6h blocks fill [0, 18h).
  auto plan = PlanCompaction(
      {Meta(0, 6), Meta(6, 12), Meta(12, 18), Meta(18, 20)}, ranges);
  EXPECT_EQ(plan, (std::vector<size_t>{0, 1, 2}));
}

}  // namespace
}  // namespace strata
