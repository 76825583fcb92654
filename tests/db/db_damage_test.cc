// Self-healing storage: a flipped byte in a block's chunk file or index
// series table is skipped by queries with a warning (the rest is served),
// logged with its block and series and counted once; a scrub finds it
// without any query and replaces the block by what is intact of it, the
// damaged one moved to quarantine/.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "block/chunk_format.h"
#include "db_test_util.h"
#include "index/index_file_reader.h"
#include "strata/db.h"
#include "wait_for.h"

namespace strata {
namespace {

namespace fs = std::filesystem;
using testing::ReadAll;
using testing::TempDir;
using testing::TV;

constexpr int64_t kH = kMillisPerHour;
constexpr int64_t kStep = 15000;
constexpr int kSeries = 3;
constexpr int64_t kEnd = 7 * kH;

Options ManualOptions() {
  Options o;
  o.background_compaction = false;
  o.retention_ms = 0;
  return o;
}

Labels SeriesLabels(int s) {
  return Labels::Of({{"__name__", "blk"}, {"s", absl::StrCat(s)}});
}
std::string SeriesName(int s) { return absl::StrCat("blk{s=\"", s, "\"}"); }

// Every sample series `s` was given, minus those in [lost_from, lost_to].
std::vector<TV> Expected(int s, int64_t lost_from = 1, int64_t lost_to = 0) {
  std::vector<TV> out;
  for (int64_t t = 0; t < kEnd; t += kStep) {
    if (t >= lost_from && t <= lost_to) continue;
    out.push_back({t, static_cast<double>(t / 1000 + s)});
  }
  return out;
}

void FlipByte(const std::string& path, int64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  const char c = static_cast<char>(f.get());
  f.seekp(offset);
  f.put(static_cast<char>(c ^ 0x5a));
}

// Every sample of the series matching `m`, read to the end, and the
// querier's warnings then.
std::map<std::string, std::vector<TV>> ReadWithWarnings(
    DB& db, const std::vector<Matcher>& m, std::vector<std::string>* warnings) {
  std::map<std::string, std::vector<TV>> out;
  auto q = db.NewQuerier(kMinTime, kMaxTime);
  EXPECT_TRUE(q.ok());
  if (!q.ok()) return out;
  auto set = (*q)->Select(m);
  while (set->Next()) {
    auto& v = out[set->At().labels().ToString()];
    auto it = set->At().NewIterator();
    while (it->Next()) v.push_back({it->t(), it->v()});
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  }
  EXPECT_TRUE(set->status().ok()) << set->status().ToString();
  *warnings = (*q)->Warnings();
  return out;
}

class DBDamageTest : public ::testing::Test {
 protected:
  // Three series every 15 s over [0, 7h): blocks [0,2h) and [2h,4h), the
  // rest in the head (WAL).
  void SetUp() override {
    auto db = DB::Open(ManualOptions(), dir_.path());
    ASSERT_TRUE(db.ok());
    auto app = (*db)->NewAppender();
    for (int64_t t = 0; t < kEnd; t += kStep) {
      for (int s = 0; s < kSeries; ++s) {
        ASSERT_TRUE(
            app->Append(SeriesLabels(s), t, static_cast<double>(t / 1000 + s))
                .ok());
      }
      ASSERT_TRUE(app->Commit().ok());
    }
    ASSERT_TRUE((*db)->Compact().ok());
    for (auto& e : fs::directory_iterator(dir_.path())) {
      const std::string n = e.path().filename().string();
      if (e.is_directory() && n.size() == 26) blocks_.push_back(n);
    }
    std::sort(blocks_.begin(), blocks_.end());
    ASSERT_EQ(blocks_.size(), 2u);
  }

  std::string FirstBlockDir() const { return dir_.path() + "/" + blocks_[0]; }

  // Series s=1 of the first block: its id and chunks.
  void LocateSeries1(SeriesId* id, std::vector<ChunkMeta>* chunks) {
    auto index = IndexFileReader::Open(FileSystem::Default(),
                                       FirstBlockDir() + "/index");
    ASSERT_TRUE(index.ok());
    auto postings = (*index)->PostingsFor("s", {"1"});
    ASSERT_TRUE(postings.ok());
    ASSERT_EQ(postings->cardinality(), 1u);
    *id = postings->minimum();
    Labels labels;
    ASSERT_TRUE((*index)->Series(*id, &labels, chunks).ok());
    ASSERT_GE(chunks->size(), 3u);
  }

