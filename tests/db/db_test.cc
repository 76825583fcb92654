#include "strata/db.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "db_test_util.h"
#include "wal/log_format.h"
#include "wal/segment_reader.h"

namespace strata {
namespace {

using testing::ReadAll;
using testing::TempDir;
using testing::TV;

TEST(DBTest, ReopenReplaysWal) {
  TempDir dir;
  Options options;
  {
    auto db = DB::Open(options, dir.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto app = (*db)->NewAppender();
    for (int i = 0; i < 300; ++i) {
      for (int s = 0; s < 20; ++s) {
        Labels l = Labels::Of({{"__name__", "m"}, {"s", absl::StrCat(s)}});
        ASSERT_TRUE(app->Append(l, i * 15000LL, s * 1000 + i).ok());
      }
      ASSERT_TRUE(app->Commit().ok());
    }
    ASSERT_TRUE((*db)->Close().ok());
  }
  auto db = DB::Open(options, dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const ReplayReport& r = (*db)->replay_report();
  EXPECT_EQ(r.series, 20);
  EXPECT_EQ(r.samples, 20 * 300);
  EXPECT_TRUE(r.corruption.ok());
  auto all = ReadAll(**db, {Matcher::Equal("__name__", "m")});
  ASSERT_EQ(all.size(), 20u);
  for (int s = 0; s < 20; ++s) {
    const auto& v = all[absl::StrCat("m{s=\"", s, "\"}")];
    ASSERT_EQ(v.size(), 300u);
    for (int i = 0; i < 300; ++i)
      EXPECT_EQ(v[i], (TV{i * 15000LL, double(s * 1000 + i)}));
  }
  // Appending continues after replay; refs from before are not assumed.
  auto app = (*db)->NewAppender();
  EXPECT_EQ(
      app->Append(Labels::Of({{"__name__", "m"}, {"s", "0"}}), 298 * 15000LL, 1)
          .status()
          .code(),
      StatusCode::kOutOfOrder);
  EXPECT_TRUE(
      app->Append(Labels::Of({{"__name__", "m"}, {"s", "0"}}), 300 * 15000LL, 1)
          .ok());
  ASSERT_TRUE(app->Commit().ok());
}

// Options::on_wal_replay_progress sees replay start at the first segment
// and each segment done in order, as Prometheus's WALReplayStatus.
TEST(DBTest, ReplayReportsProgressPerSegment) {
  TempDir dir;
  Options options;
  options.wal_compression = false;
  options.wal_segment_bytes = 64 * 1024;  // Several segments.
  options.snapshot_on_shutdown = false;   // Replay the whole WAL.
  {
    auto db = DB::Open(options, dir.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto app = (*db)->NewAppender();
    for (int i = 0; i < 200; ++i) {
      for (int s = 0; s < 50; ++s) {
        Labels l = Labels::Of({{"__name__", "m"}, {"s", absl::StrCat(s)}});
        ASSERT_TRUE(app->Append(l, i * 15000LL, i).ok());
      }
      ASSERT_TRUE(app->Commit().ok());
    }
    ASSERT_TRUE((*db)->Close().ok());
  }
  std::vector<WalReplayProgress> seen;
  options.on_wal_replay_progress = [&](const WalReplayProgress& p) {
    seen.push_back(p);
  };
  auto db = DB::Open(options, dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_GE(seen.size(), 3u);
  const WalReplayProgress& first = seen.front();
  EXPECT_EQ(first.current, first.min);
  EXPECT_GT(first.max, first.min);
  ASSERT_EQ(seen.size(), static_cast<size_t>(first.max - first.min + 2));
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].min, first.min);
    EXPECT_EQ(seen[i].max, first.max);
    EXPECT_EQ(seen[i].current, first.min + static_cast<int>(i) - 1);
  }
  EXPECT_EQ(seen.back().current, first.max);
  EXPECT_EQ((*db)->replay_report().segments, first.max - first.min + 1);
}

// Replay appends on worker threads routed by series; with no worker, one,
// and more than the cores, and with enough samples to fill and queue many
// batches, every sample comes back in order.
TEST(DBTest, ReplayIsExactWithAnyWorkerCount) {
  TempDir dir;
  Options options;
  constexpr int kSeries = 2000, kSamples = 200;
  {
    auto db = DB::Open(options, dir.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto app = (*db)->NewAppender();
    for (int i = 0; i < kSamples; ++i) {
      for (int s = 0; s < kSeries; ++s) {
        Labels l = Labels::Of({{"__name__", "r"}, {"s", absl::StrCat(s)}});
        ASSERT_TRUE(app->Append(l, i * 15000LL, s + i * 0.5).ok());
      }
      ASSERT_TRUE(app->Commit().ok());
    }
    ASSERT_TRUE((*db)->Close().ok());
  }
  for (const char* workers : {"0", "1", "5"}) {
    SCOPED_TRACE(workers);
    setenv("STRATA_REPLAY_WORKERS", workers, 1);
    auto db = DB::Open(options, dir.path());
    unsetenv("STRATA_REPLAY_WORKERS");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->replay_report().samples, int64_t{kSeries} * kSamples);
    EXPECT_EQ((*db)->replay_report().samples_rejected, 0);
    auto all = ReadAll(**db, {Matcher::Equal("__name__", "r")});
    ASSERT_EQ(all.size(), size_t{kSeries});
    for (int s = 0; s < kSeries; s += 97) {
      const auto& v = all[absl::StrCat("r{s=\"", s, "\"}")];
      ASSERT_EQ(v.size(), size_t{kSamples});
      for (int i = 0; i < kSamples; ++i) {
        ASSERT_EQ(v[i], (TV{i * 15000LL, s + i * 0.5}));
      }
    }
    ASSERT_TRUE((*db)->Close().ok());
  }
}

TEST(DBTest, RollbackAndRejectedSamplesAreNotReplayed) {
  TempDir dir;
  {
    auto db = DB::Open(Options(), dir.path());
    ASSERT_TRUE(db.ok());
    auto app = (*db)->NewAppender();
    Labels l = Labels::Of({{"__name__", "r"}});
    ASSERT_TRUE(app->Append(l, 1000, 1).ok());
    app->Rollback();
    ASSERT_TRUE(app->Append(l, 2000, 2).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  auto db = DB::Open(Options(), dir.path());
  ASSERT_TRUE(db.ok());
  auto all = ReadAll(**db, {Matcher::Equal("__name__", "r")});
  ASSERT_EQ(all["r"], (std::vector<TV>{{2000, 2}}));
}

TEST(DBTest, SecondOpenOfSameDirFails) {
  TempDir dir;
  auto db = DB::Open(Options(), dir.path());
  ASSERT_TRUE(db.ok());
  auto db2 = DB::Open(Options(), dir.path());
  EXPECT_EQ(db2.status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*db)->Close().ok());
  auto db3 = DB::Open(Options(), dir.path());
  EXPECT_TRUE(db3.ok());
}

TEST(DBTest, UseAfterCloseIsUnavailable) {
  TempDir dir;
  auto db = DB::Open(Options(), dir.path());
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Close().ok());
  EXPECT_TRUE((*db)->Close().ok());  // Idempotent.
  EXPECT_EQ((*db)->NewQuerier(0, 1).status().code(), StatusCode::kUnavailable);
  auto app = (*db)->NewAppender();
  EXPECT_EQ(app->Append(Labels::Of({{"__name__", "x"}}), 1, 1).status().code(),
            StatusCode::kUnavailable);
}

TEST(DBTest, SyncAlwaysAndCompressionOff) {
  TempDir dir;
  Options options;
  options.wal_sync = WalSyncPolicy::kAlways;
  options.wal_compression = false;
  {
    auto db = DB::Open(options, dir.path());
    ASSERT_TRUE(db.ok());
    auto app = (*db)->NewAppender();
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "s"}}), i, i).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
    EXPECT_GE((*db)->Stats().wal_fsyncs, 50);
  }
  auto db = DB::Open(options, dir.path());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(ReadAll(**db, {Matcher::Equal("__name__", "s")})["s"].size(), 50u);
}

