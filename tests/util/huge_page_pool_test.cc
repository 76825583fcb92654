#include "util/huge_page_pool.h"

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace {

TEST(HugePagePoolTest, SlotsAreAlignedDistinctAndWritable) {
  HugePagePool pool(192);
  std::vector<void*> slots;
  // More than one region's worth.
  const size_t n = HugePagePool::kRegionBytes / 192 + 100;
  for (size_t i = 0; i < n; ++i) {
    void* p = pool.Allocate();
    ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    std::memset(p, static_cast<int>(i & 0xff), 192);
    slots.push_back(p);
  }
  EXPECT_EQ(std::set<void*>(slots.begin(), slots.end()).size(), n);
  EXPECT_EQ(pool.mapped_bytes(), 2 * HugePagePool::kRegionBytes);
  // Nothing overlapped: every slot still holds its own pattern.
  for (size_t i = 0; i < n; ++i) {
    const auto* b = static_cast<const unsigned char*>(slots[i]);
    ASSERT_EQ(b[0], i & 0xff);
    ASSERT_EQ(b[191], i & 0xff);
  }
  for (void* p : slots) pool.Free(p);
}

TEST(HugePagePoolTest, FreedSlotsAreReusedBeforeMappingMore) {
  HugePagePool pool(256);
  std::vector<void*> first;
  for (int i = 0; i < 1000; ++i) first.push_back(pool.Allocate());
  const size_t mapped = pool.mapped_bytes();
  for (void* p : first) pool.Free(p);
  std::set<void*> again;
  for (int i = 0; i < 1000; ++i) again.insert(pool.Allocate());
  EXPECT_EQ(again, std::set<void*>(first.begin(), first.end()));
  EXPECT_EQ(pool.mapped_bytes(), mapped);
}

TEST(HugePagePoolTest, ConcurrentAllocateAndFree) {
  HugePagePool pool(128);
  constexpr int kThreads = 4;
  constexpr int kRounds = 20000;
  std::vector<std::thread> threads;
  std::vector<std::vector<void*>> kept(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        void* p = pool.Allocate();
        std::memset(p, t, 128);
        if (i % 2 == 0) {
          pool.Free(p);
        } else {
          kept[t].push_back(p);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<void*> all;
  for (int t = 0; t < kThreads; ++t) {
    for (void* p : kept[t]) {
      // Still this thread's: no slot was handed out twice.
      EXPECT_EQ(*static_cast<unsigned char*>(p), t);
      all.insert(p);
    }
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kRounds / 2));
}

}  // namespace
}  // namespace strata