  // Flips a byte in the data of series s=1's second chunk; returns that
  // chunk's time range.
  ChunkMeta DamageChunk() {
    SeriesId id = 0;
    std::vector<ChunkMeta> chunks;
    LocateSeries1(&id, &chunks);
    const ChunkMeta m = chunks[1];
    FlipByte(FirstBlockDir() + "/chunks/" +
                 chunk_format::SegmentFileName(chunk_format::RefSegment(m.ref)),
             chunk_format::RefOffset(m.ref) + 4);
    return m;
  }

  // Flips a byte inside series s=1's index entry; returns its id.
  SeriesId DamageIndexEntry() {
    SeriesId id = 0;
    std::vector<ChunkMeta> chunks;
    LocateSeries1(&id, &chunks);
    FlipByte(FirstBlockDir() + "/index", int64_t{id} * 16 + 3);
    return id;
  }

  TempDir dir_;
  std::vector<std::string> blocks_;
};

TEST_F(DBDamageTest, DamagedChunkIsSkippedWithAWarningLoggedAndCountedOnce) {
  const ChunkMeta lost = DamageChunk();
  auto db = DB::Open(ManualOptions(), dir_.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ::testing::internal::CaptureStderr();
  std::vector<std::string> warnings;
  auto got =
      ReadWithWarnings(**db, {Matcher::Equal("__name__", "blk")}, &warnings);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[SeriesName(0)], Expected(0));
  EXPECT_EQ(got[SeriesName(2)], Expected(2));
  // The damaged series keeps its intact chunks.
  EXPECT_EQ(got[SeriesName(1)], Expected(1, lost.mint, lost.maxt));

  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(blocks_[0]), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(SeriesName(1)), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("chunk"), std::string::npos) << warnings[0];
  EXPECT_EQ(warnings[0].find(dir_.path()), std::string::npos)
      << "no file paths for clients: " << warnings[0];
  // The log names the block, the series and the file.
  EXPECT_NE(log.find("level=error"), std::string::npos) << log;
  EXPECT_NE(log.find("block=" + blocks_[0]), std::string::npos) << log;
  EXPECT_NE(log.find("kind=chunk"), std::string::npos) << log;
  EXPECT_NE(log.find("s=\\\"1\\\""), std::string::npos) << log;
  EXPECT_EQ((*db)->Stats().corruptions_chunk, 1);
  EXPECT_EQ((*db)->Stats().corruptions_index, 0);

  // Read again: warned again, counted once.
  EXPECT_EQ(ReadWithWarnings(**db, {Matcher::Equal("s", "1")},
                             &warnings)[SeriesName(1)],
            Expected(1, lost.mint, lost.maxt));
  EXPECT_EQ(warnings.size(), 1u);
  EXPECT_EQ((*db)->Stats().corruptions_chunk, 1);
}

TEST_F(DBDamageTest, DamagedIndexSeriesEntryIsSkippedWithAWarning) {
  const SeriesId id = DamageIndexEntry();
  auto db = DB::Open(ManualOptions(), dir_.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::vector<std::string> warnings;
  auto got =
      ReadWithWarnings(**db, {Matcher::Equal("__name__", "blk")}, &warnings);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[SeriesName(0)], Expected(0));
  EXPECT_EQ(got[SeriesName(2)], Expected(2));
  // The first block's part of s=1 is unreadable; the rest serves.
  EXPECT_EQ(got[SeriesName(1)], Expected(1, 0, 2 * kH - 1));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(blocks_[0]), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(absl::StrCat("series id ", id)), std::string::npos)
      << warnings[0];
  // Label lookups skip it too.
  auto q = (*db)->NewQuerier(kMinTime, kMaxTime);
  ASSERT_TRUE(q.ok());
  auto values = (*q)->LabelValues("s", {Matcher::Equal("__name__", "blk")});
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(values->size(), 3u);
  EXPECT_EQ((*q)->Warnings().size(), 1u);
  EXPECT_EQ((*db)->Stats().corruptions_index, 1);
  EXPECT_EQ((*db)->Stats().corruptions_chunk, 0);
}