TEST(DBTest, TornTailIsTruncatedAndReported) {
  TempDir dir;
  {
    auto db = DB::Open(Options(), dir.path());
    ASSERT_TRUE(db.ok());
    auto app = (*db)->NewAppender();
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "t"}}), i, i).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
  }
  // Cut the last segment in the middle of its last record.
  std::string last;
  for (auto& e : std::filesystem::directory_iterator(dir.path() + "/wal")) {
    if (e.is_regular_file() && e.path().filename().string() > last) {
      last = e.path().filename().string();
    }
  }
  const std::string seg = dir.path() + "/wal/" + last;
  // Close pads the last page with zeros; cut inside the last record.
  std::string bytes;
  {
    std::ifstream f(seg, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  size_t end = bytes.find_last_not_of('\0');
  ASSERT_NE(end, std::string::npos);
  ASSERT_GT(end, 4u);
  std::filesystem::resize_file(seg, end - 3);
  auto db = DB::Open(Options(), dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE((*db)->replay_report().torn_tail_truncated);
  EXPECT_TRUE((*db)->replay_report().corruption.ok());
  EXPECT_EQ(ReadAll(**db, {Matcher::Equal("__name__", "t")})["t"].size(), 9u);
}

// Issue 15 item 8: one flipped byte in the middle of a segment used to drop
// the rest of the WAL from there. Now it costs the one record it hits.
TEST(DBTest, MidWalCorruptionKeepsEverySampleAfterIt) {
  TempDir dir;
  Options options;
  options.wal_compression = false;
  options.wal_segment_bytes = 64 * 1024;  // Several segments.
  // The WAL replay is under test: no shutdown snapshot or head chunk on
  // disk (which would still hold the damaged record's sample) stands in
  // for it.
  options.snapshot_on_shutdown = false;
  options.head_chunks_on_disk = false;
  constexpr int kSamples = 6000;
  const auto value = [](int i) { return i * 0.1 + 1e-9 * (i % 7); };
  {
    auto db = DB::Open(options, dir.path());
    ASSERT_TRUE(db.ok());
    auto app = (*db)->NewAppender();
    for (int i = 0; i < kSamples; ++i) {
      ASSERT_TRUE(
          app->Append(Labels::Of({{"__name__", "c"}}), i, value(i)).ok());
      ASSERT_TRUE(app->Commit().ok());
    }
  }
  std::vector<std::string> segs;
  for (auto& e : std::filesystem::directory_iterator(dir.path() + "/wal")) {
    if (e.is_regular_file()) segs.push_back(e.path().string());
  }
  std::sort(segs.begin(), segs.end());
  ASSERT_GE(segs.size(), 3u);
  // Flip a payload byte of the record around offset 40000 of the first
  // segment (one commit: one sample).
  std::string bytes;
  {
    std::ifstream f(segs[0], std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  wal::SegmentReader reader(bytes);
  std::string_view rec;
  int64_t damaged_at = -1;
  while (reader.Next(&rec) && damaged_at < 0) {
    if (reader.offset() > 40000) damaged_at = reader.record_offset();
  }
  ASSERT_GT(damaged_at, 0);
  bytes[damaged_at + wal::kHeaderSize + 2] ^= 0x5a;
  {
    std::ofstream f(segs[0], std::ios::binary | std::ios::trunc);
    f << bytes;
  }
  auto db = DB::Open(options, dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const ReplayReport& r = (*db)->replay_report();
  EXPECT_TRUE(r.corruption.IsCorruption()) << r.corruption.ToString();
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].segment, 0);
  EXPECT_EQ(r.skipped[0].offset, damaged_at);
  EXPECT_EQ(r.records_skipped, 1);
  EXPECT_EQ(r.bytes_skipped, r.skipped[0].bytes);
  EXPECT_GT(r.records_salvaged, 100);
  EXPECT_FALSE(r.quarantine_dir.empty());
  EXPECT_TRUE(std::filesystem::exists(
      r.quarantine_dir + "/" +
      std::filesystem::path(segs[0]).filename().string()));
  auto got = ReadAll(**db, {Matcher::Equal("__name__", "c")})["c"];
  // Exactly one sample is gone; every other one is there, bit for bit.
  ASSERT_EQ(got.size(), static_cast<size_t>(kSamples - 1));
  int missing = -1;
  for (size_t i = 0, j = 0; i < got.size(); ++i, ++j) {
    if (got[i].t != static_cast<int64_t>(j)) {
      ASSERT_EQ(missing, -1) << "a second gap at " << j;
      missing = static_cast<int>(j);
      ++j;
    }
    ASSERT_EQ(got[i].t, static_cast<int64_t>(j));
    ASSERT_EQ(std::bit_cast<uint64_t>(got[i].v),
              std::bit_cast<uint64_t>(value(static_cast<int>(j))));
  }
  EXPECT_GT(missing, 100);
  // The DB keeps working, and a later reopen sees old and new data with
  // no corruption left.
  auto app = (*db)->NewAppender();
  ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "c"}}), 100000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE((*db)->Close().ok());
  auto db2 = DB::Open(options, dir.path());
  ASSERT_TRUE(db2.ok());
  EXPECT_TRUE((*db2)->replay_report().corruption.ok());
  EXPECT_EQ(ReadAll(**db2, {Matcher::Equal("__name__", "c")})["c"].size(),
            static_cast<size_t>(kSamples));
}

}  // namespace
}  // namespace strata
