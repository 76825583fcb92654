// Head chunks on disk (issue 16 item 1, Options::head_chunks_on_disk): the
// same data dir opened through a full WAL replay, through the chunks in
// chunks_head/ and through a shutdown snapshot answers every series
// identically; damaged head-chunk files (torn tail, bad CRC in the middle,
// a missing file) lose nothing the WAL holds; head truncation removes old
// files.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "snapshot_test_util.h"
#include "strata/db.h"

namespace strata {
namespace {

namespace fs = std::filesystem;
using testing::AppendWorkload;
using testing::ChunkFiles;
using testing::CopyDir;
using testing::Dump;
using testing::FilesIn;
using testing::OpenOrDie;
using testing::TempDir;

constexpr int kSeries = 40;

Options ChunkOptions() { return testing::HeadChunkTestOptions(false); }

Options FullReplayOptions() {
  Options o = ChunkOptions();
  o.head_chunks_on_disk = false;
  return o;
}

Options SnapshotOptions() {
  Options o = ChunkOptions();
  o.snapshot_on_shutdown = true;
  return o;
}

// Appends `runs` rounds of the workload (300 steps each, several chunks per
// series), closing and reopening between them (each run starts a file),
// then copies the dir while the DB is open, as a kill -9 leaves it.
// Returns the answers at the copy.
std::map<std::string, std::vector<testing::TV>> WriteCrashedDir(
    const std::string& dir, const std::string& crashed, int runs) {
  std::map<std::string, std::vector<testing::TV>> want;
  for (int run = 0; run < runs; ++run) {
    auto db = OpenOrDie(ChunkOptions(), dir);
    if (db == nullptr) return want;
    AppendWorkload(*db, kSeries, run * 300, 300, 1 + run);
    if (::testing::Test::HasFatalFailure()) return want;
    if (run + 1 < runs) {
      EXPECT_TRUE(db->Close().ok());
      continue;
    }
    want = Dump(*db);
    CopyDir(dir, crashed);
  }
  return want;
}

TEST(DBHeadChunksTest, ChunksGoToDiskAndReadBack) {
  TempDir a;
  auto db = OpenOrDie(ChunkOptions(), a.path());
  ASSERT_NE(db, nullptr);
  AppendWorkload(*db, kSeries, 0, 300, 1);
  // Every series cut chunks; they are in chunks_head/ and answer queries.
  ASSERT_EQ(ChunkFiles(a.path()), std::vector<std::string>{"000001"});
  EXPECT_GT(fs::file_size(a.path() + "/chunks_head/000001"), 8u);
  TempDir b;
  auto mem = OpenOrDie(FullReplayOptions(), b.path());
  AppendWorkload(*mem, kSeries, 0, 300, 1);
  EXPECT_EQ(Dump(*db), Dump(*mem));
  EXPECT_EQ(db->Stats().head_chunks, mem->Stats().head_chunks);
  EXPECT_TRUE(ChunkFiles(b.path()).empty());
}

TEST(DBHeadChunksTest, WalMappedAndSnapshotRestartsAnswerIdentically) {
  TempDir a, crashed;
  const auto want = WriteCrashedDir(a.path(), crashed.path(), 2);
  ASSERT_EQ(want.size(), static_cast<size_t>(kSeries));
  TempDir wal_copy, snap_copy;
  CopyDir(crashed.path(), wal_copy.path());
  CopyDir(crashed.path(), snap_copy.path());

  auto from_wal = OpenOrDie(FullReplayOptions(), wal_copy.path());
  auto mapped = OpenOrDie(ChunkOptions(), crashed.path());
  ASSERT_NE(from_wal, nullptr);
  ASSERT_NE(mapped, nullptr);
  const ReplayReport& r = mapped->replay_report();
  EXPECT_GT(r.mapped_chunks, kSeries);
  EXPECT_GT(r.samples_in_mapped_chunks, 0);
  EXPECT_TRUE(r.mapped_chunks_damage.empty()) << r.mapped_chunks_damage;
  EXPECT_EQ(r.samples + r.samples_in_mapped_chunks,
            from_wal->replay_report().samples);
  EXPECT_TRUE(ChunkFiles(wal_copy.path()).empty());  // Off: removed.
  EXPECT_EQ(Dump(*from_wal), want);
  EXPECT_EQ(Dump(*mapped), want);
  EXPECT_EQ(mapped->Stats().head_chunks, from_wal->Stats().head_chunks);
  EXPECT_EQ(mapped->Stats().head_min_time, from_wal->Stats().head_min_time);
  EXPECT_EQ(mapped->Stats().head_max_time, from_wal->Stats().head_max_time);

  // Through a snapshot: opened with chunks (a clean close writes the
  // snapshot, reading chunks back from disk), then loaded.
  {
    auto db = OpenOrDie(SnapshotOptions(), snap_copy.path());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Close().ok());
  }
  auto from_snap = OpenOrDie(SnapshotOptions(), snap_copy.path());
  ASSERT_NE(from_snap, nullptr);
  EXPECT_TRUE(from_snap->replay_report().from_snapshot);
  EXPECT_EQ(Dump(*from_snap), want);

