// Head -> BlockWriter -> Block::Open -> BlockQuerier round trips, merging,
// tombstones, clipping, Verify and corruption reports.
#include "block/block.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "block/block_dir.h"
#include "block/block_writer.h"
#include "query_test_util.h"
#include "util/fault_injection_file_system.h"
#include "util/file_system.h"

namespace strata {
namespace {

using testing::MakeSeries;
using testing::ReadAll;
using testing::SeriesSamples;
using testing::TempDir;
using testing::TV;

constexpr int64_t kHour = 3600 * 1000;

std::shared_ptr<Head> NewHead(const SeriesSamples& s) {
  auto head = std::make_shared<Head>(HeadOptions{});
  testing::FillHead(head.get(), s);
  return head;
}

// Keeps samples with mint <= t < maxt.
SeriesSamples Clip(const SeriesSamples& in, int64_t mint, int64_t maxt) {
  SeriesSamples out;
  for (const auto& [l, v] : in) {
    std::vector<TV> kept;
    for (const TV& s : v) {
      if (s.t >= mint && s.t < maxt) kept.push_back(s);
    }
    if (!kept.empty()) out[l] = kept;
  }
  return out;
}

std::shared_ptr<const Block> WriteAndOpen(
    const std::string& dir, std::vector<const BlockReader*> sources,
    int64_t mint, int64_t maxt, BlockMeta* meta_out = nullptr,
    BlockWriteStats* stats = nullptr) {
  BlockWriter w(FileSystem::Default(), dir);
  StatusOr<BlockMeta> meta = w.Write(sources, mint, maxt);
  EXPECT_TRUE(meta.ok()) << meta.status().ToString();
  if (!meta.ok()) return nullptr;
  if (meta_out != nullptr) *meta_out = *meta;
  if (stats != nullptr) *stats = w.last_stats();
  auto block =
      Block::Open(FileSystem::Default(), JoinPath(dir, meta->ulid.ToString()));
  EXPECT_TRUE(block.ok()) << block.status().ToString();
  return block.ok() ? *block : nullptr;
}

TEST(BlockTest, HeadRoundTrip) {
  TempDir dir;
  const SeriesSamples want = MakeSeries(50, 0, 2 * kHour, 15000);
  auto head = NewHead(want);
  BlockMeta meta;
  BlockWriteStats stats;
  auto block =
      WriteAndOpen(dir.path(), {head.get()}, 0, 2 * kHour, &meta, &stats);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(ReadAll({block}), want);
  EXPECT_EQ(block->MinTime(), 0);
  EXPECT_EQ(block->MaxTime(), 2 * kHour - 1);  // meta.json's maxTime - 1.
  EXPECT_EQ(block->meta(), meta);
  EXPECT_EQ(meta.stats.num_series, 50u);
  EXPECT_EQ(meta.stats.num_samples, testing::CountSamples(want));
  EXPECT_EQ(meta.stats.num_chunks, head->NumChunks());
  EXPECT_EQ(meta.compaction.level, 1);
  EXPECT_EQ(meta.compaction.sources, std::vector<Ulid>{meta.ulid});
  // Closed head chunks inside the range are copied, not re-encoded.
  EXPECT_EQ(stats.chunks_reencoded, 0);
  EXPECT_EQ(stats.chunks_copied, static_cast<int64_t>(meta.stats.num_chunks));
  EXPECT_TRUE(block->Verify().ok()) << block->Verify().ToString();
  // Only the final directory remains.
  auto names = FileSystem::Default()->ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{meta.ulid.ToString()});
  EXPECT_EQ(block->Size(), static_cast<int64_t>(stats.bytes));
}

TEST(BlockTest, ClipsToRangeAndReencodesBoundaryChunks) {
  TempDir dir;
  const SeriesSamples all = MakeSeries(20, 0, 3 * kHour, 10000);
  auto head = NewHead(all);
  const int64_t mint = kHour / 2, maxt = 2 * kHour + 123457;
  BlockWriteStats stats;
  auto block =
      WriteAndOpen(dir.path(), {head.get()}, mint, maxt, nullptr, &stats);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(ReadAll({block}), Clip(all, mint, maxt));
  EXPECT_GT(stats.chunks_reencoded, 0);
  EXPECT_GT(stats.chunks_copied, 0);
  EXPECT_TRUE(block->Verify().ok()) << block->Verify().ToString();
}

// An index whose last chunk meta of every series ends early, as a head's
// does when samples are appended after its metas were read.
class StaleMetaIndex : public IndexReader {
 public:
  StaleMetaIndex(const IndexReader* base, int64_t cut)
      : base_(base), cut_(cut) {}
  StatusOr<std::vector<std::string>> LabelNames() const override {
    return base_->LabelNames();
  }
  StatusOr<std::vector<std::string>> LabelValues(
      std::string_view name) const override {
    return base_->LabelValues(name);
  }
  StatusOr<Postings> PostingsFor(
      std::string_view name,
      const std::vector<std::string>& values) const override {
    return base_->PostingsFor(name, values);
  }
  StatusOr<Postings> AllPostings() const override {
    return base_->AllPostings();
  }
  Status Series(SeriesId id, Labels* labels,
                std::vector<ChunkMeta>* chunks) const override {
    STRATA_RETURN_IF_ERROR(base_->Series(id, labels, chunks));
    if (chunks != nullptr) {
      std::erase_if(*chunks,
                    [this](const ChunkMeta& m) { return m.mint > cut_; });
      if (!chunks->empty() && chunks->back().maxt > cut_) {
        chunks->back().maxt = cut_;
      }
    }
    return Status::OK();
  }
  bool SortedByLabels() const override { return base_->SortedByLabels(); }

