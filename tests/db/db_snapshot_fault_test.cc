// EIO and ENOSPC while the shutdown snapshot is written or read: Close
// still succeeds (the WAL holds every acknowledged sample), no partial
// snapshot is left to be loaded, and the next Open answers with everything,
// from an older snapshot plus the WAL or from the WAL alone. The workload
// holds native histogram series too.
#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "snapshot_test_util.h"
#include "strata/db.h"
#include "util/fault_injection_file_system.h"

namespace strata {
namespace {

using testing::AppendBothWorkloads;
using testing::Dump;
using testing::DumpHistograms;
using testing::SnapshotDirs;
using testing::TempDir;

struct WriteFault {
  const char* name;
  FaultOp op;
  int error;
  int skip;  // Matching calls let through first.
};

class DBSnapshotWriteFaultTest : public ::testing::TestWithParam<WriteFault> {};

Options WithFs(FileSystem* fs, bool snapshot) {
  Options o;
  o.file_system = fs;
  o.background_compaction = false;
  o.snapshot_on_shutdown = snapshot;
  o.enable_native_histograms = true;
  return o;
}

void AppendBoth(DB& db, int from_step, uint64_t seed) {
  AppendBothWorkloads(db, 30, 6, from_step, 100, seed);
}

// Without counter-reset hints: a full replay may rebuild an open chunk a
// reset started with an "unknown" header.
std::map<std::string, std::vector<std::string>> Histograms(DB& db) {
  return DumpHistograms(db, /*with_hints=*/false);
}

TEST_P(DBSnapshotWriteFaultTest, CloseSucceedsAndNothingIsLost) {
  const WriteFault& wf = GetParam();
  TempDir dir;
  FaultInjectionFileSystem fs(FileSystem::Default());
  // A first clean close leaves an older snapshot behind, so that a failed
  // write must not take it away nor let it be misused.
  for (int round = 0; round < 2; ++round) {
    auto db = DB::Open(WithFs(&fs, true), dir.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    AppendBoth(**db, round * 100, round + 1);
    if (round == 1) {
      fs.Arm(Fault::On(wf.op, wf.error)
                 .Matching("head_snapshot")
                 .After(wf.skip)
                 .Persistent());
    }
    EXPECT_TRUE((*db)->Close().ok());
  }
  EXPECT_GT(fs.injected(), 0);
  fs.DisarmAll();
  for (const std::string& name : SnapshotDirs(dir.path())) {
    EXPECT_FALSE(name.ends_with(".tmp")) << name;
  }
  // Reference: the same workload, never restarted through a snapshot.
  TempDir ref_dir;
  auto ref = DB::Open(WithFs(FileSystem::Default(), false), ref_dir.path());
  ASSERT_TRUE(ref.ok());
  AppendBoth(**ref, 0, 1);
  AppendBoth(**ref, 100, 2);

  auto db = DB::Open(WithFs(FileSystem::Default(), true), dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(Dump(**db), Dump(**ref));
  EXPECT_EQ(Histograms(**db), Histograms(**ref));
  EXPECT_EQ(Histograms(**db).size(), 6u);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, DBSnapshotWriteFaultTest,
    ::testing::Values(WriteFault{"AppendEIO", FaultOp::kAppend, EIO, 0},
                      WriteFault{"AppendENOSPC", FaultOp::kAppend, ENOSPC, 0},
                      WriteFault{"SyncEIO", FaultOp::kSync, EIO, 0},
                      WriteFault{"CreateENOSPC", FaultOp::kCreate, ENOSPC, 0},
                      WriteFault{"RenameEIO", FaultOp::kRename, EIO, 0},
                      WriteFault{"SyncDirEIO", FaultOp::kSyncDir, EIO, 0},
                      WriteFault{"CloseEIO", FaultOp::kClose, EIO, 0}),
    [](const ::testing::TestParamInfo<WriteFault>& info) {
      return std::string(info.param.name);
    });

// A snapshot that cannot be read at open: the WAL is replayed instead.
TEST(DBSnapshotLoadFaultTest, UnreadableSnapshotFallsBackToTheWal) {
  TempDir dir;
  FaultInjectionFileSystem fs(FileSystem::Default());
  {
    auto db = DB::Open(WithFs(&fs, true), dir.path());
    ASSERT_TRUE(db.ok());
    AppendBoth(**db, 0, 1);
    ASSERT_TRUE((*db)->Close().ok());
  }
  ASSERT_EQ(SnapshotDirs(dir.path()).size(), 1u);
  TempDir ref_dir;
  auto ref = DB::Open(WithFs(FileSystem::Default(), false), ref_dir.path());
  ASSERT_TRUE(ref.ok());
  AppendBoth(**ref, 0, 1);

  fs.Arm(Fault::On(FaultOp::kRead, EIO).Matching("head_snapshot"));
  auto db = DB::Open(WithFs(&fs, true), dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_GT(fs.injected(), 0);
  EXPECT_FALSE((*db)->replay_report().from_snapshot);
  EXPECT_FALSE((*db)->replay_report().snapshot_discarded.empty());
  EXPECT_EQ(Dump(**db), Dump(**ref));
  EXPECT_EQ(Histograms(**db), Histograms(**ref));
}

}  // namespace
}  // namespace strata
