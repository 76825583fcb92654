#include "head/open_batches.h"

#include <gtest/gtest.h>

#include <limits>

namespace strata {
namespace {

constexpr uint64_t kNone = std::numeric_limits<uint64_t>::max();

TEST(OpenBatchesTest, OldestOpenFollowsTheBatchesOfEachGeneration) {
  OpenBatches batches;
  EXPECT_EQ(batches.OldestOpen(), kNone);
  const uint64_t a = batches.Begin();
  const uint64_t b = batches.Begin();
  EXPECT_EQ(a, b);
  // A truncation removed series: they carry generation `removed`, and the
  // two open batches may hold them.
  const uint64_t removed = batches.Advance();
  EXPECT_EQ(removed, a);
  const uint64_t c = batches.Begin();
  EXPECT_GT(c, removed);
  EXPECT_EQ(batches.OldestOpen(), a);
  batches.End(a);
  EXPECT_EQ(batches.OldestOpen(), a);  // b is still open.
  batches.End(b);
  // Only c is open, and it started after the removal.
  EXPECT_EQ(batches.OldestOpen(), c);
  EXPECT_LT(removed, batches.OldestOpen());
  batches.End(c);
  EXPECT_EQ(batches.OldestOpen(), kNone);
}

}  // namespace
}  // namespace strata