 private:
  const IndexReader* base_;
  int64_t cut_;
};

class StaleMetaReader : public BlockReader {
 public:
  StaleMetaReader(const BlockReader* base, int64_t cut)
      : base_(base), index_(&base->Index(), cut) {}
  int64_t MinTime() const override { return base_->MinTime(); }
  int64_t MaxTime() const override { return base_->MaxTime(); }
  const IndexReader& Index() const override { return index_; }
  const ChunkReader& Chunks() const override { return base_->Chunks(); }
  const TombstoneReader& Tombstones() const override {
    return base_->Tombstones();
  }
  std::string Name() const override { return "stale"; }

 private:
  const BlockReader* base_;
  StaleMetaIndex index_;
};

TEST(BlockTest, ChunksGrownPastTheirMetaAreCutAtTheMeta) {
  TempDir dir;
  const SeriesSamples all = MakeSeries(10, 0, kHour, 15000);
  auto head = NewHead(all);
  const int64_t cut = 20 * 60000 + 3;
  StaleMetaReader stale(head.get(), cut);
  BlockWriteStats stats;
  auto block = WriteAndOpen(dir.path(), {&stale}, 0, kHour, nullptr, &stats);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(ReadAll({block}), Clip(all, 0, cut + 1));
  EXPECT_GT(stats.chunks_reencoded, 0);
  EXPECT_TRUE(block->Verify().ok()) << block->Verify().ToString();
}

TEST(BlockTest, EmptyRangeWritesNothing) {
  TempDir dir;
  auto head = NewHead(MakeSeries(5, 0, kHour, 15000));
  BlockWriter w(FileSystem::Default(), dir.path());
  const BlockReader* src = head.get();
  auto meta = w.Write({&src, 1}, 10 * kHour, 12 * kHour);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->stats.num_samples, 0u);
  EXPECT_TRUE(FileSystem::Default()->ListDir(dir.path())->empty());
}

