// The shutdown snapshot with native histograms: a head holding histogram
// and float-histogram chunks is snapshotted (lib/db/FORMAT.md, version 3),
// and the next start answers exactly as a DB that never restarted,
// including counter-reset hints, the chunks appends write afterwards (the
// open chunk's encoder state is restored, XOR windows included) and the
// duplicate check against the newest histogram. A full WAL replay of the
// same directory answers the same samples.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "snapshot_test_util.h"
#include "strata/db.h"

namespace strata {
namespace {

using testing::AppendBothWorkloads;
using testing::CopyDir;
using testing::Dump;
using testing::DumpHistogramChunks;
using testing::DumpHistograms;
using testing::HeadChunkTestOptions;
using testing::OpenOrDie;
using testing::TempDir;
using testing::WorkloadHistogram;

constexpr int kHistogramSeries = 12;
constexpr int kFloatSeries = 5;
constexpr int kSteps = 400;
constexpr int kLaterSteps = 300;

void AppendFirstPart(DB& db) {
  AppendBothWorkloads(db, kFloatSeries, kHistogramSeries, 0, kSteps, 1);
}

void AppendLaterPart(DB& db) {
  AppendBothWorkloads(db, kFloatSeries, kHistogramSeries, kSteps, kLaterSteps,
                      2);
}

// The newest sample of series h=3 (an integer histogram with a constant
// sum, so rebuilt without the workload's random numbers): appending it
// again is a no-op, also with zero-length spans added (Prometheus 2.42's
// Equals); another count is a conflict.
void ExpectDuplicateRules(DB& db) {
  constexpr int kSeries = 3;
  constexpr int kStep = kSteps + kLaterSteps - 1;
  ASSERT_EQ((kStep / 37 + kSeries) % 4, 1);  // An integer histogram.
  std::mt19937_64 unused(0);
  Histogram h = WorkloadHistogram(kSeries, kStep, unused);
  const Labels l = Labels::Of({{"job", "snaph"}, {"h", "3"}});
  const int64_t t = int64_t{kStep} * 15000;
  auto app = db.NewAppender();
  EXPECT_TRUE(app->AppendHistogram(l, t, &h, nullptr).ok());
  Histogram same_layout = h;
  same_layout.positive_spans.push_back({3, 0});
  EXPECT_TRUE(app->AppendHistogram(l, t, &same_layout, nullptr).ok());
  Histogram other = h;
  other.count += 1;
  EXPECT_EQ(app->AppendHistogram(l, t, &other, nullptr).status().code(),
            StatusCode::kDuplicateSample);
  EXPECT_EQ(app->Append(l, t, 1.0).status().code(),
            StatusCode::kDuplicateSample);
  app->Rollback();
}

TEST(DBSnapshotHistogramTest, RestartAnswersAndAppendsAsWithoutRestart) {
  TempDir a, never_dir;
  {
    auto db = OpenOrDie(HeadChunkTestOptions(true), a.path());
    ASSERT_NE(db, nullptr);
    AppendFirstPart(*db);
    ASSERT_TRUE(db->Close().ok());
  }
  auto never = OpenOrDie(HeadChunkTestOptions(false), never_dir.path());
  ASSERT_NE(never, nullptr);
  AppendFirstPart(*never);
  TempDir b;
  CopyDir(a.path(), b.path());

  auto from_snapshot = OpenOrDie(HeadChunkTestOptions(true), a.path());
  auto from_wal = OpenOrDie(HeadChunkTestOptions(false), b.path());
  ASSERT_NE(from_snapshot, nullptr);
  ASSERT_NE(from_wal, nullptr);
  const ReplayReport& r = from_snapshot->replay_report();
  EXPECT_TRUE(r.from_snapshot) << r.snapshot_discarded;
  EXPECT_EQ(r.snapshot_series, kHistogramSeries + kFloatSeries);
  EXPECT_GT(r.snapshot_chunk_refs, 0);  // Histogram chunks in chunks_head/.
  EXPECT_EQ(r.segments, 0);
  EXPECT_FALSE(from_wal->replay_report().from_snapshot);

  const auto want = DumpHistograms(*never);
  ASSERT_EQ(want.size(), static_cast<size_t>(kHistogramSeries));
  EXPECT_EQ(DumpHistograms(*from_snapshot), want);
  EXPECT_EQ(DumpHistogramChunks(*from_snapshot), DumpHistogramChunks(*never));
  EXPECT_EQ(Dump(*from_snapshot), Dump(*never));
  // The full replay rebuilds an open chunk that a counter reset started
  // with an "unknown" header (no appender to compare with, as Prometheus
  // 2.42): the same samples, hints aside.
  EXPECT_EQ(DumpHistograms(*from_wal, false), DumpHistograms(*never, false));
  EXPECT_EQ(Dump(*from_wal), Dump(*never));

  // Appends after the restart write the chunks they would have written.
  AppendLaterPart(*from_snapshot);
  AppendLaterPart(*from_wal);
  AppendLaterPart(*never);
  EXPECT_EQ(DumpHistogramChunks(*from_snapshot), DumpHistogramChunks(*never));
  EXPECT_EQ(DumpHistograms(*from_snapshot), DumpHistograms(*never));
  EXPECT_EQ(DumpHistograms(*from_wal, false), DumpHistograms(*never, false));
  EXPECT_EQ(Dump(*from_snapshot), Dump(*never));
  ExpectDuplicateRules(*from_snapshot);
  ExpectDuplicateRules(*never);

  // And once more through a snapshot.
  ASSERT_TRUE(from_snapshot->Close().ok());
  auto again = OpenOrDie(HeadChunkTestOptions(true), a.path());
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->replay_report().from_snapshot);
  EXPECT_EQ(DumpHistograms(*again), DumpHistograms(*never));
  EXPECT_EQ(DumpHistogramChunks(*again), DumpHistogramChunks(*never));
  ExpectDuplicateRules(*again);
}

// Without chunks_head/ every chunk is inline in the snapshot, histogram
// chunks included.
TEST(DBSnapshotHistogramTest, InlineChunksRoundTrip) {
  Options o = HeadChunkTestOptions(true);
  o.head_chunks_on_disk = false;
  TempDir a, never_dir;
  {
    auto db = OpenOrDie(o, a.path());
    ASSERT_NE(db, nullptr);
    AppendFirstPart(*db);
    ASSERT_TRUE(db->Close().ok());
  }
  auto never = OpenOrDie(o, never_dir.path());
  ASSERT_NE(never, nullptr);
  AppendFirstPart(*never);
  auto db = OpenOrDie(o, a.path());
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->replay_report().from_snapshot);
  EXPECT_EQ(db->replay_report().snapshot_chunk_refs, 0);
  EXPECT_EQ(DumpHistograms(*db), DumpHistograms(*never));
  AppendLaterPart(*db);
  AppendLaterPart(*never);
  EXPECT_EQ(DumpHistogramChunks(*db), DumpHistogramChunks(*never));
}

// Snapshot, more WAL (histograms and floats), a crash: the snapshot plus
// the later segments answer as the running DB did.
TEST(DBSnapshotHistogramTest, LaterWalIsReplayedOnTopOfTheSnapshot) {
  TempDir a;
  {
    auto db = OpenOrDie(HeadChunkTestOptions(true), a.path());
    ASSERT_NE(db, nullptr);
    AppendFirstPart(*db);
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenOrDie(HeadChunkTestOptions(true), a.path());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->replay_report().from_snapshot);
  AppendLaterPart(*db);
  TempDir crashed;
  CopyDir(a.path(), crashed.path());
  auto reopened = OpenOrDie(HeadChunkTestOptions(true), crashed.path());
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(reopened->replay_report().from_snapshot);
  EXPECT_GT(reopened->replay_report().segments, 0);
  EXPECT_EQ(DumpHistograms(*reopened), DumpHistograms(*db));
  EXPECT_EQ(Dump(*reopened), Dump(*db));
}

}  // namespace
}  // namespace strata
