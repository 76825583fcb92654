// The writer (wal.h) with ReplayWal reading its output back.
#include "wal/wal.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "util/coding.h"
#include "util/fault_injection_file_system.h"
#include "wait_for.h"
#include "wal/framing.h"
#include "wal/replay.h"
#include "wal/segment.h"
#include "wal_test_util.h"

namespace strata::wal {
namespace {

WalOptions AlwaysOptions(Compression c = Compression::kNone) {
  WalOptions o;
  o.sync = WalSyncPolicy::kAlways;
  o.compression = c;
  return o;
}

class WalTest : public TempDirTest {
 protected:
  std::unique_ptr<Wal> MustOpen(const WalOptions& options,
                                FileSystem* fs = nullptr) {
    auto wal = Wal::Open(dir_, fs ? fs : posix(), options);
    EXPECT_TRUE(wal.ok()) << wal.status().ToString();
    return wal.ok() ? std::move(*wal) : nullptr;
  }
  std::vector<std::string> Replay(ReplayResult* result = nullptr) {
    ReplayResult r;
    auto records = ReplayAll(posix(), dir_, result ? result : &r);
    EXPECT_TRUE((result ? result : &r)->corruption.ok());
    EXPECT_TRUE((result ? result : &r)->torn_tails.empty());
    return records;
  }
};

class WalCompressionTest : public WalTest,
                           public ::testing::WithParamInterface<Compression> {};

TEST_P(WalCompressionTest, RecordsOfEveryShapeRoundTrip) {
  std::vector<std::string> want = {
      "",
      MakeRecord(1, 1),
      MakeRecord(2, kMaxFragmentData),  // Exactly a page's payload.
      MakeRecord(3, kPageSize),         // Exactly a page.
      MakeRecord(4, 3 * kPageSize + 17),
      std::string(10 * kPageSize, 'c'),  // Compressible, several pages.
      "",
  };
  for (int i = 0; i < 300; ++i) {
    want.push_back("series{instance=\"" + std::to_string(i % 7) + "\"} " +
                   std::string(i, 'x'));
  }
  {
    auto wal = MustOpen(AlwaysOptions(GetParam()));
    ASSERT_NE(wal, nullptr);
    // Singles and groups.
    ASSERT_TRUE(wal->Log(std::span<const std::string>(want.data(), 5)).ok());
    for (size_t i = 5; i < want.size(); ++i)
      ASSERT_TRUE(wal->Log(want[i]).ok());
    const WalStats st = wal->stats();
    EXPECT_EQ(st.records, static_cast<int64_t>(want.size()));
    if (GetParam() != Compression::kNone) {
      int64_t raw = 0;
      for (const auto& r : want) raw += static_cast<int64_t>(r.size());
      EXPECT_LT(st.bytes_written, raw) << "compression should shrink the WAL";
    }
    ASSERT_TRUE(wal->Close().ok());
  }
  EXPECT_EQ(Replay(), want);
}

INSTANTIATE_TEST_SUITE_P(AllCompressions, WalCompressionTest,
                         ::testing::Values(Compression::kNone,
                                           Compression::kSnappy,
                                           Compression::kZstd));

TEST_F(WalTest, SegmentsRollOverAndRecordsNeverSpanThem) {
  WalOptions o = AlwaysOptions();
  o.sync = WalSyncPolicy::kInterval;
  o.segment_bytes = 2 * kPageSize;
  std::vector<std::string> want;
  {
    auto wal = MustOpen(o);
    for (int i = 0; i < 200; ++i) {
      // Mostly small; some larger than a whole segment.
      const size_t size = i % 50 == 49 ? 3 * kPageSize : 1000 + i * 13;
      want.push_back(MakeRecord(i, size));
      ASSERT_TRUE(wal->Log(want.back()).ok());
    }
    EXPECT_GT(wal->stats().segments_created, 10);
    ASSERT_TRUE(wal->Close().ok());
  }
  auto segments = ListSegments(posix(), dir_);
  ASSERT_TRUE(segments.ok());
  ASSERT_GT(segments->size(), 10u);
  // Each segment alone decodes to whole records; together they are all.
  std::vector<std::string> got;
  for (const SegmentRef& seg : *segments) {
    const int64_t size = *posix()->FileSize(JoinPath(dir_, seg.name));
    EXPECT_EQ(size % kPageSize, 0) << "closed segments are padded";
    std::vector<std::string> in_segment;
    ASSERT_TRUE(ReadSegments(posix(), dir_, seg.index, seg.index,
                             [&](std::string_view r) {
                               in_segment.emplace_back(r);
                               return Status::OK();
                             })
                    .ok());
    if (size > o.segment_bytes) {
      // Only a single oversized record may overfill a segment.
      ASSERT_EQ(in_segment.size(), 1u);
      EXPECT_GT(in_segment[0].size(),
                static_cast<size_t>(SegmentRoom(0, o.segment_bytes)));
    }
    got.insert(got.end(), in_segment.begin(), in_segment.end());
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(Replay(), want);
}

TEST_F(WalTest, OpenStartsAfterTheHighestSegment) {
  {
    auto wal = MustOpen(AlwaysOptions());
    EXPECT_EQ(wal->stats().active_segment, 0);
    ASSERT_TRUE(wal->Log("a").ok());
  }
  {
    auto wal = MustOpen(AlwaysOptions());
    EXPECT_EQ(wal->stats().active_segment, 1);
    ASSERT_TRUE(wal->Log("b").ok());
    auto next = wal->NextSegment();
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(*next, 2);
    // An empty active segment is not rolled again.
    EXPECT_EQ(*wal->NextSegment(), 2);
    ASSERT_TRUE(wal->Log("c").ok());
  }
  EXPECT_EQ(Replay(), (std::vector<std::string>{"a", "b", "c"}));
  auto range = GetSegmentRange(posix(), dir_);
  EXPECT_EQ(range->first, 0);
  EXPECT_EQ(range->last, 2);
  ASSERT_TRUE(RemoveSegmentsBefore(posix(), dir_, 2).ok());
  EXPECT_EQ(Replay(), (std::vector<std::string>{"c"}));
}

TEST_F(WalTest, OpenMakesThePreviousLastSegmentDurable) {
  // A previous writer died leaving segment 0 written but not fdatasync'ed.
  FaultInjectionFileSystem fs(posix());
  ASSERT_TRUE(fs.CreateDirs(dir_).ok());
  {
    std::string seg;
    AppendFragments(0, "unsynced", 0, &seg);
    auto f = fs.NewWritableFile(SegmentPath(dir_, 0));
    ASSERT_TRUE(f.ok() && (*f)->Append(seg).ok() && (*f)->Close().ok());
  }
  auto wal = MustOpen(AlwaysOptions(), &fs);
  ASSERT_TRUE(wal->Log("new").ok());
  // Power loss: segment 1's record is durable, so segment 0's must be too,
  // or replay would see a torn segment followed by a good one.
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result),
            (std::vector<std::string>{"unsynced", "new"}));
  EXPECT_TRUE(result.corruption.ok());
  wal.reset();
}

TEST_F(WalTest, RejectsBadOptionsAndUseAfterClose) {
  WalOptions o;
  o.segment_bytes = kPageSize + 1;
  EXPECT_FALSE(Wal::Open(dir_, posix(), o).ok());
  o.segment_bytes = 0;
  EXPECT_FALSE(Wal::Open(dir_, posix(), o).ok());
  o = WalOptions();
  o.sync_interval_ms = 0;
  EXPECT_FALSE(Wal::Open(dir_, posix(), o).ok());

  auto wal = MustOpen(WalOptions());
  ASSERT_TRUE(wal->Close().ok());
  EXPECT_TRUE(wal->Close().ok());
  EXPECT_EQ(wal->Log("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(wal->NextSegment().ok());
}

TEST_F(WalTest, FromOptionsMapsDbOptions) {
  Options db;
  db.wal_sync = WalSyncPolicy::kAlways;
  db.wal_sync_interval_ms = 250;
  db.wal_compression = true;
  db.wal_segment_bytes = 1 << 20;
  const WalOptions o = WalOptions::FromOptions(db);
  EXPECT_EQ(o.sync, WalSyncPolicy::kAlways);
  EXPECT_EQ(o.sync_interval_ms, 250);
  EXPECT_EQ(o.compression, Compression::kZstd);
  EXPECT_EQ(o.segment_bytes, 1 << 20);
}

// Many writers with kAlways: every record is durable when Log returns, the
// writers share fdatasyncs, and each writer's records stay in its order.
TEST_F(WalTest, GroupCommitSharesFsyncs) {
  FaultInjectionFileSystem fs(posix());
  fs.SetSyncDelayMicros(2000);  // A disk where fdatasync takes 2 ms.
  constexpr int kThreads = 16;
  constexpr int kLogsPerThread = 60;
  WalOptions o = AlwaysOptions();
  o.segment_bytes = 4 * kPageSize;  // Include segment switches.
  auto wal = MustOpen(o, &fs);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLogsPerThread; ++i) {
        std::string rec;
        PutBE32(&rec, static_cast<uint32_t>(t));
        PutBE32(&rec, static_cast<uint32_t>(i));
        rec.append(static_cast<size_t>(i * 37 % 900), 'r');
        if (!wal->Log(rec).ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const WalStats st = wal->stats();
  const int logs = kThreads * kLogsPerThread;
  EXPECT_LT(st.fsyncs, logs / 2) << "fdatasyncs were not shared";
  std::printf("group commit: %d Logs, %lld fdatasyncs\n", logs,
              static_cast<long long>(st.fsyncs));
  EXPECT_GT(st.fsyncs, 0);
  EXPECT_GT(st.segments_created, 2);
  EXPECT_GT(st.fsync_seconds, 0);

  // Durable without Close: a power loss now keeps every record.
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  std::map<uint32_t, uint32_t> next;  // Per thread, the next expected i.
  ReplayResult result;
  auto records = ReplayAll(posix(), dir_, &result);
  ASSERT_EQ(records.size(), static_cast<size_t>(logs));
  for (const std::string& r : records) {
    const uint32_t t = DecodeBE32(r.data()), i = DecodeBE32(r.data() + 4);
    EXPECT_EQ(next[t], i) << "thread " << t << " out of order";
    next[t] = i + 1;
  }
  wal.reset();
}

TEST_F(WalTest, AlwaysPolicyIsDurableAtEveryAcknowledgement) {
  FaultInjectionFileSystem fs(posix());
  std::vector<std::string> want;
  auto wal = MustOpen(AlwaysOptions(), &fs);
  for (int i = 0; i < 20; ++i) {
    want.push_back(MakeRecord(i, 100 + i));
    ASSERT_TRUE(wal->Log(want.back()).ok());
  }
  // Simulate a power loss while the WAL is still open: data not covered by
  // an fdatasync vanishes. Every acknowledged record must survive.
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result), want);
  EXPECT_EQ(wal->stats().fsyncs, 20);  // One writer: one fdatasync per Log.
  wal.reset();
}

TEST_F(WalTest, IntervalPolicyLogsDoNotSync) {
  FaultInjectionFileSystem fs(posix());
  WalOptions o;
  o.sync = WalSyncPolicy::kInterval;
  o.sync_interval_ms = 3600 * 1000;  // Never, during this test.
  auto wal = MustOpen(o, &fs);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(wal->Log(MakeRecord(i, 64)).ok());
  EXPECT_EQ(fs.calls(FaultOp::kSync), 0) << "Log must not fdatasync";
  EXPECT_EQ(wal->stats().unsynced_bytes, wal->stats().bytes_written);
  // Readable right away: the bytes are in the OS, which survives kill -9.
  int n = 0;
  ASSERT_TRUE(ReadSegments(posix(), dir_, -1, -1, [&](std::string_view) {
                ++n;
                return Status::OK();
              }).ok());
  EXPECT_EQ(n, 50);
  ASSERT_TRUE(wal->Sync().ok());
  EXPECT_EQ(fs.calls(FaultOp::kSync), 1);
  EXPECT_EQ(wal->stats().unsynced_bytes, 0);
  wal.reset();
}

TEST_F(WalTest, IntervalPolicySyncsInTheBackground) {
  FaultInjectionFileSystem fs(posix());
  WalOptions o;
  o.sync = WalSyncPolicy::kInterval;
  o.sync_interval_ms = 20;
  auto wal = MustOpen(o, &fs);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(wal->Log(MakeRecord(i, 64)).ok());
  strata::testing::WaitFor([&] { return wal->stats().unsynced_bytes == 0; },
                           std::chrono::seconds(10));
  EXPECT_EQ(wal->stats().unsynced_bytes, 0);
  EXPECT_GE(wal->stats().fsyncs, 1);
  // After the background sync, a power loss keeps the records.
  ASSERT_TRUE(fs.DropUnsyncedData().ok());
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result).size(), 50u);
  wal.reset();
}

}  // namespace
}  // namespace strata::wal