TEST_F(DBDamageTest, ScrubFindsDamageWithoutAQueryAndQuarantinesTheBlock) {
  const ChunkMeta lost = DamageChunk();
  const std::string damaged_chunks = [&] {
    std::ifstream f(FirstBlockDir() + "/chunks/000001", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }();
  auto db = DB::Open(ManualOptions(), dir_.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto report = (*db)->Scrub();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->blocks_checked, 2);
  EXPECT_GT(report->bytes_read, 0);
  ASSERT_FALSE(report->problems.empty());
  EXPECT_NE(report->problems[0].find(blocks_[0]), std::string::npos);
  ASSERT_EQ(report->quarantined.size(), 1u);
  ASSERT_EQ(report->rebuilt_blocks.size(), 1u);
  EXPECT_EQ(report->chunks_lost, 1);
  const DBStats stats = (*db)->Stats();
  EXPECT_EQ(stats.corruptions_chunk, 1);
  EXPECT_EQ(stats.blocks_quarantined, 1);
  EXPECT_EQ(stats.scrubs, 1);
  EXPECT_EQ(stats.blocks, 2);

  // Moved aside byte for byte, never deleted.
  const std::string q = dir_.path() + "/quarantine/" + blocks_[0];
  EXPECT_FALSE(fs::exists(FirstBlockDir()));
  std::ifstream f(q + "/chunks/000001", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(f), {}), damaged_chunks);
  EXPECT_TRUE(fs::exists(dir_.path() + "/" + report->rebuilt_blocks[0]));

  // Intact data serves without warnings, the damaged series' other chunks
  // included.
  auto check = [&](DB& d) {
    std::vector<std::string> warnings;
    auto all =
        ReadWithWarnings(d, {Matcher::Equal("__name__", "blk")}, &warnings);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[SeriesName(0)], Expected(0));
    EXPECT_EQ(all[SeriesName(1)], Expected(1, lost.mint, lost.maxt));
    EXPECT_EQ(all[SeriesName(2)], Expected(2));
    EXPECT_TRUE(warnings.empty());
  };
  check(**db);
  auto second = (*db)->Scrub();
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->problems.empty());
  EXPECT_TRUE(second->quarantined.empty());
  ASSERT_TRUE((*db)->Close().ok());
  db->reset();
  auto reopened = DB::Open(ManualOptions(), dir_.path());
  ASSERT_TRUE(reopened.ok());
  check(**reopened);
}

TEST_F(DBDamageTest, CrashBeforeTheMoveQuarantinesTheDamagedBlockAtOpen) {
  const ChunkMeta lost = DamageChunk();
  {
    auto db = DB::Open(ManualOptions(), dir_.path());
    ASSERT_TRUE(db.ok());
    auto report = (*db)->Scrub();
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->quarantined.size(), 1u);
  }
  // As if the process died after writing the rebuilt block but before the
  // damaged one was moved aside.
  fs::rename(dir_.path() + "/quarantine/" + blocks_[0], FirstBlockDir());
  auto db = DB::Open(ManualOptions(), dir_.path());
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE(fs::exists(FirstBlockDir()));
  EXPECT_TRUE(fs::exists(dir_.path() + "/quarantine/" + blocks_[0]));
  EXPECT_EQ((*db)->Stats().blocks, 2);
  auto all = ReadAll(**db, {Matcher::Equal("__name__", "blk")});
  EXPECT_EQ(all[SeriesName(1)], Expected(1, lost.mint, lost.maxt));
  EXPECT_EQ(all[SeriesName(0)], Expected(0));
}

TEST_F(DBDamageTest, BackgroundScrubQuarantinesWhileServing) {
  DamageIndexEntry();
  Options o = ManualOptions();
  o.scrub_interval_ms = 50;
  auto db = DB::Open(o, dir_.path());
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(
      testing::WaitFor([&] { return (*db)->Stats().blocks_quarantined == 1; },
                       std::chrono::seconds(30)));
  EXPECT_EQ((*db)->Stats().corruptions_index, 1);
  EXPECT_TRUE(fs::exists(dir_.path() + "/quarantine/" + blocks_[0]));
  auto all = ReadAll(**db, {Matcher::Equal("__name__", "blk")});
  EXPECT_EQ(all[SeriesName(0)], Expected(0));
  EXPECT_EQ(all[SeriesName(2)], Expected(2));
  EXPECT_EQ(all[SeriesName(1)], Expected(1, 0, 2 * kH - 1));
}

}  // namespace
}  // namespace strata
