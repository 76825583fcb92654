#include "util/memory_budget.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "peak_rss.h"

namespace strata {
namespace {

TEST(MemoryBudgetTest, RequestLimit) {
  MemoryBudget budget(100, nullptr);
  EXPECT_TRUE(budget.Add(60));
  EXPECT_EQ(budget.Remaining(), 40);
  EXPECT_FALSE(budget.Add(41));
  EXPECT_TRUE(budget.exceeded());
  EXPECT_EQ(budget.exceeded_reason(), MemoryBudget::Exceeded::kRequestLimit);
  EXPECT_EQ(budget.used(), 60);  // The refused bytes are not counted.
  EXPECT_TRUE(budget.Set(10));
  EXPECT_EQ(budget.used(), 10);
  EXPECT_EQ(budget.peak(), 60);
  EXPECT_TRUE(budget.exceeded());  // Sticky.
}

TEST(MemoryBudgetTest, SharedPool) {
  MemoryPool pool(100);
  {
    MemoryBudget a(0, &pool);
    MemoryBudget b(80, &pool);
    EXPECT_TRUE(a.Add(70));
    EXPECT_EQ(b.Remaining(), 30);
    EXPECT_FALSE(b.Add(31));
    EXPECT_EQ(b.exceeded_reason(), MemoryBudget::Exceeded::kPoolLimit);
    EXPECT_EQ(pool.used(), 70);
    EXPECT_TRUE(a.Add(-50));
    EXPECT_EQ(pool.used(), 20);
    MemoryBudget c(0, &pool);
    EXPECT_TRUE(c.Add(80));
    EXPECT_EQ(pool.used(), 100);
  }
  EXPECT_EQ(pool.used(), 0);  // Destroyed budgets give everything back.
}

TEST(MemoryBudgetTest, NeverBelowZero) {
  MemoryPool pool(0);
  MemoryBudget budget(0, &pool);
  EXPECT_TRUE(budget.Add(5));
  EXPECT_TRUE(budget.Add(-50));
  EXPECT_EQ(budget.used(), 0);
  EXPECT_EQ(pool.used(), 0);
}

// Freed small blocks between live ones stay resident until trimmed: glibc
// can only shrink the heap's top by itself.
TEST(ReleaseFreeMemoryToOsTest, ReturnsFragmentedFreeMemory) {
  constexpr size_t kBlock = 4096;
  constexpr size_t kBlocks = 50000;  // 200 MB.
  const int64_t before = testing::CurrentRssBytes();
  std::vector<char*> blocks(kBlocks);
  for (char*& b : blocks) {
    b = static_cast<char*>(std::malloc(kBlock));
    std::memset(b, 1, kBlock);
  }
  // Keep every 1000th block, so no free range reaches the top of the heap.
  for (size_t i = 0; i < kBlocks; ++i) {
    if (i % 1000 != 999) {
      std::free(blocks[i]);
      blocks[i] = nullptr;
    }
  }
  const int64_t freed = testing::CurrentRssBytes() - before;
  ReleaseFreeMemoryToOs();
  const int64_t trimmed = testing::CurrentRssBytes() - before;
  for (char* b : blocks) std::free(b);
  EXPECT_GT(freed, 150 << 20);
  EXPECT_LT(trimmed, 20 << 20);
}

}  // namespace
}  // namespace strata
