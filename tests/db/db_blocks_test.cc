// The DB over persisted blocks: head persistence, leveled compaction,
// retention, snapshots, and compatibility with the real promtool 2.42.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "db_test_util.h"
#include "strata/db.h"
#include "test_env.h"

namespace strata {
namespace {

using testing::ReadAll;
using testing::TempDir;
using testing::TV;

constexpr int64_t kH = kMillisPerHour;

Options ManualOptions() {
  Options o;
  o.background_compaction = false;
  o.retention_ms = 0;
  return o;
}

// Appends `series` series every 15 s over [from, to), value = t/1000 + s.
void Fill(DB& db, int series, int64_t from, int64_t to) {
  auto app = db.NewAppender();
  for (int64_t t = from; t < to; t += 15000) {
    for (int s = 0; s < series; ++s) {
      Labels l = Labels::Of({{"__name__", "blk"}, {"s", absl::StrCat(s)}});
      ASSERT_TRUE(app->Append(l, t, static_cast<double>(t / 1000 + s)).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

void ExpectFull(DB& db, int series, int64_t from, int64_t to) {
  auto all = ReadAll(db, {Matcher::Equal("__name__", "blk")});
  ASSERT_EQ(all.size(), static_cast<size_t>(series));
  for (int s = 0; s < series; ++s) {
    const auto& v = all[absl::StrCat("blk{s=\"", s, "\"}")];
    ASSERT_EQ(v.size(), static_cast<size_t>((to - from) / 15000)) << s;
    for (size_t i = 0; i < v.size(); ++i) {
      const int64_t t = from + static_cast<int64_t>(i) * 15000;
      ASSERT_EQ(v[i], (TV{t, static_cast<double>(t / 1000 + s)}));
    }
  }
}

std::vector<std::string> BlockDirs(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (e.is_directory() && n.size() == 26) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST(DBBlocksTest, HeadIsPersistedAndTruncated) {
  TempDir dir;
  {
    auto db = DB::Open(ManualOptions(), dir.path());
    ASSERT_TRUE(db.ok());
    Fill(**db, 5, 0, 5 * kH);
    ASSERT_TRUE((*db)->Compact().ok());
    DBStats st = (*db)->Stats();
    // [0,2h) is persisted; the head keeps [2h,5h), which no longer spans
    // more than 1.5 block ranges (Prometheus's rule).
    EXPECT_EQ(st.blocks, 1);
    EXPECT_EQ(st.head_min_time, 2 * kH);
    ExpectFull(**db, 5, 0, 5 * kH);
    // Old WAL segments were checkpointed away.
    bool has_checkpoint = false;
    for (auto& e : std::filesystem::directory_iterator(dir.path() + "/wal")) {
      if (e.path().filename().string().rfind("checkpoint.", 0) == 0)
        has_checkpoint = true;
    }
    EXPECT_TRUE(has_checkpoint);
    // Out of bounds below the persisted range.
    auto app = (*db)->NewAppender();
    EXPECT_EQ(app->Append(Labels::Of({{"__name__", "blk"}, {"s", "0"}}), kH, 1)
                  .status()
                  .code(),
              StatusCode::kOutOfBounds);
  }
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->Stats().blocks, 1);
  ExpectFull(**db, 5, 0, 5 * kH);
}

// A batch holds a sample for a series whose only chunk the head's
// truncation drops, so the series is removed before the commit (appenders
// hold no pins): the commit logs the series anew and its sample, and a
// full WAL replay (no shutdown snapshot) and a snapshot both keep it.
TEST(DBBlocksTest, SampleOfASeriesTruncatedBeforeItsCommitSurvivesRestart) {
  for (const bool snapshot : {false, true}) {
    SCOPED_TRACE(snapshot ? "shutdown snapshot" : "WAL replay");
    TempDir dir;
    Options options = ManualOptions();
    options.snapshot_on_shutdown = snapshot;
    const Labels gone = Labels::Of({{"__name__", "gone"}});
    {
      auto db = DB::Open(options, dir.path());
      ASSERT_TRUE(db.ok());
      auto first = (*db)->NewAppender();
      auto ref = first->Append(gone, kH, 1);
      ASSERT_TRUE(ref.ok());
      ASSERT_TRUE(first->Commit().ok());
      Fill(**db, 5, 0, 5 * kH);
      auto open = (*db)->NewAppender();
      ASSERT_TRUE(open->Append(*ref, 5 * kH, 2).ok());
      // Persists [0, 2h) and truncates the head there: "gone" is left
      // without a chunk, and the WAL checkpoint drops its series record.
      ASSERT_TRUE((*db)->Compact().ok());
      ASSERT_EQ((*db)->Stats().head_min_time, 2 * kH);
      ASSERT_TRUE(open->Commit().ok());
      const auto all = ReadAll(**db, {Matcher::Equal("__name__", "gone")});
      ASSERT_EQ(all.size(), 1u);
      EXPECT_EQ(all.begin()->second, (std::vector<TV>{{kH, 1}, {5 * kH, 2}}));
      ASSERT_TRUE((*db)->Close().ok());
    }
    auto db = DB::Open(options, dir.path());
    ASSERT_TRUE(db.ok());
    const auto all = ReadAll(**db, {Matcher::Equal("__name__", "gone")});
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all.begin()->second, (std::vector<TV>{{kH, 1}, {5 * kH, 2}}));
    ExpectFull(**db, 5, 0, 5 * kH);
  }
}

TEST(DBBlocksTest, LeveledCompactionAndRetention) {
  TempDir dir;
  Options o = ManualOptions();
  auto db = DB::Open(o, dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, 3, 0, 15 * kH);
  ASSERT_TRUE((*db)->Compact().ok());
  // 2h blocks up to 12h; [0,6h) is full and compacted into one 6h block.
  EXPECT_GE((*db)->Stats().compactions, 1);
  ExpectFull(**db, 3, 0, 15 * kH);
  std::vector<std::string> blocks = BlockDirs(dir.path());
  EXPECT_EQ(blocks.size(), static_cast<size_t>((*db)->Stats().blocks));
  ASSERT_TRUE((*db)->Close().ok());

  // Reopen with 5h retention: blocks ending more than 5h before the newest
  // block's end go.
  Options r = ManualOptions();
  r.retention_ms = 5 * kH;
  auto db2 = DB::Open(r, dir.path());
  ASSERT_TRUE(db2.ok());
  ASSERT_TRUE((*db2)->Compact().ok());
  auto all = ReadAll(**db2, {Matcher::Equal("__name__", "blk")});
  ASSERT_EQ(all.size(), 3u);
  const auto& v = all["blk{s=\"0\"}"];
  EXPECT_GE(v.front().t, 6 * kH);  // [0,6h) ended 8h before 14h.
  EXPECT_EQ(v.back().t, 15 * kH - 15000);
}

TEST(DBBlocksTest, SizeRetentionDropsOldestBlocks) {
  TempDir dir;
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, 20, 0, 9 * kH);
  ASSERT_TRUE((*db)->Compact().ok());
  const int64_t blocks_before = (*db)->Stats().blocks;
  ASSERT_GE(blocks_before, 2);
  ASSERT_TRUE((*db)->Close().ok());
  Options r = ManualOptions();
  r.retention_bytes = 1;  // Everything is over the limit: all blocks go.
  auto db2 = DB::Open(r, dir.path());
  ASSERT_TRUE(db2.ok());
  ASSERT_TRUE((*db2)->Compact().ok());
  EXPECT_EQ((*db2)->Stats().blocks, 0);
  EXPECT_TRUE(BlockDirs(dir.path()).empty());
  // The head still serves what it holds.
  EXPECT_EQ(ReadAll(**db2, {Matcher::Equal("__name__", "blk")}).size(), 20u);
}

TEST(DBBlocksTest, SnapshotWhileAppendingRestoresAsDataDir) {
  TempDir dir, snap;
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, 4, 0, 5 * kH);
  ASSERT_TRUE((*db)->Compact().ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    auto app = (*db)->NewAppender();
    for (int64_t t = 5 * kH; !stop; t += 15000) {
      ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "live"}}), t, 1).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
  });
  const std::string target = snap.path() + "/s";
  ASSERT_TRUE((*db)->Snapshot(target, true).ok());
  stop = true;
  writer.join();
  auto restored = DB::Open(ManualOptions(), target);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  ExpectFull(**restored, 4, 0, 5 * kH);
}

