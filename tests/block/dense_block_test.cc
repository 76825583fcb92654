// Blocks with dense chunks (ChunkFormat::kDense, the cold tier) made from
// Prometheus 2.42's recorded block: every reader gets the same samples
// bit for bit, the chunk API hands out XOR, converting back restores
// Prometheus's bytes (promtool dumps the same), and a damaged dense chunk
// is an error, never a crash.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "block/block.h"
#include "block/block_check.h"
#include "block/block_writer.h"
#include "block/chunk_format.h"
#include "chunk/dense_chunk.h"
#include "chunk/encoding.h"
#include "index/compact_index.h"
#include "index/index_file_reader.h"
#include "prometheus_block_fixture.h"
#include "promtool_util.h"
#include "query/block_querier.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {
namespace {

using testing::PromtoolDump;
using testing::ReadAll;
using testing::SeriesSamples;

constexpr uint8_t kDense = static_cast<uint8_t>(chunk::Encoding::kDense);
constexpr uint8_t kXor = static_cast<uint8_t>(chunk::Encoding::kXor);

class DenseBlockTest : public PrometheusBlocksTest {
 protected:
  // The Prometheus block and its dense copy (prom_, dense_, with the
  // writer's stats in dense_stats_).
  void SetUp() override {
    PrometheusBlocksTest::SetUp();
    if (IsSkipped()) return;
    prom_ = OpenPrometheusBlock();
    ASSERT_NE(prom_, nullptr);
    dense_ = Rewrite(prom_, out_.path(), ChunkFormat::kDense, &dense_stats_);
    ASSERT_NE(dense_, nullptr);
  }

  // Rewrites `block` (same range, one compaction level up) into `out_dir`
  // in `format`; null on failure.
  std::shared_ptr<const Block> Rewrite(
      const std::shared_ptr<const Block>& block, const std::string& out_dir,
      ChunkFormat format, BlockWriteStats* stats = nullptr) {
    BlockWriterOptions o;
    o.chunk_format = format;
    BlockWriter w(FileSystem::Default(), out_dir, o);
    std::vector<BlockMeta> parents = {block->meta()};
    BlockCompaction c = CompactionFromParents(parents);
    const BlockReader* src = block.get();
    auto meta =
        w.Write({&src, 1}, block->meta().min_time, block->meta().max_time, &c);
    EXPECT_TRUE(meta.ok()) << meta.status().ToString();
    if (!meta.ok()) return nullptr;
    EXPECT_EQ(meta->stats, block->meta().stats);
    if (stats != nullptr) *stats = w.last_stats();
    auto b = Block::Open(FileSystem::Default(),
                         JoinPath(out_dir, meta->ulid.ToString()));
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? *b : nullptr;
  }

  // The first dense chunk of `block`: its meta.
  static ChunkMeta FirstDenseChunk(const Block& block) {
    auto all = block.Index().AllPostings();
    EXPECT_TRUE(all.ok());
    Labels labels;
    std::vector<ChunkMeta> metas;
    for (SeriesId id : *all) {
      metas.clear();
      EXPECT_TRUE(block.Index().Series(id, &labels, &metas).ok());
      for (const ChunkMeta& m : metas) {
        auto c = block.Chunks().Chunk(m);
        if (c.ok() && c->encoding == kDense) return m;
      }
    }
    ADD_FAILURE() << "no dense chunk";
    return {};
  }

