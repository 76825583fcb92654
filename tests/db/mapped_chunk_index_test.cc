// MappedChunkIndex: chunks grouped by series ref in file order, dense and
// sparse refs alike; the ordered prefix stops at the first chunk that does
// not start after the previous one ends.
#include "db/mapped_chunk_index.h"

#include <gtest/gtest.h>

#include <vector>

namespace strata {
namespace {

std::vector<uint64_t> Refs(std::span<const MappedChunk> chunks) {
  std::vector<uint64_t> out;
  for (const MappedChunk& c : chunks) out.push_back(c.ref);
  return out;
}

void CheckGrouping(uint64_t base) {
  MappedChunkIndex index;
  // Interleaved as files hold them: series base+1 and base+3.
  index.Add(base + 3, {100, 0, 9});
  index.Add(base + 1, {101, 0, 9});
  index.Add(base + 3, {102, 10, 19});
  index.Add(base + 1, {103, 10, 19});
  index.Add(base + 1, {104, 5, 25});  // Overlaps the previous one.
  index.Build();
  EXPECT_EQ(index.num_series(), 2u);
  EXPECT_EQ(index.num_chunks(), 5u);
  EXPECT_EQ(Refs(index.AllOf(base + 1)),
            (std::vector<uint64_t>{101, 103, 104}));
  EXPECT_EQ(Refs(index.OrderedPrefixOf(base + 1)),
            (std::vector<uint64_t>{101, 103}));
  EXPECT_EQ(Refs(index.AllOf(base + 3)), (std::vector<uint64_t>{100, 102}));
  EXPECT_EQ(Refs(index.OrderedPrefixOf(base + 3)),
            (std::vector<uint64_t>{100, 102}));
  EXPECT_TRUE(index.AllOf(base + 2).empty());
  EXPECT_TRUE(index.AllOf(base + 1000).empty());
  EXPECT_TRUE(index.AllOf(0).empty());
}

TEST(MappedChunkIndexTest, DenseRefs) { CheckGrouping(0); }

TEST(MappedChunkIndexTest, SparseRefs) { CheckGrouping(uint64_t{1} << 40); }

TEST(MappedChunkIndexTest, Empty) {
  MappedChunkIndex index;
  index.Build();
  EXPECT_EQ(index.num_series(), 0u);
  EXPECT_TRUE(index.AllOf(1).empty());
  MappedChunkIndex never_built;
  EXPECT_TRUE(never_built.AllOf(1).empty());
}

}  // namespace
}  // namespace strata