TEST(DBBlocksTest, DeleteThenCleanTombstones) {
  TempDir dir;
  {
    auto db = DB::Open(ManualOptions(), dir.path());
    ASSERT_TRUE(db.ok());
    Fill(**db, 3, 0, 5 * kH);
    ASSERT_TRUE((*db)->Compact().ok());  // Block [0,2h); head [2h,5h).
    // Delete s=1 over [1h, 3h]: half in the block, half in the head.
    ASSERT_TRUE(
        (*db)->DeleteSeries({Matcher::Equal("s", "1")}, kH, 3 * kH).ok());
    auto s1 = ReadAll(**db, {Matcher::Equal("s", "1")})["blk{s=\"1\"}"];
    for (const TV& tv : s1) ASSERT_TRUE(tv.t < kH || tv.t > 3 * kH) << tv.t;
    EXPECT_EQ(s1.size(),
              static_cast<size_t>(5 * kH / 15000 - (2 * kH / 15000 + 1)));
    // Others untouched.
    EXPECT_EQ(ReadAll(**db, {Matcher::Equal("s", "0")})["blk{s=\"0\"}"].size(),
              static_cast<size_t>(5 * kH / 15000));
  }
  // Deletions survive a restart (block tombstones file, head via WAL).
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok());
  auto s1 = ReadAll(**db, {Matcher::Equal("s", "1")})["blk{s=\"1\"}"];
  for (const TV& tv : s1) ASSERT_TRUE(tv.t < kH || tv.t > 3 * kH) << tv.t;
  const size_t kept = s1.size();
  std::vector<std::string> before = BlockDirs(dir.path());
  ASSERT_EQ(before.size(), 1u) << before[0] << " " << before[1];
  ASSERT_TRUE(
      std::filesystem::exists(dir.path() + "/" + before[0] + "/tombstones"));
  ASSERT_TRUE((*db)->CleanTombstones().ok());
  std::vector<std::string> after = BlockDirs(dir.path());
  ASSERT_EQ(after.size(), 1u);
  EXPECT_NE(after[0], before[0]);  // Rewritten; the old block is gone.
  EXPECT_EQ(ReadAll(**db, {Matcher::Equal("s", "1")})["blk{s=\"1\"}"].size(),
            kept);
  // The data is gone from the files, not just hidden: promtool sees none.
  const std::string dump =
      RunCommand("promtool tsdb dump --min-time=" + std::to_string(kH) +
                 " --max-time=" + std::to_string(2 * kH - 1) + " " +
                 dir.path() + " 2>/dev/null");
  EXPECT_EQ(dump.find("s=\"1\""), std::string::npos);
  EXPECT_NE(dump.find("s=\"0\""), std::string::npos);
}