TEST(BlockTest, CompactsAdjacentBlocksByCopying) {
  TempDir dir;
  const SeriesSamples all = MakeSeries(30, 0, 4 * kHour, 15000);
  auto head = NewHead(all);
  BlockMeta m1, m2;
  auto b1 = WriteAndOpen(dir.path(), {head.get()}, 0, 2 * kHour, &m1);
  auto b2 = WriteAndOpen(dir.path(), {head.get()}, 2 * kHour, 4 * kHour, &m2);
  ASSERT_NE(b1, nullptr);
  ASSERT_NE(b2, nullptr);
  EXPECT_LT(m1.ulid, m2.ulid);

  TempDir out;
  BlockWriter w(FileSystem::Default(), out.path());
  std::vector<BlockMeta> parents = {m1, m2};
  BlockCompaction c = CompactionFromParents(parents);
  const BlockReader* srcs[] = {b1.get(), b2.get()};
  auto meta = w.Write(srcs, 0, 4 * kHour, &c);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(w.last_stats().chunks_reencoded, 0);
  EXPECT_EQ(meta->compaction.level, 2);
  EXPECT_EQ(meta->compaction.sources, (std::vector<Ulid>{m1.ulid, m2.ulid}));
  ASSERT_EQ(meta->compaction.parents.size(), 2u);
  EXPECT_EQ(meta->compaction.parents[1].min_time, 2 * kHour);
  auto merged = Block::Open(FileSystem::Default(),
                            JoinPath(out.path(), meta->ulid.ToString()));
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(ReadAll({*merged}), all);
  EXPECT_EQ((*merged)->meta(), *meta);
  EXPECT_TRUE((*merged)->Verify().ok());
}

TEST(BlockTest, MergesOverlappingBlocksDeduplicating) {
  TempDir dir;
  // Two sources with overlapping series and time ranges; at equal
  // timestamps the first source's value wins.
  SeriesSamples a = MakeSeries(20, 0, 2 * kHour, 20000, 1);
  SeriesSamples b = MakeSeries(30, kHour, 3 * kHour, 20000, 1);
  for (auto& [l, v] : b) {
    for (TV& s : v) s.v += 1000;  // Differs from a's values.
  }
  // b also holds some samples between a's.
  for (auto& [l, v] : b) {
    std::vector<TV> extra;
    for (const TV& s : v) extra.push_back({s.t + 5000, s.v});
    v.insert(v.end(), extra.begin(), extra.end());
    std::sort(v.begin(), v.end(),
              [](const TV& x, const TV& y) { return x.t < y.t; });
  }
  auto ha = NewHead(a);
  auto hb = NewHead(b);
  auto ba = WriteAndOpen(dir.path(), {ha.get()}, 0, 4 * kHour);
  auto bb = WriteAndOpen(dir.path(), {hb.get()}, 0, 4 * kHour);
  ASSERT_NE(ba, nullptr);
  ASSERT_NE(bb, nullptr);

  SeriesSamples want = a;
  for (const auto& [l, v] : b) {
    std::map<int64_t, double> m;
    for (const TV& s : v) m.emplace(s.t, s.v);
    for (const TV& s : want[l]) m[s.t] = s.v;  // a wins.
    std::vector<TV> merged;
    for (auto [t, val] : m) merged.push_back({t, val});
    want[l] = merged;
  }
  BlockWriteStats stats;
  auto merged = WriteAndOpen(dir.path(), {ba.get(), bb.get()}, 0, 4 * kHour,
                             nullptr, &stats);
  ASSERT_NE(merged, nullptr);
  EXPECT_EQ(ReadAll({merged}), want);
  // The querier merging the two blocks agrees.
  EXPECT_EQ(ReadAll({ba, bb}), want);
  EXPECT_GT(stats.chunks_reencoded, 0);
  EXPECT_EQ(merged->meta().stats.num_samples, testing::CountSamples(want));
  EXPECT_TRUE(merged->Verify().ok()) << merged->Verify().ToString();
}

// A BlockReader that adds tombstones to another.
class WithTombstones : public BlockReader {
 public:
  WithTombstones(const BlockReader* base, const MemTombstones* stones)
      : base_(base), stones_(stones) {}
  int64_t MinTime() const override { return base_->MinTime(); }
  int64_t MaxTime() const override { return base_->MaxTime(); }
  const IndexReader& Index() const override { return base_->Index(); }
  const ChunkReader& Chunks() const override { return base_->Chunks(); }
  const TombstoneReader& Tombstones() const override { return *stones_; }
  std::string Name() const override { return "stoned"; }

 private:
  const BlockReader* base_;
  const MemTombstones* stones_;
};

