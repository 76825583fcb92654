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

TEST(HugePagePoolTest, PowerOfTwoSlotsAreAlignedToTheirSize) {
  HugePagePool pool(512, HugePagePool::EmptyRegions::kReturn);
  std::vector<void*> slots;
  for (int i = 0; i < 5000; ++i) {
    slots.push_back(pool.Allocate());
    ASSERT_EQ(reinterpret_cast<uintptr_t>(slots.back()) % 512, 0u);
  }
  for (void* p : slots) pool.Free(p);
}

// Buffers that grow move to the next size's pool; what they leave must go
// back to the system, not stay with the pool.
TEST(HugePagePoolTest, ReturnsRegionsWhoseSlotsAreAllFreeButOne) {
  constexpr size_t kPerRegion = HugePagePool::kRegionBytes / 256;
  HugePagePool pool(256, HugePagePool::EmptyRegions::kReturn);
  std::vector<void*> slots;
  for (size_t i = 0; i < 4 * kPerRegion; ++i) slots.push_back(pool.Allocate());
  EXPECT_EQ(pool.mapped_bytes(), 4 * HugePagePool::kRegionBytes);
  // Every other slot freed: no region is empty, all stay.
  for (size_t i = 0; i < slots.size(); i += 2) pool.Free(slots[i]);
  EXPECT_EQ(pool.mapped_bytes(), 4 * HugePagePool::kRegionBytes);
  // Refilled from the holes, without mapping more.
  for (size_t i = 0; i < slots.size(); i += 2) slots[i] = pool.Allocate();
  EXPECT_EQ(pool.mapped_bytes(), 4 * HugePagePool::kRegionBytes);
  for (void* p : slots) pool.Free(p);
  EXPECT_EQ(pool.mapped_bytes(), HugePagePool::kRegionBytes);
  // The kept region serves again; a slot from it is writable.
  void* p = pool.Allocate();
  std::memset(p, 1, 256);
  EXPECT_EQ(pool.mapped_bytes(), HugePagePool::kRegionBytes);
  pool.Free(p);
}

// The head's series are read by prefetches without locks, even after they
// were freed: their regions stay mapped.
TEST(HugePagePoolTest, KeepsEmptyRegionsMapped) {
  HugePagePool pool(1024);
  std::vector<void*> slots;
  for (size_t i = 0; i < 3 * HugePagePool::kRegionBytes / 1024; ++i) {
    slots.push_back(pool.Allocate());
  }
  for (void* p : slots) pool.Free(p);
  EXPECT_EQ(pool.mapped_bytes(), 3 * HugePagePool::kRegionBytes);
}

TEST(HugePagePoolTest, ConcurrentAllocateAndFree) {
  for (auto policy : {HugePagePool::EmptyRegions::kKeep,
                      HugePagePool::EmptyRegions::kReturn}) {
    HugePagePool pool(128, policy);
    constexpr int kThreads = 4;
    constexpr int kRounds = 40000;
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
    const size_t mapped = pool.mapped_bytes();
    for (int t = 0; t < kThreads; ++t) {
      for (void* p : kept[t]) pool.Free(p);
    }
    EXPECT_EQ(pool.mapped_bytes(), policy == HugePagePool::EmptyRegions::kKeep
                                       ? mapped
                                       : HugePagePool::kRegionBytes);
  }
}

}  // namespace
}  // namespace strata