// As Prometheus 2.42 (tsdb/querier.go), a series deleted over all its
// samples is not selected at all, in blocks and in the head alike.
TEST(DBBlocksTest, FullyDeletedSeriesIsNotSelected) {
  TempDir dir;
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, 3, 0, 5 * kH);
  ASSERT_TRUE((*db)->Compact().ok());  // Block [0,2h); head [2h,5h).
  ASSERT_TRUE((*db)->DeleteSeries({Matcher::Equal("s", "1")}, 0, 5 * kH).ok());
  auto all = ReadAll(**db, {Matcher::Equal("__name__", "blk")});
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(all.count("blk{s=\"1\"}"), 0u);
  // Deleted only in the block: still selected over the whole range, not
  // over the block's range alone.
  ASSERT_TRUE((*db)->DeleteSeries({Matcher::Equal("s", "2")}, 0, 2 * kH).ok());
  EXPECT_EQ(ReadAll(**db, {Matcher::Equal("s", "2")}).size(), 1u);
  EXPECT_EQ(ReadAll(**db, {Matcher::Equal("s", "2")}, 0, kH).size(), 0u);
}

TEST(DBBlocksTest, CorruptBlockIsReportedAndOthersServe) {
  TempDir dir;
  {
    auto db = DB::Open(ManualOptions(), dir.path());
    ASSERT_TRUE(db.ok());
    Fill(**db, 2, 0, 7 * kH);
    ASSERT_TRUE((*db)->Compact().ok());  // Blocks [0,2h) and [2h,4h).
  }
  std::vector<std::string> blocks = BlockDirs(dir.path());
  ASSERT_EQ(blocks.size(), 2u);
  {
    // Damage the first block's meta.json.
    std::ofstream f(dir.path() + "/" + blocks[0] + "/meta.json",
                    std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f.put('#');
  }
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->Stats().corrupt_blocks, 1);
  EXPECT_EQ((*db)->Stats().blocks, 1);
  auto all = ReadAll(**db, {Matcher::Equal("__name__", "blk")});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all["blk{s=\"0\"}"].front().t, 2 * kH);  // The rest still serves.
  // Nothing was deleted.
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/" + blocks[0] + "/index"));
}