TEST(BlockTest, DropsTombstonedSamples) {
  TempDir dir;
  const SeriesSamples all = MakeSeries(10, 0, 2 * kHour, 15000);
  auto head = NewHead(all);
  auto block = WriteAndOpen(dir.path(), {head.get()}, 0, 2 * kHour);
  ASSERT_NE(block, nullptr);

  // Delete [20m, 40m] and [90m, end] of every second series.
  MemTombstones stones;
  SeriesSamples want = all;
  auto postings = block->Index().AllPostings();
  ASSERT_TRUE(postings.ok());
  int k = 0;
  for (SeriesId id : *postings) {
    Labels l;
    ASSERT_TRUE(block->Index().Series(id, &l, nullptr).ok());
    if (k++ % 2 != 0) continue;
    stones.Add(id, {20 * 60000, 40 * 60000});
    stones.Add(id, {90 * 60000, kMaxTime});
    std::vector<TV> kept;
    for (const TV& s : want[l]) {
      if ((s.t < 20 * 60000 || s.t > 40 * 60000) && s.t < 90 * 60000) {
        kept.push_back(s);
      }
    }
    want[l] = kept;
  }
  WithTombstones stoned(block.get(), &stones);
  BlockWriteStats stats;
  auto rewritten =
      WriteAndOpen(dir.path(), {&stoned}, 0, 2 * kHour, nullptr, &stats);
  ASSERT_NE(rewritten, nullptr);
  EXPECT_EQ(ReadAll({rewritten}), want);
  EXPECT_GT(stats.chunks_copied, 0);  // Chunks of untouched series.
  EXPECT_GT(stats.chunks_reencoded, 0);
  EXPECT_TRUE(rewritten->Tombstones().Empty());
  EXPECT_TRUE(rewritten->Verify().ok()) << rewritten->Verify().ToString();
}

TEST(BlockTest, ReadsTombstonesFile) {
  TempDir dir;
  const SeriesSamples all = MakeSeries(4, 0, kHour, 15000);
  auto head = NewHead(all);
  BlockMeta meta;
  auto block = WriteAndOpen(dir.path(), {head.get()}, 0, kHour, &meta);
  ASSERT_NE(block, nullptr);
  const std::string bdir = block->dir();
  auto postings = block->Index().AllPostings();
  const SeriesId first = *postings->begin();
  Labels first_labels;
  ASSERT_TRUE(block->Index().Series(first, &first_labels, nullptr).ok());
  block.reset();

  MemTombstones stones;
  stones.Add(first, {0, 30 * 60000});
  ASSERT_TRUE(WriteTombstonesFile(FileSystem::Default(), bdir, stones).ok());
  meta.stats.num_tombstones = 1;
  ASSERT_TRUE(WriteBlockMeta(FileSystem::Default(), bdir, meta).ok());
  auto reopened = Block::Open(FileSystem::Default(), bdir);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->Tombstones().Get(first), (Intervals{{0, 30 * 60000}}));
  SeriesSamples want = all;
  std::erase_if(want[first_labels],
                [](const TV& s) { return s.t <= 30 * 60000; });
  EXPECT_EQ(ReadAll({*reopened}), want);
  EXPECT_TRUE((*reopened)->Verify().ok()) << (*reopened)->Verify().ToString();
}

TEST(BlockTest, BlockOutlivesDirectoryRemovalWhileShared) {
  TempDir dir;
  auto head = NewHead(MakeSeries(5, 0, kHour, 15000));
  auto block = WriteAndOpen(dir.path(), {head.get()}, 0, kHour);
  ASSERT_NE(block, nullptr);
  BlockQuerier q({block}, 0, kHour);
  std::weak_ptr<const Block> weak = block;
  std::filesystem::remove_all(block->dir());
  block.reset();
  EXPECT_FALSE(weak.expired());  // The querier still holds it.
  auto set = q.Select({Matcher::Equal("job", "node")}, SelectHints{});
  size_t n = 0;
  while (set->Next()) {
    auto it = set->At().NewIterator();
    while (it->Next()) ++n;
  }
  EXPECT_GT(n, 0u);
}

