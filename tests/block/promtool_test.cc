// Compatibility with Prometheus 2.42 both ways: promtool reads blocks that
// Strata wrote, and Strata reads blocks that Prometheus and promtool wrote.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "block/block.h"
#include "block/block_dir.h"
#include "block/block_writer.h"
#include "prometheus_block_fixture.h"
#include "promtool_util.h"
#include "test_env.h"

namespace strata {
namespace {

using testing::PromtoolDump;
using testing::ReadAll;
using testing::RunCommand;
using testing::SeriesSamples;
using testing::TempDir;

constexpr int64_t k2h = 2 * 3600 * 1000;
// A 2 h-aligned time near the dataset's.
constexpr int64_t kBase = 249391 * k2h;

TEST_F(PromtoolTest, PromtoolReadsStrataBlock) {
  TempDir dir;
  SeriesSamples want = testing::MakeSeries(40, kBase, kBase + k2h, 15000);
  // Label values that need quoting, and special values.
  const double stale = BitsToDouble(kStaleNaNBits);
  want[Labels::Of({{"__name__", "odd_metric"},
                   {"path", "C:\\dir \"q\"\nend"},
                   {"city", "Z\xc3\xbcrich"}})] = {
      {kBase + 1, 1.5},
      {kBase + 2, -0.0},
      {kBase + 3, std::numeric_limits<double>::infinity()},
      {kBase + 4, 1e-300},
      {kBase + 5, stale},
      {kBase + 6, 123456789.125}};
  auto head = std::make_shared<Head>(HeadOptions{});
  testing::FillHead(head.get(), want);
  BlockWriter w(FileSystem::Default(), dir.path());
  const BlockReader* src = head.get();
  auto meta = w.Write({&src, 1}, kBase, kBase + k2h);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  auto block = Block::Open(FileSystem::Default(),
                           JoinPath(dir.path(), meta->ulid.ToString()));
  ASSERT_TRUE(block.ok()) << block.status().ToString();

  int code = 0;
  const std::string list =
      RunCommand("promtool tsdb list '" + dir.path() + "'", &code);
  ASSERT_EQ(code, 0) << list;
  std::istringstream lines(list);
  std::string line;
  std::getline(lines, line);  // Header.
  std::getline(lines, line);
  std::istringstream fields(line);
  std::string ulid, duration;
  int64_t mint, maxt, size;
  uint64_t samples, chunks, series;
  fields >> ulid >> mint >> maxt >> duration >> samples >> chunks >> series >>
      size;
  EXPECT_EQ(ulid, meta->ulid.ToString());
  EXPECT_EQ(mint, kBase);
  EXPECT_EQ(maxt, kBase + k2h);
  EXPECT_EQ(duration, "2h0m0s");
  EXPECT_EQ(samples, testing::CountSamples(want));
  EXPECT_EQ(chunks, meta->stats.num_chunks);
  EXPECT_EQ(series, want.size());
  EXPECT_EQ(size, (*block)->Size());

  const std::string analyze =
      RunCommand("promtool tsdb analyze '" + dir.path() + "' 2>&1", &code);
  ASSERT_EQ(code, 0) << analyze;
  EXPECT_NE(analyze.find("Block ID: " + meta->ulid.ToString()),
            std::string::npos)
      << analyze;
  EXPECT_NE(analyze.find("Series: 41\n"), std::string::npos) << analyze;
  EXPECT_NE(analyze.find("Label names: 5\n"), std::string::npos) << analyze;

  std::string diff;
  EXPECT_TRUE(testing::SameSamples(PromtoolDump(dir.path()), want, &diff))
      << diff;
}

TEST_F(PrometheusBlocksTest, PrometheusBlockMatchesPromtoolDump) {
  auto block = OpenPrometheusBlock();
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(block->meta().stats, (BlockStats{343835, 1467, 2934, 0}));
  EXPECT_EQ(block->Size(), 683574);  // As `promtool tsdb list` reports.
  Status v = block->Verify();
  EXPECT_TRUE(v.ok()) << v.ToString();
  const SeriesSamples got = ReadAll({block});
  EXPECT_EQ(testing::CountSamples(got), 343835u);
  std::string diff;
  EXPECT_TRUE(testing::SameSamples(got, PromtoolDump(prom_dir_), &diff))
      << diff;
}

// Strata rewrites the Prometheus block (a compaction of one block): chunks
// are copied byte for byte, and promtool reads the result.
TEST_F(PrometheusBlocksTest, RewrittenPrometheusBlockReadsBackInPromtool) {
  auto block = OpenPrometheusBlock();
  ASSERT_NE(block, nullptr);
  TempDir out;
  BlockWriter w(FileSystem::Default(), out.path());
  std::vector<BlockMeta> parents = {block->meta()};
  BlockCompaction c = CompactionFromParents(parents);
  const BlockReader* src = block.get();
  auto meta =
      w.Write({&src, 1}, block->meta().min_time, block->meta().max_time, &c);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->stats, block->meta().stats);
  EXPECT_EQ(w.last_stats().chunks_reencoded, 0);
  const std::string new_dir = JoinPath(out.path(), meta->ulid.ToString());
  EXPECT_TRUE(ReadFile(new_dir + "/chunks/000001") ==
              ReadFile(block->dir() + "/chunks/000001"));
  EXPECT_TRUE(ReadFile(new_dir + "/index") ==
              ReadFile(block->dir() + "/index"));
  auto rewritten = Block::Open(FileSystem::Default(), new_dir);
  ASSERT_TRUE(rewritten.ok());
  EXPECT_TRUE((*rewritten)->Verify().ok());
  std::string diff;
  EXPECT_TRUE(
      testing::SameSamples(PromtoolDump(out.path()), ReadAll({block}), &diff))
      << diff;
}

// The same samples through a Strata head and BlockWriter give the same
// bytes as Prometheus's block: the head cuts chunks where Prometheus's
// does, the codec is bit-exact and the index writer follows Prometheus's.
TEST_F(PrometheusBlocksTest, HeadPersistenceReproducesPrometheusBytes) {
  auto prom = OpenPrometheusBlock();
  ASSERT_NE(prom, nullptr);
  const SeriesSamples samples = ReadAll({prom});
  auto head = std::make_shared<Head>(HeadOptions{});
  testing::FillHead(head.get(), samples);
  TempDir out;
  BlockWriter w(FileSystem::Default(), out.path());
  const BlockReader* src = head.get();
  auto meta = w.Write({&src, 1}, prom->meta().min_time, prom->meta().max_time);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->stats, prom->meta().stats);
  const std::string dir = JoinPath(out.path(), meta->ulid.ToString());
  EXPECT_TRUE(ReadFile(dir + "/chunks/000001") ==
              ReadFile(prom->dir() + "/chunks/000001"));
  EXPECT_TRUE(ReadFile(dir + "/index") == ReadFile(prom->dir() + "/index"));
  EXPECT_EQ(ReadFile(dir + "/tombstones"),
            ReadFile(prom->dir() + "/tombstones"));
}