TEST(DBBlocksTest, IncrementalBackupCopiesOnlyMissingBlocks) {
  TempDir dir, backup;
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, 3, 0, 5 * kH);
  ASSERT_TRUE((*db)->Compact().ok());  // One block.
  auto first = (*db)->Backup(backup.path(), false);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->blocks_copied, 1);
  EXPECT_GT(first->bytes_copied, 0);
  Fill(**db, 3, 5 * kH, 7 * kH);
  ASSERT_TRUE((*db)->Compact().ok());  // More blocks.
  auto second = (*db)->Backup(backup.path(), true);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->blocks_skipped, 1);  // Not copied again.
  EXPECT_GE(second->blocks_copied, 1);
  auto restored = DB::Open(ManualOptions(), backup.path());
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  ExpectFull(**restored, 3, 0, 7 * kH);
}

TEST(DBBlocksTest, PromtoolReadsStrataBlocks) {
  if (!std::filesystem::exists("/usr/bin/promtool"))
    STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
  TempDir dir;
  {
    auto db = DB::Open(ManualOptions(), dir.path());
    ASSERT_TRUE(db.ok());
    Fill(**db, 3, 0, 5 * kH);
    ASSERT_TRUE((*db)->Compact().ok());
  }
  const std::string list =
      RunCommand("promtool tsdb list " + dir.path() + " 2>&1");
  for (const std::string& b : BlockDirs(dir.path())) {
    EXPECT_NE(list.find(b), std::string::npos) << list;
  }
  // Every sample of the blocks, as promtool dumps them.
  const std::string dump = RunCommand(
      "promtool tsdb dump --min-time=0 --max-time=" +
      std::to_string(2 * kH - 1) + " " + dir.path() + " 2>/dev/null");
  std::istringstream lines(dump);
  std::string line;
  int64_t n = 0;
  while (std::getline(lines, line)) {
    // `{labels with spaces} value timestamp`
    const size_t t_pos = line.rfind(' ');
    const size_t v_pos = line.rfind(' ', t_pos - 1);
    ASSERT_NE(v_pos, std::string::npos) << line;
    const std::string labels = line.substr(0, v_pos);
    const double v = std::stod(line.substr(v_pos + 1, t_pos - v_pos - 1));
    const int64_t t = std::stoll(line.substr(t_pos + 1));
    const int s = labels.find("s=\"2\"") != std::string::npos   ? 2
                  : labels.find("s=\"1\"") != std::string::npos ? 1
                                                                : 0;
    ASSERT_EQ(v, static_cast<double>(t / 1000 + s)) << line;
    ++n;
  }
  EXPECT_EQ(n, 3 * (2 * kH / 15000));  // The one persisted block, [0, 2h).
}

}  // namespace
}  // namespace strata
