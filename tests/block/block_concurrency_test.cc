// One Block read from several threads at once: queries, mapped chunk reads,
// io_uring batches and a compaction reading it, while the last owner drops
// it.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "block/block.h"
#include "block/block_writer.h"
#include "query_test_util.h"

namespace strata {
namespace {

constexpr int64_t kHour = 3600 * 1000;

TEST(BlockConcurrencyTest, ConcurrentReaders) {
  testing::TempDir dir;
  const testing::SeriesSamples want =
      testing::MakeSeries(100, 0, 2 * kHour, 15000);
  auto head = std::make_shared<Head>(HeadOptions{});
  testing::FillHead(head.get(), want);
  BlockWriter w(FileSystem::Default(), dir.path());
  const BlockReader* src = head.get();
  auto meta = w.Write({&src, 1}, 0, 2 * kHour);
  ASSERT_TRUE(meta.ok());
  BlockOptions opts;
  opts.chunks.io_mode = ChunkIoMode::kUring;
  opts.chunks.uring_queue_depth = 8;
  auto opened = Block::Open(FileSystem::Default(),
                            JoinPath(dir.path(), meta->ulid.ToString()), opts);
  ASSERT_TRUE(opened.ok());
  std::shared_ptr<const Block> block = *opened;

  std::vector<ChunkMeta> metas;
  auto postings = block->Index().AllPostings();
  for (SeriesId id : *postings) {
    Labels l;
    std::vector<ChunkMeta> m;
    ASSERT_TRUE(block->Index().Series(id, &l, &m).ok());
    metas.insert(metas.end(), m.begin(), m.end());
  }

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([block, &want, &failures] {
      for (int k = 0; k < 3; ++k) {
        if (testing::ReadAll({block}) != want) ++failures;
      }
    });
    threads.emplace_back([block, &metas, &failures] {
      std::vector<ChunkBytes> out;
      for (int k = 0; k < 20; ++k) {
        if (!block->chunk_files().ReadBatch(metas, &out).ok()) ++failures;
        for (size_t j = 0; j < metas.size(); ++j) {
          auto c = block->Chunks().Chunk(metas[j]);
          if (!c.ok() || c->data != out[j].data) ++failures;
        }
      }
    });
  }
  threads.emplace_back([block, &dir, &failures] {
    BlockWriter w(FileSystem::Default(), dir.path() + "/compacted");
    const BlockReader* src = block.get();
    for (int k = 0; k < 3; ++k) {
      auto m = w.Write({&src, 1}, 0, 2 * kHour);
      if (!m.ok() || m->stats != block->meta().stats) ++failures;
    }
  });
  block.reset();  // The threads' references keep it open.
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace strata
