// The writer under injected I/O errors: whatever fails, every record whose
// Log returned OK must replay, in order, with no corruption reported.
#include <atomic>
#include <cerrno>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "util/coding.h"
#include "util/fault_injection_file_system.h"
#include "wait_for.h"
#include "wal/log_format.h"
#include "wal/replay.h"
#include "wal/segment.h"
#include "wal/wal.h"
#include "wal_test_util.h"

namespace strata::wal {
namespace {

constexpr int64_t kSegmentBytes = 4 * kPageSize;

// Checks the replayed records against what was logged: every acknowledged
// record is there, in order; nothing was invented or duplicated.
void CheckReplay(const std::vector<std::string>& acked,
                 const std::set<std::string>& attempted,
                 const std::vector<std::string>& replayed) {
  std::set<std::string> seen;
  for (const std::string& r : replayed) {
    EXPECT_TRUE(attempted.count(r)) << "replayed a record never logged";
    EXPECT_TRUE(seen.insert(r).second) << "record replayed twice";
  }
  size_t next = 0;
  for (const std::string& r : replayed) {
    if (next < acked.size() && r == acked[next]) ++next;
  }
  EXPECT_EQ(next, acked.size())
      << "acknowledged record " << next << " missing or out of order";
}

struct Scenario {
  std::string name;
  WalSyncPolicy policy;
  std::vector<Fault> faults;  // Armed for the middle phase only.
  bool power_loss = false;    // Drop unsynced data instead of closing.
};
void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

class WalFaultTest : public TempDirTest,
                     public ::testing::WithParamInterface<Scenario> {};

TEST_P(WalFaultTest, AcknowledgedRecordsSurvive) {
  const Scenario& sc = GetParam();
  FaultInjectionFileSystem fs(posix());
  WalOptions o;
  o.sync = sc.policy;
  o.sync_interval_ms = 10;
  o.segment_bytes = kSegmentBytes;
  auto opened = Wal::Open(dir_, &fs, o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Wal> wal = std::move(*opened);

  std::vector<std::string> acked;
  std::set<std::string> attempted;
  uint64_t id = 0;
  int errors = 0;  // Failed Logs and Syncs.
  // Logs groups of 1-3 records of varied sizes (some span pages).
  auto log_some = [&](int groups, bool must_succeed) {
    for (int g = 0; g < groups; ++g) {
      std::vector<std::string> group;
      for (int k = 0; k <= g % 3; ++k) {
        const size_t size =
            (id % 5 == 4) ? kPageSize + 300 : 200 + id * 37 % 3000;
        group.push_back(MakeRecord(id++, size));
        attempted.insert(group.back());
      }
      Status s = wal->Log(group);
      if (s.ok()) {
        acked.insert(acked.end(), group.begin(), group.end());
      } else {
        ++errors;
        EXPECT_FALSE(must_succeed) << s.ToString();
        EXPECT_TRUE(s.IsIOError()) << s.ToString();
      }
      if (sc.policy == WalSyncPolicy::kInterval && g % 4 == 3) {
        // Exercise fdatasync faults deterministically. With kInterval a
        // failed background fdatasync surfaces here rather than in Log.
        if (!wal->Sync().ok()) ++errors;
      }
    }
  };

  log_some(12, true);
  for (const Fault& f : sc.faults) fs.Arm(f);
  log_some(12, false);
  EXPECT_GT(fs.injected(), 0) << "no fault fired";
  fs.DisarmAll();
  log_some(12, true);

  if (sc.power_loss) {
    // Everything acknowledged under kAlways is durable already.
    ASSERT_TRUE(fs.DropUnsyncedData().ok());
    // The writer is gone with the "machine"; its destructor's writes after
    // the simulated power loss would not count, so replay before it.
  } else {
    if (sc.policy == WalSyncPolicy::kInterval) {
      // May report an earlier background failure, once.
      if (!wal->Sync().ok()) ++errors;
      EXPECT_TRUE(wal->Sync().ok());
    }
    ASSERT_TRUE(wal->Close().ok());
  }
  EXPECT_GT(errors, 0) << "the faults went unreported";

  ReplayResult result;
  const std::vector<std::string> replayed = ReplayAll(posix(), dir_, &result);
  EXPECT_TRUE(result.corruption.ok()) << result.corruption.ToString();
  CheckReplay(acked, attempted, replayed);
  wal.reset();
}

std::vector<Scenario> Scenarios() {
  std::vector<Scenario> out;
  for (WalSyncPolicy policy :
       {WalSyncPolicy::kAlways, WalSyncPolicy::kInterval}) {
    for (int err : {EIO, ENOSPC}) {
      const bool always = policy == WalSyncPolicy::kAlways;
      const char* p = always ? "Always" : "Interval";
      auto name = [&](const char* what) {
        return std::string(p) + what + (err == EIO ? "EIO" : "ENOSPC");
      };
      out.push_back(
          {name("AppendOnce"),
           policy,
           {Fault::On(FaultOp::kAppend, err).Matching("wal/0").After(2)}});
      out.push_back(
          {name("AppendPartial"),
           policy,
           {Fault::On(FaultOp::kAppend, err).After(3).WithPartialWrite(5)}});
      out.push_back(
          {name("AppendPartialAndTruncateFails"),
           policy,
           {Fault::On(FaultOp::kAppend, err).After(1).WithPartialWrite(100),
            Fault::On(FaultOp::kTruncate, err)}});
      out.push_back({name("AppendPersistent"),
                     policy,
                     {Fault::On(FaultOp::kAppend, err).After(4).Persistent()}});
      out.push_back({name("SyncOnce"),
                     policy,
                     {Fault::On(FaultOp::kSync, err).After(1)}});
      out.push_back({name("SyncPersistent"),
                     policy,
                     {Fault::On(FaultOp::kSync, err).After(2).Persistent()}});
      out.push_back({name("SyncAndNewSegmentFail"),
                     policy,
                     {Fault::On(FaultOp::kSync, err),
                      Fault::On(FaultOp::kCreate, err).Matching("wal/0"),
                      Fault::On(FaultOp::kSyncDir, err).After(1)}});
      out.push_back(
          {name("MarkerWriteFails"),
           policy,
           {Fault::On(FaultOp::kAppend, err).WithPartialWrite(9),
            Fault::On(FaultOp::kTruncate, err),
            Fault::On(FaultOp::kCreate, err).Matching(".abandoned").After(0),
            Fault::On(FaultOp::kAppend, err).Matching(".abandoned")}});
      if (always) {
        out.push_back({name("PowerLossAfterSyncFailure"),
                       policy,
                       {Fault::On(FaultOp::kSync, err).After(1)},
                       /*power_loss=*/true});
        out.push_back(
            {name("PowerLossAfterWriteFailures"),
             policy,
             {Fault::On(FaultOp::kAppend, err).After(2).WithPartialWrite(50),
              Fault::On(FaultOp::kTruncate, err),
              Fault::On(FaultOp::kAppend, err).After(6)},
             /*power_loss=*/true});
      }
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Faults, WalFaultTest, ::testing::ValuesIn(Scenarios()),
                         [](const auto& info) { return info.param.name; });

class WalFaultDetailTest : public TempDirTest {
 protected:
  std::unique_ptr<Wal> Open(FaultInjectionFileSystem* fs) {
    WalOptions o;
    o.sync = WalSyncPolicy::kAlways;
    o.segment_bytes = kSegmentBytes;
    auto wal = Wal::Open(dir_, fs, o);
    EXPECT_TRUE(wal.ok());
    return std::move(*wal);
  }
};

TEST_F(WalFaultDetailTest, FailedWriteIsCutBackWithoutATrace) {
  FaultInjectionFileSystem fs(posix());
  auto wal = Open(&fs);
  ASSERT_TRUE(wal->Log("first").ok());
  const int64_t size = *posix()->FileSize(SegmentPath(dir_, 0));
  fs.Arm(Fault::On(FaultOp::kAppend, ENOSPC).WithPartialWrite(4));
  Status s = wal->Log("doomed record");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(*posix()->FileSize(SegmentPath(dir_, 0)), size);
  ASSERT_TRUE(wal->Log("second").ok());
  const WalStats st = wal->stats();
  EXPECT_EQ(st.segments_abandoned, 0);
  EXPECT_EQ(st.active_segment, 0);
  EXPECT_EQ(st.write_errors, 1);
  ASSERT_TRUE(wal->Close().ok());
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result),
            (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(result.torn_tails.empty());
}

TEST_F(WalFaultDetailTest, FailedSyncAbandonsTheSegmentAndIsNeverRetried) {
  FaultInjectionFileSystem fs(posix());
  auto wal = Open(&fs);
  ASSERT_TRUE(wal->Log("durable").ok());
  const int64_t durable = *posix()->FileSize(SegmentPath(dir_, 0));
  fs.Arm(Fault::On(FaultOp::kSync, EIO).Matching("wal/00000000"));
  Status s = wal->Log("lost?");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  // Any later fdatasync of segment 0 would now fail: none may happen.
  fs.Arm(Fault::On(FaultOp::kSync, EIO).Matching("wal/00000000").Persistent());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(wal->Log("after" + std::to_string(i)).ok());
  const WalStats st = wal->stats();
  EXPECT_EQ(st.sync_errors, 1);
  EXPECT_EQ(st.segments_abandoned, 1);
  EXPECT_EQ(st.active_segment, 1);
  ASSERT_TRUE(wal->Close().ok());

  auto markers = ReadAbandonMarkers(posix(), dir_);
  ASSERT_TRUE(markers.ok());
  ASSERT_EQ(markers->size(), 1u);
  EXPECT_EQ(markers->at(0), durable);

  // Make the unsynced tail of segment 0 garbage, as a failed writeback can
  // leave it. Replay cuts it as a torn tail and keeps going.
  std::string seg0 = *posix()->ReadFile(SegmentPath(dir_, 0));
  ASSERT_GT(static_cast<int64_t>(seg0.size()), durable);
  for (size_t i = durable; i < seg0.size(); ++i)
    seg0[i] = static_cast<char>(0xa5 ^ i);
  {
    auto f = posix()->NewWritableFile(SegmentPath(dir_, 0));
    ASSERT_TRUE((*f)->Append(seg0).ok());
  }
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result),
            (std::vector<std::string>{"durable", "after0", "after1", "after2",
                                      "after3", "after4"}));
  EXPECT_TRUE(result.corruption.ok()) << result.corruption.ToString();
  ASSERT_EQ(result.torn_tails.size(), 1u);
  EXPECT_EQ(result.torn_tails[0].segment, 0);
  EXPECT_EQ(result.torn_tails[0].offset, durable);
}

TEST_F(WalFaultDetailTest, NoSegmentIsWrittenBeforeTheMarkerIsDurable) {
  FaultInjectionFileSystem fs(posix());
  auto wal = Open(&fs);
  ASSERT_TRUE(wal->Log("a").ok());
  fs.Arm(Fault::On(FaultOp::kAppend, EIO).WithPartialWrite(3));
  fs.Arm(Fault::On(FaultOp::kTruncate, EIO));
  const int marker_fault = fs.Arm(
      Fault::On(FaultOp::kCreate, ENOSPC).Matching(".abandoned").Persistent());
  EXPECT_FALSE(wal->Log("b").ok());
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(wal->Log("c").ok());
  EXPECT_FALSE(posix()->Exists(SegmentPath(dir_, 1)));
  fs.Disarm(marker_fault);
  ASSERT_TRUE(wal->Log("d").ok());
  EXPECT_TRUE(posix()->Exists(AbandonMarkerPath(dir_, 0)));
  EXPECT_TRUE(posix()->Exists(SegmentPath(dir_, 1)));
  ASSERT_TRUE(wal->Close().ok());
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result),
            (std::vector<std::string>{"a", "d"}));
  EXPECT_EQ(result.torn_tails.size(), 1u);  // The partial "b".
  EXPECT_TRUE(result.corruption.ok());
}

TEST_F(WalFaultDetailTest, IntervalPolicyReportsABackgroundSyncFailureOnce) {
  FaultInjectionFileSystem fs(posix());
  WalOptions o;
  o.sync = WalSyncPolicy::kInterval;
  o.sync_interval_ms = 5;
  auto wal = std::move(*Wal::Open(dir_, &fs, o));
  fs.Arm(Fault::On(FaultOp::kSync, EIO));
  ASSERT_TRUE(wal->Log("x").ok());
  strata::testing::WaitFor([&] { return wal->stats().sync_errors != 0; },
                           std::chrono::seconds(5),
                           std::chrono::milliseconds(2));
  ASSERT_EQ(wal->stats().sync_errors, 1);
  EXPECT_TRUE(wal->Sync().IsIOError());
  EXPECT_TRUE(wal->Sync().ok());
  ASSERT_TRUE(wal->Log("y").ok());
  ASSERT_TRUE(wal->Close().ok());
  ReplayResult result;
  EXPECT_EQ(ReplayAll(posix(), dir_, &result),
            (std::vector<std::string>{"x", "y"}));
}

// Many threads, faults firing among them: the invariants hold per thread.
TEST_F(WalFaultDetailTest, ConcurrentLogsWithFaults) {
  for (bool power_loss : {false, true}) {
    SCOPED_TRACE(power_loss ? "power loss" : "clean close");
    ASSERT_TRUE(posix()->RemoveAll(dir_).ok());
    FaultInjectionFileSystem fs(posix());
    fs.SetSyncDelayMicros(300);
    auto wal = Open(&fs);
    fs.Arm(Fault::On(FaultOp::kAppend, ENOSPC).After(40).WithPartialWrite(11));
    fs.Arm(Fault::On(FaultOp::kSync, EIO).After(20));
    fs.Arm(Fault::On(FaultOp::kAppend, EIO).After(90).WithPartialWrite(30));
    fs.Arm(Fault::On(FaultOp::kTruncate, EIO).After(1));
    fs.Arm(Fault::On(FaultOp::kSync, ENOSPC).After(60));
    constexpr int kThreads = 8, kPerThread = 40;
    std::vector<std::vector<std::string>> acked(kThreads);
    std::vector<std::set<std::string>> attempted(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string r;
          PutBE32(&r, static_cast<uint32_t>(t));
          r += MakeRecord(t * 1000 + i, 100 + (i * 997) % 6000);
          attempted[t].insert(r);
          if (wal->Log(r).ok()) acked[t].push_back(r);
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_GE(fs.injected(), 4);
    if (power_loss) {
      ASSERT_TRUE(fs.DropUnsyncedData().ok());
    } else {
      fs.DisarmAll();
      ASSERT_TRUE(wal->Close().ok());
    }
    ReplayResult result;
    const auto replayed = ReplayAll(posix(), dir_, &result);
    EXPECT_TRUE(result.corruption.ok()) << result.corruption.ToString();
    std::vector<std::vector<std::string>> per_thread(kThreads);
    for (const std::string& r : replayed) {
      per_thread[DecodeBE32(r.data())].push_back(r);
    }
    size_t total_acked = 0;
    for (int t = 0; t < kThreads; ++t) {
      CheckReplay(acked[t], attempted[t], per_thread[t]);
      total_acked += acked[t].size();
    }
    EXPECT_GT(total_acked, static_cast<size_t>(kThreads * kPerThread / 2));
    fs.DisarmAll();
    wal.reset();
  }
}

}  // namespace
}  // namespace strata::wal
