// DB::Backup with the head: the WAL is copied incrementally (closed
// segments and the checkpoint once, the live segment's new records), the
// backup opens as a data directory with every sample bit-identical, and a
// backup taken while appends and compactions run holds every sample
// acknowledged before it began.
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "db_test_util.h"
#include "strata/db.h"
#include "wait_for.h"

namespace strata {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr int64_t kH = kMillisPerHour;
constexpr int64_t kStep = 15000;

Options ManualOptions() {
  Options o;
  o.background_compaction = false;
  o.retention_ms = 0;
  return o;
}

// Series name -> (t, value bits): equality is bit-identity (NaNs too).
using Bits = std::map<std::string, std::vector<std::pair<int64_t, uint64_t>>>;

Bits ReadBits(DB& db) {
  Bits out;
  auto q = db.NewQuerier(INT64_MIN, INT64_MAX);
  if (!q.ok()) return out;
  auto set = (*q)->Select({Matcher::Equal("__name__", "bk")});
  while (set->Next()) {
    auto& v = out[set->At().labels().ToString()];
    auto it = set->At().NewIterator();
    while (it->Next()) {
      v.emplace_back(it->t(), std::bit_cast<uint64_t>(it->v()));
    }
  }
  return out;
}

// Values that a lossy path would change: NaN payloads, -0, denormals.
double OddValue(int64_t t, int s) {
  switch ((t / kStep + s) % 5) {
    case 0:
      return std::bit_cast<double>(uint64_t{0x7ff0000000000002});  // NaN
    case 1:
      return -0.0;
    case 2:
      return 4.9e-324;
    default:
      return static_cast<double>(t) / 7.0 + s;
  }
}

void Fill(DB& db, int series, int64_t from, int64_t to) {
  auto app = db.NewAppender();
  for (int64_t t = from; t < to; t += kStep) {
    for (int s = 0; s < series; ++s) {
      Labels l = Labels::Of({{"__name__", "bk"}, {"s", absl::StrCat(s)}});
      ASSERT_TRUE(app->Append(l, t, OddValue(t, s)).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

// Bytes of the files under `dir`/wal.
int64_t WalBytes(const std::string& dir) {
  int64_t n = 0;
  for (auto& e : fs::recursive_directory_iterator(dir + "/wal")) {
    if (e.is_regular_file()) n += static_cast<int64_t>(e.file_size());
  }
  return n;
}

// Opens a copy of backup `dir` (opening changes a data directory) and
// reads it.
Bits OpenCopy(const std::string& dir, const std::string& scratch,
              const Options& options = ManualOptions()) {
  fs::remove_all(scratch);
  fs::copy(dir, scratch, fs::copy_options::recursive);
  auto db = DB::Open(options, scratch);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return {};
  EXPECT_TRUE((*db)->replay_report().corruption.ok());
  return ReadBits(**db);
}

TEST(DBBackupTest, SecondBackupCopiesOnlyTheNewWalBytes) {
  TempDir dir, backup, scratch;
  auto db = DB::Open(ManualOptions(), dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, 50, 0, kH);  // All in the head.
  auto first = (*db)->Backup(backup.path(), true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->blocks_copied, 0);
  EXPECT_GT(first->wal_segment_bytes, 0);
  EXPECT_EQ(first->bytes_copied, first->wal_segment_bytes);
  EXPECT_EQ(WalBytes(backup.path()), first->wal_segment_bytes);
  EXPECT_EQ(OpenCopy(backup.path(), scratch.path() + "/a"), ReadBits(**db));

  // A little more ingest: only those bytes travel.
  Fill(**db, 50, kH, kH + 2 * kStep);
  const int64_t before = WalBytes(backup.path());
  auto second = (*db)->Backup(backup.path(), true);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->block_bytes, 0);
  EXPECT_EQ(second->wal_checkpoint_bytes, 0);
  EXPECT_GT(second->bytes_copied, 0);
  EXPECT_LT(second->bytes_copied * 20, first->bytes_copied);
  EXPECT_EQ(second->bytes_copied, WalBytes(backup.path()) - before);
  std::printf("first backup %lld bytes, second %lld bytes\n",
              (long long)first->bytes_copied, (long long)second->bytes_copied);
  // The backup's WAL is the source's, byte for byte.
  for (auto& e : fs::directory_iterator(backup.path() + "/wal")) {
    const std::string name = e.path().filename().string();
    EXPECT_EQ(e.file_size(), fs::file_size(dir.path() + "/wal/" + name))
        << name;
  }
  EXPECT_EQ(OpenCopy(backup.path(), scratch.path() + "/b"), ReadBits(**db));

  // Nothing new: nothing copied.
  auto third = (*db)->Backup(backup.path(), true);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->bytes_copied, 0);
}

// Out-of-order samples not yet compacted live only in the head and the
// WBL: a backup with the head carries the WBL, so they are in it.
TEST(DBBackupTest, CarriesTheOutOfOrderWbl) {
  TempDir dir, backup, scratch;
  Options o = ManualOptions();
  o.out_of_order_time_window_ms = kH;
  auto db = DB::Open(o, dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, 20, 10 * kH, 10 * kH + 40 * kStep);
  // Between the in-order samples: out of order, into the WBL.
  Fill(**db, 20, 10 * kH - 20 * kStep + 1000, 10 * kH + 20 * kStep);
  ASSERT_GT((*db)->Stats().samples_ooo_appended, 0);
  auto first = (*db)->Backup(backup.path(), true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_GT(first->wbl_segment_bytes, 0);
  EXPECT_EQ(first->bytes_copied,
            first->wal_segment_bytes + first->wbl_segment_bytes);
  EXPECT_EQ(OpenCopy(backup.path(), scratch.path() + "/a", o), ReadBits(**db));
  // More out-of-order samples: the next backup brings only them.
  Fill(**db, 20, 10 * kH - 30 * kStep + 2000, 10 * kH - 25 * kStep);
  auto second = (*db)->Backup(backup.path(), true);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_GT(second->wbl_segment_bytes, 0);
  EXPECT_LT(second->wbl_segment_bytes, first->wbl_segment_bytes);
  EXPECT_EQ(OpenCopy(backup.path(), scratch.path() + "/b", o), ReadBits(**db));
}

TEST(DBBackupTest, FollowsCompactionAndCheckpoints) {
  TempDir dir, backup, scratch;
  Options o = ManualOptions();
  o.wal_segment_bytes = 64 * 1024;  // Several segments.
  auto db = DB::Open(o, dir.path());
  ASSERT_TRUE(db.ok());
  Fill(**db, 20, 0, 2 * kH);
  auto first = (*db)->Backup(backup.path(), true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_GT(first->wal_segments_copied, 1);
  Fill(**db, 20, 2 * kH, 4 * kH);
  ASSERT_TRUE((*db)->Compact().ok());  // Blocks, checkpoint, segments cut.
  ASSERT_TRUE(fs::exists(dir.path() + "/wal"));
  auto second = (*db)->Backup(backup.path(), true);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_GE(second->blocks_copied, 1);
  EXPECT_GT(second->block_bytes, 0);
  EXPECT_GT(second->wal_checkpoint_bytes, 0);
  EXPECT_GT(second->wal_segments_removed, 0);
  EXPECT_EQ(second->bytes_copied, second->block_bytes +
                                      second->wal_segment_bytes +
                                      second->wal_checkpoint_bytes);
  // Same files in the backup's WAL as in the source's.
  std::vector<std::string> src_names, dst_names;
  for (auto& e : fs::directory_iterator(dir.path() + "/wal"))
    src_names.push_back(e.path().filename().string());
  for (auto& e : fs::directory_iterator(backup.path() + "/wal"))
    dst_names.push_back(e.path().filename().string());
  std::sort(src_names.begin(), src_names.end());
  std::sort(dst_names.begin(), dst_names.end());
  EXPECT_EQ(src_names, dst_names);
  const Bits want = ReadBits(**db);
  ASSERT_EQ(want.size(), 20u);
  EXPECT_EQ(OpenCopy(backup.path(), scratch.path() + "/a"), want);
}

TEST(DBBackupTest, BackupDuringAppendsAndCompactionsLosesNothingAcked) {
  TempDir dir, backup, scratch;
  Options o = ManualOptions();
  o.wal_segment_bytes = 32 * 1024;       // Segments roll during the backups.
  o.block_duration_ms = 60 * 60 * 1000;  // 240 steps.
  auto db = DB::Open(o, dir.path());
  ASSERT_TRUE(db.ok());
  constexpr int kSeries = 10;
  std::atomic<int64_t> acked{0};  // Steps [0, acked) are committed.
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::thread writer([&] {
    auto app = (*db)->NewAppender();
    for (int64_t j = 0; !stop.load() && j < 2000000; ++j) {
      for (int s = 0; s < kSeries; ++s) {
        Labels l = Labels::Of({{"__name__", "bk"}, {"s", absl::StrCat(s)}});
        if (!app->Append(l, j * kStep, static_cast<double>(j)).ok()) ++errors;
      }
      if (!app->Commit().ok()) ++errors;
      acked.store(j + 1);
      if (j % 16 == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::thread compactor([&] {
    while (!stop.load()) {
      if (!(*db)->Compact().ok()) ++errors;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  // Stops and joins the threads however the test ends.
  struct Joiner {
    std::atomic<bool>* stop;
    std::thread* a;
    std::thread* b;
    ~Joiner() {
      stop->store(true);
      a->join();
      b->join();
    }
  } joiner{&stop, &writer, &compactor};
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(
        testing::WaitFor([&] { return acked.load() >= (round + 1) * 1500; },
                         std::chrono::seconds(60)));
    const int64_t acked_before = acked.load();
    auto r = (*db)->Backup(backup.path(), true);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const Bits got =
        OpenCopy(backup.path(), scratch.path() + "/" + std::to_string(round));
    ASSERT_EQ(got.size(), static_cast<size_t>(kSeries)) << round;
    for (const auto& [series, samples] : got) {
      ASSERT_GE(samples.size(), static_cast<size_t>(acked_before)) << series;
      for (int64_t j = 0; j < acked_before; ++j) {
        ASSERT_EQ(samples[static_cast<size_t>(j)].first, j * kStep)
            << series << " round " << round;
      }
    }
  }
  EXPECT_EQ(errors.load(), 0);
}

}  // namespace
}  // namespace strata
