// EIO and ENOSPC on WAL writes and fsyncs: Commit reports the error, no
// acknowledged sample is lost, and the DB stays readable and writable once
// the fault clears. On head-chunk writes (Options::head_chunks_on_disk):
// commits never fail, the chunks stay in memory, and the next open cuts
// the damaged file and lets the WAL fill in.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "db_test_util.h"
#include "strata/db.h"
#include "util/fault_injection_file_system.h"

namespace strata {
namespace {

using testing::ReadAll;
using testing::TempDir;

struct FaultCase {
  const char* name;
  FaultOp op;
  int error;
  bool persistent;
  int64_t partial_bytes;
};

class DBFaultTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(DBFaultTest, AcknowledgedSamplesSurvive) {
  const FaultCase& fc = GetParam();
  TempDir dir;
  FaultInjectionFileSystem fs(FileSystem::Default());
  Options options;
  options.file_system = &fs;
  options.wal_sync = WalSyncPolicy::kAlways;
  options.wal_segment_bytes = 128 * 1024;
  std::set<int> acked;
  int failed = 0;
  {
    auto db = DB::Open(options, dir.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto app = (*db)->NewAppender();
    for (int b = 0; b < 300; ++b) {
      if (b == 100) {
        Fault f;
        f.op = fc.op;
        f.path_substring = "/wal/";
        f.error = fc.error;
        f.persistent = fc.persistent;
        f.partial_bytes = fc.partial_bytes;
        fs.Arm(f);
      }
      if (b == 150) fs.DisarmAll();
      for (int s = 0; s < 10; ++s) {
        Labels l = Labels::Of({{"__name__", "f"}, {"s", absl::StrCat(s)}});
        auto r = app->Append(l, b * 1000LL, b);
        // A sample of a failed batch may or may not be in the head.
        ASSERT_TRUE(r.ok() ||
                    r.status().code() == StatusCode::kDuplicateSample ||
                    r.status().code() == StatusCode::kOutOfOrder)
            << r.status().ToString();
      }
      Status st = app->Commit();
      if (st.ok()) {
        acked.insert(b);
      } else {
        ++failed;
        EXPECT_EQ(st.code(), StatusCode::kIOError) << st.ToString();
        // Still readable while the fault lasts.
        auto all = ReadAll(**db, {Matcher::Equal("__name__", "f")});
        ASSERT_EQ(all.size(), 10u);
      }
    }
    EXPECT_GT(failed, 0);
    EXPECT_GT(fs.injected(), 0);
    // The failure did not poison the DB: later batches were acknowledged.
    EXPECT_TRUE(acked.count(299));
    ASSERT_TRUE((*db)->Close().ok());
  }
  Options plain;
  auto db = DB::Open(plain, dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE((*db)->replay_report().corruption.ok())
      << (*db)->replay_report().corruption.ToString();
  auto all = ReadAll(**db, {Matcher::Equal("__name__", "f")});
  ASSERT_EQ(all.size(), 10u);
  for (const auto& [name, samples] : all) {
    std::set<int64_t> ts;
    for (const auto& tv : samples) {
      ts.insert(tv.t);
      EXPECT_EQ(tv.v, static_cast<double>(tv.t / 1000));
    }
    for (int b : acked)
      ASSERT_TRUE(ts.count(b * 1000LL)) << name << " lost batch " << b;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Faults, DBFaultTest,
    ::testing::Values(
        FaultCase{"AppendEIO", FaultOp::kAppend, EIO, false, -1},
        FaultCase{"AppendENOSPCPersistent", FaultOp::kAppend, ENOSPC, true, -1},
        FaultCase{"AppendPartialWrite", FaultOp::kAppend, EIO, false, 5},
        FaultCase{"SyncEIO", FaultOp::kSync, EIO, false, -1},
        FaultCase{"SyncENOSPCPersistent", FaultOp::kSync, ENOSPC, true, -1}),
    [](const ::testing::TestParamInfo<FaultCase>& info) {
      return info.param.name;
    });

class DBHeadChunkFaultTest : public ::testing::TestWithParam<FaultCase> {};

// Appends 600 samples to 10 series with head-chunk writes failing as `fc`
// says from batch 200 to 400, then closes the DB (writing the shutdown
// snapshot if `snapshot_on_shutdown`). Returns the answers before Close.
std::map<std::string, std::vector<testing::TV>> WriteThroughHeadChunkFault(
    const FaultCase& fc, bool snapshot_on_shutdown, const std::string& dir) {
  FaultInjectionFileSystem fs(FileSystem::Default());
  Options options;
  options.file_system = &fs;
  options.head_chunks_on_disk = true;
  options.snapshot_on_shutdown = snapshot_on_shutdown;
  options.background_compaction = false;
  std::map<std::string, std::vector<testing::TV>> want;
  auto db = DB::Open(options, dir);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return want;
  auto app = (*db)->NewAppender();
  // 600 samples a series: chunks are cut around 120, 240, ...
  for (int b = 0; b < 600; ++b) {
    if (b == 200) {
      Fault f;
      f.op = fc.op;
      f.path_substring = "/chunks_head/";
      f.error = fc.error;
      f.persistent = fc.persistent;
      f.partial_bytes = fc.partial_bytes;
      fs.Arm(f);
    }
    if (b == 400) fs.DisarmAll();
    for (int s = 0; s < 10; ++s) {
      Labels l = Labels::Of({{"__name__", "f"}, {"s", absl::StrCat(s)}});
      EXPECT_TRUE(app->Append(l, b * 1000LL, b).ok());
    }
    EXPECT_TRUE(app->Commit().ok()) << "batch " << b;
  }
  EXPECT_GT(fs.injected(), 0);
  want = ReadAll(**db, {Matcher::Equal("__name__", "f")});
  EXPECT_EQ(want.size(), 10u);
  for (const auto& [name, samples] : want) EXPECT_EQ(samples.size(), 600u);
  app.reset();
  EXPECT_TRUE((*db)->Close().ok());
  return want;
}

TEST_P(DBHeadChunkFaultTest, NothingIsLost) {
  TempDir dir;
  const auto want = WriteThroughHeadChunkFault(GetParam(), false, dir.path());
  ASSERT_FALSE(::testing::Test::HasFailure());
  Options plain;
  plain.head_chunks_on_disk = true;
  auto db = DB::Open(plain, dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE((*db)->replay_report().corruption.ok());
  EXPECT_EQ(ReadAll(**db, {Matcher::Equal("__name__", "f")}), want);
}

// After a head-chunk write failed, chunks handed out from the unwritten
// buffer are not in the files: the shutdown snapshot holds every chunk
// inline instead of by reference, and loads.
TEST_P(DBHeadChunkFaultTest, SnapshotAfterAFailedWriteHoldsChunksInline) {
  TempDir dir;
  const auto want = WriteThroughHeadChunkFault(GetParam(), true, dir.path());
  ASSERT_FALSE(::testing::Test::HasFailure());
  Options plain;
  plain.head_chunks_on_disk = true;
  auto db = DB::Open(plain, dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const ReplayReport& r = (*db)->replay_report();
  EXPECT_TRUE(r.from_snapshot) << r.snapshot_discarded;
  EXPECT_GT(r.snapshot_chunks, 10);
  EXPECT_EQ(r.snapshot_chunk_refs, 0);
  EXPECT_EQ(ReadAll(**db, {Matcher::Equal("__name__", "f")}), want);
}

INSTANTIATE_TEST_SUITE_P(
    HeadChunkFaults, DBHeadChunkFaultTest,
    ::testing::Values(
        FaultCase{"AppendEIO", FaultOp::kAppend, EIO, false, -1},
        FaultCase{"AppendENOSPCPersistent", FaultOp::kAppend, ENOSPC, true, -1},
        FaultCase{"AppendPartialWrite", FaultOp::kAppend, EIO, false, 5}),
    [](const ::testing::TestParamInfo<FaultCase>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace strata
