// DBStats' monitoring counters move with what the DB does: compactions
// (and their failures and durations), retention by reason, WAL checkpoints
// and truncations (and their failures), head series and chunk churn.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "db_test_util.h"
#include "strata/db.h"
#include "util/fault_injection_file_system.h"

namespace strata {
namespace {

using testing::TempDir;

constexpr int64_t kH = kMillisPerHour;

Options ManualOptions() {
  Options o;
  o.background_compaction = false;
  o.retention_ms = 0;
  return o;
}

// Appends series "name"{s=0..series-1} every 15 s over [from, to).
void Fill(DB& db, const std::string& name, int series, int64_t from,
          int64_t to) {
  auto app = db.NewAppender();
  for (int64_t t = from; t < to; t += 15000) {
    for (int s = 0; s < series; ++s) {
      Labels l = Labels::Of({{"__name__", name}, {"s", absl::StrCat(s)}});
      ASSERT_TRUE(app->Append(l, t, 1).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

TEST(DBStatsTest, FreshDBCountsNothing) {
  TempDir dir;
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok());
  const DBStats s = (*db)->Stats();
  EXPECT_EQ(s.compactions, 0);
  EXPECT_EQ(s.compaction_failures, 0);
  EXPECT_EQ(s.compaction_duration.count, 0u);
  // The histogram's buckets are there from the start.
  EXPECT_EQ(s.compaction_duration.upper_bounds.size(), 14u);
  EXPECT_EQ(s.compaction_duration.cumulative_counts.size(), 14u);
  EXPECT_EQ(s.wal_checkpoints, 0);
  EXPECT_EQ(s.wal_truncations, 0);
  EXPECT_EQ(s.head_series_removed, 0);
  EXPECT_EQ(s.retention_time_blocks + s.retention_size_blocks, 0);
}

TEST(DBStatsTest, PersistingTheHeadCountsCompactionCheckpointAndChurn) {
  TempDir dir;
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok());
  // "gone" lives only in [0, 1h): removed from the head once [0, 2h) is
  // persisted. "kept" spans [0, 5h).
  Fill(**db, "gone", 3, 0, kH);
  Fill(**db, "kept", 2, 0, 5 * kH);
  const DBStats before = (*db)->Stats();
  EXPECT_GT(before.head_chunks_created, 0);
  EXPECT_EQ(before.head_chunks, before.head_chunks_created);
  ASSERT_TRUE((*db)->Compact().ok());
  const DBStats s = (*db)->Stats();
  EXPECT_EQ(s.blocks, 1);
  EXPECT_EQ(s.compactions, 1);
  EXPECT_EQ(s.compaction_failures, 0);
  EXPECT_EQ(s.compaction_duration.count, 1u);
  EXPECT_GE(s.compaction_duration.sum, 0);
  // Cumulative and ending at the count (a head block takes well under
  // 8192 s).
  EXPECT_EQ(s.compaction_duration.cumulative_counts.back(), 1u);
  EXPECT_EQ(s.wal_checkpoints, 1);
  EXPECT_EQ(s.wal_checkpoint_failures, 0);
  EXPECT_EQ(s.wal_truncations, 1);
  EXPECT_EQ(s.wal_truncation_failures, 0);
  EXPECT_EQ(s.head_series_removed, 3);
  EXPECT_EQ(s.head_series, 2);
  EXPECT_GT(s.head_chunks_removed, 0);
  EXPECT_EQ(s.head_chunks, s.head_chunks_created - s.head_chunks_removed);
}

TEST(DBStatsTest, LeveledCompactionsAreCounted) {
  TempDir dir;
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, "m", 2, 0, 15 * kH);
  ASSERT_TRUE((*db)->Compact().ok());
  const DBStats s = (*db)->Stats();
  // Six 2h head blocks up to 12h, then [0,6h) compacted into one.
  EXPECT_GE(s.compactions, 7);
  EXPECT_EQ(s.compaction_duration.count, static_cast<uint64_t>(s.compactions));
}

TEST(DBStatsTest, RetentionCountsBlocksAndBytesByReason) {
  TempDir dir;
  {
    auto db = DB::Open(ManualOptions(), dir.path());
    ASSERT_TRUE(db.ok());
    Fill(**db, "m", 3, 0, 15 * kH);
    ASSERT_TRUE((*db)->Compact().ok());
  }
  int64_t blocks_left = 0;
  {
    Options o = ManualOptions();
    o.retention_ms = 5 * kH;
    auto db = DB::Open(o, dir.path());
    ASSERT_TRUE(db.ok());
    const int64_t bytes_before = (*db)->Stats().blocks_bytes;
    ASSERT_TRUE((*db)->Compact().ok());
    const DBStats s = (*db)->Stats();
    EXPECT_GE(s.retention_time_blocks, 1);
    EXPECT_GT(s.retention_time_bytes, 0);
    EXPECT_EQ(s.retention_time_bytes, bytes_before - s.blocks_bytes);
    EXPECT_EQ(s.retention_size_blocks, 0);
    EXPECT_EQ(s.retention_size_bytes, 0);
    blocks_left = s.blocks;
  }
  ASSERT_GE(blocks_left, 1);
  Options o = ManualOptions();
  o.retention_bytes = 1;  // Everything is over the limit: all blocks go.
  auto db = DB::Open(o, dir.path());
  ASSERT_TRUE(db.ok());
  const int64_t bytes_before = (*db)->Stats().blocks_bytes;
  ASSERT_TRUE((*db)->Compact().ok());
  const DBStats s = (*db)->Stats();
  EXPECT_EQ(s.retention_size_blocks, blocks_left);
  EXPECT_EQ(s.retention_size_bytes, bytes_before);
  EXPECT_EQ(s.retention_time_blocks, 0);
}

TEST(DBStatsTest, FailedCompactionIsCounted) {
  TempDir dir;
  FaultInjectionFileSystem fs(FileSystem::Default());
  Options o = ManualOptions();
  o.file_system = &fs;
  auto db = DB::Open(o, dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, "m", 2, 0, 5 * kH);
  // Block files are written below a temporary block directory.
  fs.Arm(Fault::On(FaultOp::kCreate).Matching(".tmp-for-creation"));
  EXPECT_FALSE((*db)->Compact().ok());
  DBStats s = (*db)->Stats();
  EXPECT_EQ(s.compactions, 1);
  EXPECT_EQ(s.compaction_failures, 1);
  EXPECT_EQ(s.compaction_duration.count, 1u);
  fs.DisarmAll();
  ASSERT_TRUE((*db)->Compact().ok());
  s = (*db)->Stats();
  EXPECT_EQ(s.compactions, 2);
  EXPECT_EQ(s.compaction_failures, 1);
}

TEST(DBStatsTest, FailedCheckpointAndTruncationAreCounted) {
  TempDir dir;
  FaultInjectionFileSystem fs(FileSystem::Default());
  Options o = ManualOptions();
  o.file_system = &fs;
  o.wal_segment_bytes = 64 * 1024;  // Several segments to truncate.
  auto db = DB::Open(o, dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, "m", 20, 0, 5 * kH);
  // The checkpoint cannot be renamed into place: creation fails, the WAL
  // keeps everything.
  fs.Arm(Fault::On(FaultOp::kRename).Matching("checkpoint."));
  ASSERT_TRUE((*db)->Compact().ok());  // Retried at the next compaction.
  DBStats s = (*db)->Stats();
  EXPECT_EQ(s.wal_checkpoints, 1);
  EXPECT_EQ(s.wal_checkpoint_failures, 1);
  EXPECT_EQ(s.wal_truncations, 0);
  fs.DisarmAll();

  // Next range: the checkpoint is made but deleting old segments fails.
  Fill(**db, "m", 20, 5 * kH, 7 * kH);
  fs.Arm(Fault::On(FaultOp::kRemove).Matching("/wal/0"));
  ASSERT_TRUE((*db)->Compact().ok());
  s = (*db)->Stats();
  EXPECT_EQ(s.wal_checkpoints, 2);
  EXPECT_EQ(s.wal_checkpoint_failures, 1);
  EXPECT_EQ(s.wal_truncations, 1);
  EXPECT_EQ(s.wal_truncation_failures, 1);
}

}  // namespace
}  // namespace strata
