// Appender::AppendBatch through the DB: committed batches survive a
// reopen (WAL replay), uncommitted or rolled-back ones do not, and a
// closed DB refuses the batch as a whole.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "db_test_util.h"
#include "strata/db.h"

namespace strata {
namespace {

using testing::ReadAll;
using testing::TempDir;
using testing::TV;

constexpr int kSeries = 50;

Labels SeriesLabels(int i) {
  return Labels::Of({{"__name__", "batch"}, {"s", std::to_string(i)}});
}

// Creates the series with one sample at t=0 each.
std::vector<SeriesRef> CreateSeries(DB& db) {
  std::vector<SeriesRef> refs;
  auto app = db.NewAppender();
  for (int i = 0; i < kSeries; ++i) {
    auto ref = app->Append(SeriesLabels(i), 0, 0);
    EXPECT_TRUE(ref.ok());
    refs.push_back(*ref);
  }
  EXPECT_TRUE(app->Commit().ok());
  return refs;
}

// kSeries samples at `t`, value t + i, one per series.
Status AppendRound(Appender& app, const std::vector<SeriesRef>& refs, int64_t t,
                   AppendBatchReport* report) {
  std::vector<int64_t> ts(refs.size(), t);
  std::vector<double> vs;
  for (size_t i = 0; i < refs.size(); ++i) vs.push_back(t + i);
  return app.AppendBatch(refs, ts, vs, report);
}

TEST(DBAppendBatchTest, CommittedBatchesSurviveReopenAndOthersDoNot) {
  TempDir dir;
  Options options;
  {
    auto db = DB::Open(options, dir.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    const std::vector<SeriesRef> refs = CreateSeries(**db);
    auto app = (*db)->NewAppender();
    AppendBatchReport report;
    for (int64_t t = 1000; t <= 3000; t += 1000) {
      ASSERT_TRUE(AppendRound(*app, refs, t, &report).ok());
      EXPECT_TRUE(report.errors.empty());
      ASSERT_TRUE(app->Commit().ok());
    }
    // Rolled back: never logged.
    ASSERT_TRUE(AppendRound(*app, refs, 4000, &report).ok());
    app->Rollback();
    // Pending at close: never committed.
    ASSERT_TRUE(AppendRound(*app, refs, 5000, &report).ok());
    ASSERT_TRUE((*db)->Close().ok());
  }
  auto db = DB::Open(options, dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto all = ReadAll(**db, {Matcher::Equal("__name__", "batch")});
  ASSERT_EQ(all.size(), static_cast<size_t>(kSeries));
  for (int i = 0; i < kSeries; ++i) {
    const std::vector<TV> want = {
        {0, 0}, {1000, 1000.0 + i}, {2000, 2000.0 + i}, {3000, 3000.0 + i}};
    EXPECT_EQ(all[SeriesLabels(i).ToString()], want) << i;
  }
  // The refs are the same after replay: a batch by the old refs works.
  std::vector<SeriesRef> refs;
  auto app = (*db)->NewAppender();
  for (int i = 0; i < kSeries; ++i) {
    auto ref = app->Append(SeriesLabels(i), 6000, 6000.0 + i);
    ASSERT_TRUE(ref.ok());
    refs.push_back(*ref);
  }
  AppendBatchReport report;
  ASSERT_TRUE(AppendRound(*app, refs, 7000, &report).ok());
  EXPECT_TRUE(report.errors.empty());
  EXPECT_EQ(report.appended, refs.size());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(
      ReadAll(**db, {Matcher::Equal("s", "3")})[SeriesLabels(3).ToString()]
          .back(),
      (TV{7000, 7003}));
}

TEST(DBAppendBatchTest, ClosedDbRefusesTheWholeBatch) {
  TempDir dir;
  auto db = DB::Open(Options(), dir.path());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::vector<SeriesRef> refs = CreateSeries(**db);
  ASSERT_TRUE((*db)->Close().ok());
  auto app = (*db)->NewAppender();
  AppendBatchReport report;
  EXPECT_EQ(AppendRound(*app, refs, 1000, &report).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(report.appended, 0u);
}

}  // namespace
}  // namespace strata