TEST_F(PrometheusBlocksTest, PromtoolCreatedBlocksOpen) {
  auto prom = OpenPrometheusBlock();
  ASSERT_NE(prom, nullptr);
  TempDir work;
  const std::string om = work.path() + "/data.om";
  const std::string out = work.path() + "/out";
  int code = 0;
  RunCommand(
      "zstd -dc '" + testing::DatasetDir() + "/data.om.zst' > '" + om + "'",
      &code);
  ASSERT_EQ(code, 0);
  const std::string log =
      RunCommand("promtool tsdb create-blocks-from openmetrics '" + om + "' '" +
                     out + "' 2>&1",
                 &code);
  ASSERT_EQ(code, 0) << log;
  auto names = ListBlockDirs(FileSystem::Default(), out);
  ASSERT_TRUE(names.ok());
  ASSERT_FALSE(names->empty());
  std::vector<std::shared_ptr<const BlockReader>> blocks;
  uint64_t samples = 0;
  for (const std::string& n : *names) {
    auto b = Block::Open(FileSystem::Default(), JoinPath(out, n));
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    Status v = (*b)->Verify();
    EXPECT_TRUE(v.ok()) << v.ToString();
    samples += (*b)->meta().stats.num_samples;
    blocks.push_back(*b);
  }
  EXPECT_EQ(samples, 343835u);
  std::string diff;
  EXPECT_TRUE(testing::SameSamples(ReadAll(blocks), ReadAll({prom}), &diff))
      << diff;
}

}  // namespace
}  // namespace strata
