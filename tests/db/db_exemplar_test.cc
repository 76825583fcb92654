// Exemplars through the public API: appended with samples, logged to the
// WAL in the same commit, replayed on open (a restart keeps them), kept
// by checkpoints from their time on, resized as Prometheus's ApplyConfig.
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "snapshot_test_util.h"
#include "strata/db.h"
#include "temp_dir.h"

namespace strata {
namespace {

constexpr int64_t kHour = 3600 * 1000;

Exemplar Ex(int64_t t, double v, std::string_view trace) {
  return Exemplar{Labels::Of({{"trace_id", trace}}), v, t, true};
}

class DBExemplarTest : public ::testing::Test {
 protected:
  void Open(int64_t max_exemplars, bool snapshot_on_shutdown = true) {
    db_.reset();
    Options options;
    options.background_compaction = false;
    options.max_exemplars = max_exemplars;
    options.snapshot_on_shutdown = snapshot_on_shutdown;
    StatusOr<std::unique_ptr<DB>> db = DB::Open(options, dir_.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }

  // Appends a sample and an exemplar at each time to series `name`.
  void Write(std::string_view name, const std::vector<int64_t>& times) {
    std::unique_ptr<Appender> app = db_->NewAppender();
    for (int64_t t : times) {
      StatusOr<SeriesRef> ref =
          app->Append(Labels::Of({{"__name__", name}}), t, 1);
      ASSERT_TRUE(ref.ok()) << ref.status().ToString();
      StatusOr<SeriesRef> ex = app->AppendExemplar(
          *ref, Labels(), Ex(t, static_cast<double>(t), std::to_string(t)));
      ASSERT_TRUE(ex.ok()) << ex.status().ToString();
      EXPECT_EQ(*ex, *ref);
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  // "name:t,...;" of everything stored.
  std::string Dump(int64_t mint = 0, int64_t maxt = INT64_MAX) {
    StatusOr<std::unique_ptr<ExemplarQuerier>> q = db_->NewExemplarQuerier();
    if (!q.ok()) return q.status().ToString();
    StatusOr<std::vector<ExemplarSeries>> got =
        (*q)->Select(mint, maxt, {{Matcher::NotEqual("__name__", "")}});
    if (!got.ok()) return got.status().ToString();
    std::string out;
    for (const ExemplarSeries& s : *got) {
      out += std::string(s.series_labels.MetricName()) + ":";
      for (size_t i = 0; i < s.exemplars.size(); ++i) {
        const Exemplar& e = s.exemplars[i];
        out += (i > 0 ? "," : "") + std::to_string(e.t_ms);
        EXPECT_EQ(e.labels.Get("trace_id"), std::to_string(e.t_ms));
        EXPECT_EQ(e.value, static_cast<double>(e.t_ms));
      }
      out += ";";
    }
    return out;
  }

  testing::TempDir dir_{"strata-db-exemplar"};
  std::unique_ptr<DB> db_;
};

TEST_F(DBExemplarTest, RestartReplaysExemplarsFromTheWal) {
  Open(100);
  Write("a", {1000, 2000});
  Write("b", {1500});
  EXPECT_EQ(Dump(), "a:1000,2000;b:1500;");
  EXPECT_EQ(db_->Stats().exemplars.appended, 3);
  ASSERT_TRUE(db_->Close().ok());
  Open(100);
  EXPECT_EQ(Dump(), "a:1000,2000;b:1500;");
  EXPECT_EQ(Dump(1200, 1800), "b:1500;");
}

// A clean Close writes the ring into the shutdown snapshot: the next open
// loads it from there (no WAL left to replay), and the WAL written after
// it adds the newer ones; a full WAL replay of the same dir agrees.
TEST_F(DBExemplarTest, ShutdownSnapshotKeepsExemplars) {
  Open(100, false);
  Write("a", {1000, 2000});
  ASSERT_TRUE(db_->Close().ok());  // No snapshot: the WAL has them.
  Open(100);
  Write("b", {1500});
  ASSERT_TRUE(db_->Close().ok());  // Snapshot of a and b.
  Open(100);
  EXPECT_TRUE(db_->replay_report().from_snapshot);
  EXPECT_EQ(db_->replay_report().segments, 0);
  EXPECT_EQ(Dump(), "a:1000,2000;b:1500;");
  Write("a", {3000});
  {
    // A crash now (the dir as kill -9 leaves it): the snapshot plus the
    // WAL written after it.
    testing::TempDir crashed("strata-db-exemplar-crash");
    testing::CopyDir(dir_.path(), crashed.path());
    Options options;
    options.background_compaction = false;
    options.max_exemplars = 100;
    StatusOr<std::unique_ptr<DB>> db = DB::Open(options, crashed.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::swap(db_, *db);
    EXPECT_TRUE(db_->replay_report().from_snapshot);
    EXPECT_GT(db_->replay_report().segments, 0);
    EXPECT_EQ(Dump(), "a:1000,2000,3000;b:1500;");
    std::swap(db_, *db);
  }
  ASSERT_TRUE(db_->Close().ok());
  Open(2);  // A smaller ring keeps the newest of the snapshot's.
  EXPECT_TRUE(db_->replay_report().from_snapshot);
  EXPECT_EQ(Dump(), "a:3000;b:1500;");
  ASSERT_TRUE(db_->Close().ok());
  Open(100, false);  // Full WAL replay: everything again.
  EXPECT_FALSE(db_->replay_report().from_snapshot);
  EXPECT_EQ(Dump(), "a:1000,2000,3000;b:1500;");
}

TEST_F(DBExemplarTest, ReplayIntoASmallerRingKeepsTheNewest) {
  Open(100);
  Write("a", {1000, 2000, 3000});
  Write("b", {2500});
  ASSERT_TRUE(db_->Close().ok());
  Open(2);
  EXPECT_EQ(Dump(), "a:3000;b:2500;");
  // Disabled: the WAL's exemplars are not loaded, new ones are no-ops.
  ASSERT_TRUE(db_->Close().ok());
  Open(0);
  EXPECT_EQ(Dump(), "");
  Write("a", {4000});
  EXPECT_EQ(Dump(), "");
}

TEST_F(DBExemplarTest, AppenderChecksAgainstStoredExemplars) {
  Open(100);
  Write("a", {1000});
  std::unique_ptr<Appender> app = db_->NewAppender();
  const Labels a = Labels::Of({{"__name__", "a"}});
  // By labels: the series exists.
  EXPECT_TRUE(app->AppendExemplar(0, a, Ex(2000, 2000, "2000")).ok());
  EXPECT_EQ(app->AppendExemplar(0, a, Ex(500, 1, "x")).status().code(),
            StatusCode::kOutOfOrder);
  // A duplicate of the stored newest is a no-op.
  EXPECT_TRUE(app->AppendExemplar(0, a, Ex(1000, 1000, "1000")).ok());
  EXPECT_TRUE(
      app->AppendExemplar(0, Labels::Of({{"__name__", "nope"}}), Ex(1, 1, "x"))
          .status()
          .IsNotFound());
  std::string long_value(130, 'x');
  EXPECT_EQ(app->AppendExemplar(0, a, Ex(3000, 1, long_value)).status().code(),
            StatusCode::kInvalidArgument);
  // Exemplars alone commit (and replay).
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(Dump(), "a:1000,2000;");
  ASSERT_TRUE(db_->Close().ok());
  Open(100);
  EXPECT_EQ(Dump(), "a:1000,2000;");
}

TEST_F(DBExemplarTest, RollbackDropsExemplars) {
  Open(100);
  std::unique_ptr<Appender> app = db_->NewAppender();
  StatusOr<SeriesRef> ref = app->Append(Labels::Of({{"__name__", "a"}}), 5, 1);
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE(app->AppendExemplar(*ref, Labels(), Ex(5, 5, "5")).ok());
  app->Rollback();
  EXPECT_EQ(Dump(), "");
}

TEST_F(DBExemplarTest, CheckpointKeepsExemplarsFromTheTruncationTime) {
  Options options;
  options.background_compaction = false;
  options.max_exemplars = 100;
  options.wal_segment_bytes = 32 * 1024;  // Many segments to checkpoint.
  {
    StatusOr<std::unique_ptr<DB>> db = DB::Open(options, dir_.path());
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
  }
  // Enough hours that the oldest block persists and the WAL checkpoints.
  for (int64_t h = 0; h < 8; ++h) {
    std::vector<int64_t> times;
    for (int64_t i = 0; i < 200; ++i) times.push_back(h * kHour + i * 1000);
    Write("a", times);
  }
  ASSERT_TRUE(db_->Compact().ok());
  ASSERT_GT(db_->Stats().wal_checkpoints, 0);
  const std::string before = Dump();
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  {
    StatusOr<std::unique_ptr<DB>> db = DB::Open(options, dir_.path());
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
  }
  // Replay drops what is older than the persisted blocks, as Prometheus;
  // the rest came back from the checkpoint and segments.
  StatusOr<std::unique_ptr<ExemplarQuerier>> q = db_->NewExemplarQuerier();
  ASSERT_TRUE(q.ok());
  StatusOr<std::vector<ExemplarSeries>> got =
      (*q)->Select(0, INT64_MAX, {{Matcher::Equal("__name__", "a")}});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const std::vector<Exemplar>& kept = (*got)[0].exemplars;
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.back().t_ms, 7 * kHour + 199 * 1000);
  const int64_t blocks_end = db_->Stats().head_min_time;
  EXPECT_GE(kept.front().t_ms, 0);
  // Everything from the head's start on survived, in order.
  int64_t expected = 0;
  for (const Exemplar& e : kept) {
    if (e.t_ms >= blocks_end) ++expected;
  }
  EXPECT_EQ(static_cast<int64_t>(kept.size()), expected) << before;
}

TEST_F(DBExemplarTest, SetMaxExemplarsResizesWhileOpen) {
  Open(100);
  Write("a", {1, 2, 3});
  EXPECT_EQ(db_->SetMaxExemplars(2), 2);
  EXPECT_EQ(Dump(), "a:2,3;");
  EXPECT_EQ(db_->Stats().exemplars.max_exemplars, 2);
  EXPECT_EQ(db_->SetMaxExemplars(2), 0);  // Unchanged: nothing moves.
  EXPECT_EQ(db_->SetMaxExemplars(-1), 0);
  EXPECT_EQ(Dump(), "");
}

}  // namespace
}  // namespace strata