// Flips one byte of `path` at `offset` (from the end if negative).
void FlipByte(const std::string& path, int64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(0, std::ios::end);
  const int64_t size = f.tellg();
  const int64_t pos = offset >= 0 ? offset : size + offset;
  f.seekg(pos);
  char c;
  f.get(c);
  f.seekp(pos);
  f.put(static_cast<char>(c ^ 0x5a));
}

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto head = NewHead(MakeSeries(20, 0, kHour, 15000));
    auto block = WriteAndOpen(dir_.path(), {head.get()}, 0, kHour, &meta_);
    ASSERT_NE(block, nullptr);
    ASSERT_TRUE(block->Verify().ok());
    bdir_ = block->dir();
  }
  // The error of Open, or else of Verify.
  Status OpenAndVerify() {
    auto b = Block::Open(FileSystem::Default(), bdir_);
    if (!b.ok()) return b.status();
    return (*b)->Verify();
  }

  TempDir dir_;
  BlockMeta meta_;
  std::string bdir_;
};

TEST_F(CorruptionTest, ChunkByte) {
  FlipByte(bdir_ + "/chunks/000001", 100);
  Status s = OpenAndVerify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("chunks/000001"), std::string_view::npos)
      << s.ToString();
  EXPECT_NE(s.message().find(meta_.ulid.ToString()), std::string_view::npos);
}

TEST_F(CorruptionTest, ChunkSegmentHeader) {
  FlipByte(bdir_ + "/chunks/000001", 1);
  Status s = OpenAndVerify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("chunks/000001"), std::string_view::npos);
}

TEST_F(CorruptionTest, IndexBytes) {
  // A byte in the series section and one in the TOC.
  for (int64_t off : {int64_t{300}, int64_t{-10}}) {
    SCOPED_TRACE(off);
    std::filesystem::copy_file(
        bdir_ + "/index", bdir_ + "/index.orig",
        std::filesystem::copy_options::overwrite_existing);
    FlipByte(bdir_ + "/index", off);
    Status s = OpenAndVerify();
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find("index"), std::string_view::npos)
        << s.ToString();
    EXPECT_NE(s.message().find(meta_.ulid.ToString()), std::string_view::npos);
    std::filesystem::rename(bdir_ + "/index.orig", bdir_ + "/index");
  }
}

TEST_F(CorruptionTest, MetaJson) {
  FlipByte(bdir_ + "/meta.json", 0);  // '{' no longer opens an object.
  Status s = OpenAndVerify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("meta.json"), std::string_view::npos);
  EXPECT_NE(s.message().find(meta_.ulid.ToString()), std::string_view::npos);
}

TEST_F(CorruptionTest, MetaStatsMismatch) {
  BlockMeta m = meta_;
  m.stats.num_samples += 1;
  ASSERT_TRUE(WriteBlockMeta(FileSystem::Default(), bdir_, m).ok());
  Status s = OpenAndVerify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("meta.json"), std::string_view::npos);
}

TEST_F(CorruptionTest, MetaRangeNarrowerThanChunks) {
  BlockMeta m = meta_;
  m.max_time = kHour / 2;
  ASSERT_TRUE(WriteBlockMeta(FileSystem::Default(), bdir_, m).ok());
  Status s = OpenAndVerify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST_F(CorruptionTest, Tombstones) {
  MemTombstones stones;
  stones.Add(1, {0, 10});
  ASSERT_TRUE(WriteTombstonesFile(FileSystem::Default(), bdir_, stones).ok());
  FlipByte(bdir_ + "/tombstones", 6);
  Status s = OpenAndVerify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("tombstones"), std::string_view::npos);
}

// Any failing step fails the write and leaves neither the block nor its
// temporary directory.
TEST(BlockWriterFaultTest, FailedStepLeavesNothing) {
  auto head = NewHead(MakeSeries(20, 0, kHour, 15000));
  const BlockReader* src = head.get();
  struct Case {
    FaultOp op;
    const char* path;
    int skip = 0;  // Matching calls to let through first.
  };
  for (Case c :
       {Case{FaultOp::kCreateDirs, ".tmp-for-creation"},
        Case{FaultOp::kCreate, "chunks/000001"},
        Case{FaultOp::kAppend, "chunks/"}, Case{FaultOp::kSync, "chunks/"},
        Case{FaultOp::kSyncDir, "chunks"}, Case{FaultOp::kCreate, "/index"},
        Case{FaultOp::kAppend, "/index"}, Case{FaultOp::kSync, "/index"},
        Case{FaultOp::kCreate, "tombstones"}, Case{FaultOp::kSync, "meta.json"},
        Case{FaultOp::kRename, "meta.json"},
        Case{FaultOp::kRename, ".tmp-for-creation"},
        Case{FaultOp::kSyncDir, ".tmp-for-creation"}}) {
    SCOPED_TRACE(std::string(c.path) + " op " +
                 std::to_string(static_cast<int>(c.op)));
    TempDir dir;
    FaultInjectionFileSystem fs(FileSystem::Default());
    fs.Arm(Fault::On(c.op, ENOSPC).Matching(c.path).After(c.skip));
    BlockWriter w(&fs, dir.path(), {.chunks = {.segment_bytes = 4096}});
    auto meta = w.Write({&src, 1}, 0, kHour);
    EXPECT_FALSE(meta.ok());
    EXPECT_EQ(fs.injected(), 1);
    EXPECT_TRUE(fs.ListDir(dir.path())->empty());
  }
}