  TempDir out_;
  std::shared_ptr<const Block> prom_, dense_;
  BlockWriteStats dense_stats_;
};

TEST_F(DenseBlockTest, DenseBlockReadsTheSameAndIsSmaller) {
  const std::shared_ptr<const Block>& prom = prom_;
  const std::shared_ptr<const Block>& dense = dense_;
  EXPECT_GT(dense_stats_.chunks_dense, 0);
  EXPECT_TRUE(HasDenseChunks(dense->meta()));
  EXPECT_FALSE(HasDenseChunks(prom->meta()));
  // Figures for bench/RESULTS.md come from bench/dense_chunk_bench; here
  // only the direction.
  EXPECT_LT(std::filesystem::file_size(dense->dir() + "/chunks/000001"),
            std::filesystem::file_size(prom->dir() + "/chunks/000001"));
  // The index is in the compact form, and much smaller.
  EXPECT_TRUE(compact_index::IsCompact(ReadFile(dense->dir() + "/index")));
  EXPECT_TRUE(dense->index_file().compact());
  EXPECT_FALSE(prom->index_file().compact());
  EXPECT_LT(2 * std::filesystem::file_size(dense->dir() + "/index"),
            std::filesystem::file_size(prom->dir() + "/index"));
  Status v = dense->Verify();
  EXPECT_TRUE(v.ok()) << v.ToString();
  BlockCheckResult check = CheckBlockDir(FileSystem::Default(), dense->dir(),
                                         dense->meta().ulid.ToString());
  EXPECT_TRUE(check.problems.empty()) << check.problems.front().what;
  EXPECT_EQ(check.chunks_checked, 2934);
  // Bit-exact (TV compares values by bits), also from the middle.
  EXPECT_EQ(ReadAll({dense}), ReadAll({prom}));
  const int64_t mid = (prom->MinTime() + prom->MaxTime()) / 2;
  EXPECT_EQ(ReadAll({dense}, mid, mid + 600000),
            ReadAll({prom}, mid, mid + 600000));
}

// The public chunk API (remote read's STREAMED_XOR_CHUNKS) yields the XOR
// chunks the dense ones came from, byte for byte.
TEST_F(DenseBlockTest, ChunkIteratorYieldsPrometheusXorChunks) {
  const std::shared_ptr<const Block>& prom = prom_;
  const std::shared_ptr<const Block>& dense = dense_;
  auto chunks_of = [](std::shared_ptr<const Block> b) {
    std::vector<std::string> got;
    BlockQuerier q({b}, kMinTime, kMaxTime);
    auto set = q.Select(
        {Matcher::Create(Matcher::Type::kRegexMatch, kMetricNameLabel, ".+")
             .value()},
        SelectHints{});
    while (set->Next()) {
      auto it = set->At().NewChunkIterator();
      while (it->Next()) {
        EXPECT_EQ(it->At().encoding, kXor);
        got.push_back(std::string(it->At().data));
      }
      EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    }
    return got;
  };
  const std::vector<std::string> want = chunks_of(prom);
  EXPECT_EQ(want.size(), 2934u);
  EXPECT_TRUE(chunks_of(dense) == want);
}

// Dense (compact index), then back to XOR: Prometheus's chunk and index
// bytes again, and promtool 2.42 dumps the converted block exactly as the
// original.
TEST_F(DenseBlockTest, ConvertingBackRestoresPrometheusBlock) {
  TempDir back_dir;
  const std::shared_ptr<const Block>& prom = prom_;
  const std::shared_ptr<const Block>& dense = dense_;
  BlockWriteStats stats;
  auto back = Rewrite(dense, back_dir.path(), ChunkFormat::kXor, &stats);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(stats.chunks_dense, 0);
  EXPECT_FALSE(HasDenseChunks(back->meta()));
  EXPECT_TRUE(ReadFile(back->dir() + "/chunks/000001") ==
              ReadFile(prom->dir() + "/chunks/000001"));
  EXPECT_TRUE(ReadFile(back->dir() + "/index") ==
              ReadFile(prom->dir() + "/index"));
  int code = 0;
  std::filesystem::create_directories(prom_dir_ + "/wal");
  const std::string promtool_out =
      RunCommand("promtool tsdb dump '" + prom_dir_ + "' 2>/dev/null", &code);
  EXPECT_EQ(code, 0);
  std::filesystem::create_directories(back_dir.path() + "/wal");
  const std::string converted_out = RunCommand(
      "promtool tsdb dump '" + back_dir.path() + "' 2>/dev/null", &code);
  EXPECT_EQ(code, 0);
  EXPECT_GT(promtool_out.size(), 1000u);
  EXPECT_TRUE(promtool_out == converted_out);
}

// A dense chunk whose bytes changed: the CRC catches it (Verify, the full
// check and queries report it); with the CRC fixed up, the dense decoder
// does. Never a crash.
TEST_F(DenseBlockTest, DamagedDenseChunkIsReported) {
  std::shared_ptr<const Block> dense = dense_;
  dense_.reset();
  const ChunkMeta m = FirstDenseChunk(*dense);
  const std::string dir = dense->dir();
  const std::string seg = dir + "/chunks/000001";
  auto chunk = dense->Chunks().Chunk(m);
  ASSERT_TRUE(chunk.ok());
  const size_t data_len = chunk->data.size();
  const std::string good_data(chunk->data);
  const size_t dense_samples = testing::CountSamples(ReadAll({dense}));
  dense.reset();

  std::string bytes = ReadFile(seg);
  const size_t off = chunk_format::RefOffset(m.ref);
  const size_t len_bytes = UvarintLength(data_len);
  const size_t data_at = off + len_bytes + chunk_format::kEncodingSize;
  // Damage the header's sample count: the decoder cannot miss that.
  bytes[data_at] = static_cast<char>(bytes[data_at] ^ 0x5a);
  auto write = [&] {
    std::ofstream f(seg, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  write();
  for (bool fix_crc : {false, true}) {
    SCOPED_TRACE(fix_crc ? "CRC fixed up" : "CRC mismatch");
    if (fix_crc) {
      const uint32_t crc = crc32c::Value(std::string_view(bytes).substr(
          data_at - chunk_format::kEncodingSize, data_len + 1));
      EncodeBE32(bytes.data() + data_at + data_len, crc);
      write();
    }
    auto b = Block::Open(FileSystem::Default(), dir);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    Status v = (*b)->Verify();
    EXPECT_TRUE(v.IsCorruption()) << v.ToString();
    // The CRC, else the dense decoder, names the damage.
    EXPECT_NE(v.ToString().find(fix_crc ? "dense" : "checksum"),
              std::string::npos)
        << v.ToString();
    BlockCheckResult check =
        CheckBlockDir(FileSystem::Default(), dir, (*b)->meta().ulid.ToString());
    ASSERT_FALSE(check.problems.empty());
    EXPECT_EQ(check.problems.front().kind, CorruptionKind::kChunk);
    BlockQuerier q({*b}, kMinTime, kMaxTime);
    auto set = q.Select(
        {Matcher::Create(Matcher::Type::kRegexMatch, kMetricNameLabel, ".+")
             .value()},
        SelectHints{});
    // Queries skip the damaged chunk and say so in their warnings.
    size_t samples = 0;
    while (set->Next()) {
      auto it = set->At().NewIterator();
      while (it->Next()) ++samples;
      EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    }
    EXPECT_EQ(samples, dense_samples - static_cast<size_t>(
                                           chunk::DenseNumSamples(good_data)));
    const std::vector<std::string> warnings = q.Warnings();
    ASSERT_FALSE(warnings.empty());
    EXPECT_NE(warnings.front().find("damaged chunk"), std::string::npos)
        << warnings.front();
  }
}

// The compact form holds Prometheus's index bytes exactly: the recorded
// block's index (written by Prometheus 2.42) encodes and decodes back to
// itself, and an IndexFileReader over either form reads the same.
TEST_F(DenseBlockTest, CompactIndexRoundTripsPrometheusIndex) {
  const std::string path = prom_->dir() + "/index";
  const std::string original = ReadFile(path);
  std::string compact;
  ASSERT_TRUE(compact_index::Encode(original, &compact).ok());
  EXPECT_TRUE(compact_index::IsCompact(compact));
  EXPECT_FALSE(compact_index::IsCompact(original));
  auto decoded = compact_index::Decode(path, compact);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE((*decoded)->data() == original);

  TempDir dir;
  const std::string compact_path = dir.Join("index");
  ASSERT_TRUE(
      WriteFileAtomically(FileSystem::Default(), compact_path, original).ok());
  ASSERT_TRUE(
      compact_index::CompactFile(FileSystem::Default(), compact_path).ok());
  EXPECT_TRUE(ReadFile(compact_path) == compact);
  auto r = IndexFileReader::Open(FileSystem::Default(), compact_path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE((*r)->Verify().ok());
  EXPECT_EQ((*r)->FileSize(), static_cast<int64_t>(compact.size()));
  EXPECT_TRUE((*r)->PrometheusBytes() == original);
  const IndexFileReader& want = prom_->index_file();
  EXPECT_EQ((*r)->Symbols(), want.Symbols());
  auto all = want.AllPostings();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(*(*r)->AllPostings() == *all);
  for (SeriesId id : *all) {
    Labels la, lb;
    std::vector<ChunkMeta> ca, cb;
    ASSERT_TRUE(want.Series(id, &la, &ca).ok());
    ASSERT_TRUE((*r)->Series(id, &lb, &cb).ok());
    EXPECT_EQ(la, lb);
    ASSERT_EQ(ca.size(), cb.size());
    for (size_t i = 0; i < ca.size(); ++i) {
      EXPECT_EQ(ca[i].ref, cb[i].ref);
      EXPECT_EQ(ca[i].mint, cb[i].mint);
      EXPECT_EQ(ca[i].maxt, cb[i].maxt);
    }
  }
}

// Every single-byte change of a compact index is caught by its CRC before
// anything is decoded, and reported by Block::Open, the full check
// (`strata-tsdb verify`, the scrub) and Verify as index corruption.
TEST_F(DenseBlockTest, DamagedCompactIndexIsReported) {
  const std::string dir = dense_->dir();
  const std::string path = dir + "/index";
  const std::string good = ReadFile(path);
  const std::string ulid = dense_->meta().ulid.ToString();
  dense_.reset();
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto d = compact_index::Decode(path, bad);
    // Flipping a magic bit makes it a file of another kind: still refused.
    ASSERT_FALSE(d.ok()) << "byte " << i;
    ASSERT_TRUE(d.status().IsCorruption()) << d.status().ToString();
  }
  std::string bad = good;
  bad[good.size() / 2] = static_cast<char>(bad[good.size() / 2] ^ 0x20);
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bad.data(), static_cast<std::streamsize>(bad.size()));
  }
  auto b = Block::Open(FileSystem::Default(), dir);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(b.status().IsCorruption()) << b.status().ToString();
  EXPECT_NE(b.status().ToString().find("compact index"), std::string::npos)
      << b.status().ToString();
  EXPECT_NE(b.status().ToString().find("checksum mismatch"), std::string::npos)
      << b.status().ToString();
  BlockCheckResult check = CheckBlockDir(FileSystem::Default(), dir, ulid);
  ASSERT_FALSE(check.problems.empty());
  EXPECT_EQ(check.problems.front().kind, CorruptionKind::kIndex);
}

}  // namespace
}  // namespace strata