  // Appends continue the open chunks as without a restart, the same
  // again after another restart of each.
  AppendWorkload(*from_wal, kSeries, 600, 200, 9);
  AppendWorkload(*mapped, kSeries, 600, 200, 9);
  AppendWorkload(*from_snap, kSeries, 600, 200, 9);
  const auto later = Dump(*from_wal);
  EXPECT_EQ(Dump(*mapped), later);
  EXPECT_EQ(Dump(*from_snap), later);
  EXPECT_EQ(mapped->Stats().head_chunks, from_wal->Stats().head_chunks);
  // Duplicates and out-of-order samples are judged against the newest.
  auto app = mapped->NewAppender();
  Labels s1 = Labels::Of({{"job", "snap"}, {"s", "1"}});
  EXPECT_EQ(app->Append(s1, 15000 * 700, 1).status().code(),
            StatusCode::kOutOfOrder);
  const double newest = later.at("{job=\"snap\", s=\"1\"}").back().v;
  EXPECT_TRUE(app->Append(s1, 15000 * 799, newest).ok());  // Duplicate.
  EXPECT_EQ(
      app->Append(s1, 15000 * 799, newest == 1.0 ? 2.0 : 1.0).status().code(),
      StatusCode::kDuplicateSample);
  app->Rollback();
  app.reset();  // Before its DB.
  mapped.reset();
  from_snap.reset();
  auto mapped_again = OpenOrDie(ChunkOptions(), crashed.path());
  auto snap_again = OpenOrDie(SnapshotOptions(), snap_copy.path());
  EXPECT_EQ(Dump(*mapped_again), later);
  EXPECT_EQ(Dump(*snap_again), later);
}

// Each damage loses nothing: the WAL fills in after the last intact chunk.
void CheckDamage(const std::function<void(const std::string&)>& damage,
                 const std::string& expect_in_report) {
  TempDir a, crashed;
  const auto want = WriteCrashedDir(a.path(), crashed.path(), 3);
  ASSERT_GE(ChunkFiles(crashed.path()).size(), 3u);
  damage(crashed.path() + "/chunks_head");
  auto db = OpenOrDie(ChunkOptions(), crashed.path());
  ASSERT_NE(db, nullptr);
  const ReplayReport& r = db->replay_report();
  EXPECT_NE(r.mapped_chunks_damage.find(expect_in_report), std::string::npos)
      << r.mapped_chunks_damage;
  EXPECT_TRUE(r.corruption.ok());
  EXPECT_EQ(Dump(*db), want);
  // And again, from the repaired files plus what this run wrote.
  AppendWorkload(*db, kSeries, 900, 100, 7);
  const auto later = Dump(*db);
  db.reset();
  auto again = OpenOrDie(ChunkOptions(), crashed.path());
  EXPECT_TRUE(again->replay_report().mapped_chunks_damage.empty());
  EXPECT_EQ(Dump(*again), later);
}

TEST(DBHeadChunksTest, TornTailLosesNothing) {
  CheckDamage(
      [](const std::string& d) {
        const std::string last = d + "/" + FilesIn(d).back();
        fs::resize_file(last, fs::file_size(last) - 7);
      },
      "torn record");
}

TEST(DBHeadChunksTest, BadCrcInTheMiddleLosesNothing) {
  CheckDamage(
      [](const std::string& d) {
        const std::string first = d + "/000001";
        std::fstream f(first, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(fs::file_size(first) / 2));
        f.put('\x55');
        f.put('\xAA');
      },
      "checksum");
}

TEST(DBHeadChunksTest, MissingFileLosesNothing) {
  CheckDamage([](const std::string& d) { fs::remove(d + "/000002"); },
              "missing");
}

// After a block is persisted, files holding only chunks older than the
// head go; what the head and blocks answer is unchanged.
TEST(DBHeadChunksTest, HeadTruncationRemovesOldFiles) {
  TempDir a, crashed;
  // 4 runs of 75 min: 5 h, so 2 h blocks get persisted.
  const auto want = WriteCrashedDir(a.path(), crashed.path(), 4);
  const size_t before = ChunkFiles(crashed.path()).size();
  ASSERT_GE(before, 4u);
  auto db = OpenOrDie(ChunkOptions(), crashed.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Compact().ok());
  EXPECT_GT(db->Stats().blocks, 0);
  EXPECT_LT(ChunkFiles(crashed.path()).size(), before);
  EXPECT_EQ(Dump(*db), want);
  db.reset();
  auto again = OpenOrDie(ChunkOptions(), crashed.path());
  EXPECT_EQ(Dump(*again), want);
}

// An appender cutting chunks to disk, a querier reading them back and head
// truncation dropping them, all at once; then every sample is there, and
// again after a restart from the files.
TEST(DBHeadChunksTest, ConcurrentAppendsQueriesAndTruncation) {
  TempDir a;
  Options o = ChunkOptions();
  o.block_duration_ms = 30 * 60 * 1000;  // Chunk cuts and persistence often.
  auto db = OpenOrDie(o, a.path());
  ASSERT_NE(db, nullptr);
  // One writer: a second one falling behind the persisted range would
  // (rightly) be refused as out of bounds.
  constexpr int kWriters = 1, kPerWriter = 40, kSteps = 1200;
  std::atomic<bool> done{false};
  std::atomic<int64_t> reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto app = db->NewAppender();
      for (int step = 0; step < kSteps; ++step) {
        for (int i = 0; i < kPerWriter; ++i) {
          Labels l = Labels::Of({{"job", "c"},
                                 {"w", std::to_string(w)},
                                 {"s", std::to_string(i)}});
          ASSERT_TRUE(app->Append(l, int64_t{step} * 15000, step).ok());
        }
        ASSERT_TRUE(app->Commit().ok());
      }
    });
  }
  threads.emplace_back([&] {
    while (!done.load()) {
      auto all = testing::ReadAll(*db, {Matcher::Equal("job", "c")});
      for (const auto& [series, samples] : all) {
        for (size_t i = 1; i < samples.size(); ++i) {
          ASSERT_LT(samples[i - 1].t, samples[i].t) << series;
        }
      }
      reads.fetch_add(1);
    }
  });
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(db->Compact().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  threads[0].join();
  done.store(true);
  threads[1].join();
  EXPECT_GT(reads.load(), 0);
  ASSERT_TRUE(db->Compact().ok());
  auto check = [&](DB& d) {
    auto all = testing::ReadAll(d, {Matcher::Equal("job", "c")});
    ASSERT_EQ(all.size(), static_cast<size_t>(kWriters * kPerWriter));
    for (const auto& [series, samples] : all) {
      ASSERT_EQ(samples.size(), static_cast<size_t>(kSteps)) << series;
      for (int step = 0; step < kSteps; ++step) {
        ASSERT_EQ(samples[step].t, int64_t{step} * 15000) << series;
      }
    }
  };
  check(*db);
  TempDir crashed;
  CopyDir(a.path(), crashed.path());
  db.reset();
  auto reopened = OpenOrDie(o, crashed.path());
  ASSERT_NE(reopened, nullptr);
  check(*reopened);
}

}  // namespace
}  // namespace strata