// Everything in the temporary directory is durable before the rename: a
// power loss right before it loses no byte the block needs.
TEST(BlockWriterFaultTest, FilesSyncedBeforeRename) {
  TempDir dir;
  const SeriesSamples all = MakeSeries(20, 0, kHour, 15000);
  auto head = NewHead(all);
  const BlockReader* src = head.get();
  FaultInjectionFileSystem fs(FileSystem::Default());
  // Renames: tombstones.tmp, meta.json.tmp, then the directory.
  fs.Arm(Fault::On(FaultOp::kRename).Matching(".tmp-for-creation").After(2));
  fs.Arm(Fault::On(FaultOp::kRemove).Persistent());  // Keep the tmp dir.
  BlockWriter w(&fs, dir.path(), {.chunks = {.segment_bytes = 4096}});
  ASSERT_FALSE(w.Write({&src, 1}, 0, kHour).ok());
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  auto names = FileSystem::Default()->ListDir(dir.path());
  ASSERT_EQ(names->size(), 1u);
  ASSERT_TRUE(IsTmpBlockDirName(names->front()));
  const std::string final_dir =
      JoinPath(dir.path(), names->front().substr(0, Ulid::kStringLength));
  std::filesystem::rename(JoinPath(dir.path(), names->front()), final_dir);
  auto block = Block::Open(FileSystem::Default(), final_dir);
  ASSERT_TRUE(block.ok()) << block.status().ToString();
  EXPECT_TRUE((*block)->Verify().ok()) << (*block)->Verify().ToString();
  EXPECT_EQ(ReadAll({*block}), all);
  EXPECT_GT((*block)->chunk_files().num_segments(), 1u);
}

TEST(BlockDirTest, NamesAndCleanup) {
  TempDir dir;
  FileSystem* fs = FileSystem::Default();
  const std::string u1 = Ulid::Generate().ToString();
  const std::string u2 = Ulid::Generate().ToString();
  const std::string u3 = Ulid::Generate().ToString();
  ASSERT_TRUE(fs->CreateDirs(JoinPath(dir.path(), u1)).ok());
  ASSERT_TRUE(
      fs->CreateDirs(JoinPath(dir.path(), u2 + ".tmp-for-creation/chunks"))
          .ok());
  ASSERT_TRUE(
      fs->CreateDirs(JoinPath(dir.path(), u3 + ".tmp-for-deletion")).ok());
  ASSERT_TRUE(fs->CreateDirs(JoinPath(dir.path(), "wal")).ok());
  EXPECT_TRUE(IsBlockDirName(u1));
  EXPECT_FALSE(IsBlockDirName("wal"));
  EXPECT_TRUE(IsTmpBlockDirName(u2 + ".tmp-for-creation"));
  EXPECT_TRUE(IsTmpBlockDirName(u2 + ".tmp"));
  EXPECT_FALSE(IsTmpBlockDirName("x.tmp-for-creation"));
  EXPECT_EQ(*ListBlockDirs(fs, dir.path()), std::vector<std::string>{u1});
  auto removed = RemoveTmpBlockDirs(fs, dir.path());
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2);
  EXPECT_EQ(*fs->ListDir(dir.path()), (std::vector<std::string>{u1, "wal"}));
}

}  // namespace
}  // namespace strata
