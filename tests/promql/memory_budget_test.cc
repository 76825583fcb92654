// The engine's byte budget (EngineOptions::max_memory_bytes and the shared
// memory_pool): queries that would hold gigabytes are refused with
// `execution` errors naming the limit, early, without using the memory;
// normal queries are unaffected; a result's bytes count until it is
// released.
#include "util/memory_budget.h"

#include <cstdint>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "peak_rss.h"
#include "promql/engine.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "test_db.h"

namespace strata::promql {
namespace {

using strata::testing::CurrentRssBytes;
using strata::testing::PeakRssBytes;
using strata::testing::ResetPeakRss;
using strata::testing::TempDir;

constexpr int64_t kMiB = 1 << 20;
constexpr int64_t kHour = 3600 * 1000;
// The per-query limit of these tests, and how far above the resident size
// before a query its peak may go (the limit plus allocator slack).
constexpr int64_t kLimit = 64 * kMiB;
constexpr int64_t kAllowedPeakGrowth = 160 * kMiB;

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s);
  return out;
}

class MemoryBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb(dir_);
    ASSERT_NE(db_, nullptr);
    auto app = db_->NewAppender();
    for (int i = 0; i < 20; ++i) {
      for (int64_t t = 0; t <= kHour; t += 15000) {
        ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "up"},
                                            {"instance", std::to_string(i)}}),
                                t, 1)
                        .ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  Engine LimitedEngine(MemoryPool* pool = nullptr) const {
    EngineOptions options;
    options.max_memory_bytes = kLimit;
    options.memory_pool = pool;
    return Engine(options);
  }

  // Runs `query` at 1h, expecting a refusal by the per-query limit that
  // raised the peak resident size by no more than kAllowedPeakGrowth.
  void ExpectRefusedCheaply(const Engine& engine, const std::string& query) {
    ASSERT_TRUE(ResetPeakRss());
    const int64_t before = CurrentRssBytes();
    StatusOr<Result> r = engine.Instant(*db_, query, kHour);
    const int64_t growth = PeakRssBytes() - before;
    ASSERT_FALSE(r.ok()) << query;
    EXPECT_EQ(ErrorType(r.status()), "execution");
    EXPECT_EQ(r.status().message(),
              "query processing would use too much memory in query "
              "execution: more than 67108864 bytes (--query.max-memory-bytes)")
        << query;
    EXPECT_LT(growth, kAllowedPeakGrowth) << query;
  }

  TempDir dir_;
  std::unique_ptr<DB> db_;
};

// Issue 15: one `max_over_time(vector(1)[1y:1ms])` peaked at 1.1 GB before
// --query.max-samples stopped it.
TEST_F(MemoryBudgetTest, HugeSubqueryRefusedBeforeUsingTheMemory) {
  ExpectRefusedCheaply(LimitedEngine(), "max_over_time(vector(1)[1y:1ms])");
  // The same over a selector with a point at every step, whose steps used
  // to be reserved up front.
  ExpectRefusedCheaply(LimitedEngine(), "max_over_time(up[30m:1ms])");
}

// Issue 15: label_replace can multiply a label's length with each `$1`; the
// probe made a 400 MB response. 3 levels of 400 repeats would be 64 GB.
TEST_F(MemoryBudgetTest, LabelInflationRefused) {
  const std::string x400 = Repeat("$1", 400);
  const std::string query =
      "label_replace(label_replace(label_replace(up, "
      "\"a\", \"" +
      Repeat("x", 400) + "\", \"\", \"\"), \"b\", \"" + x400 +
      "\", \"a\", \"(.*)\"), \"c\", \"" + x400 + "\", \"b\", \"(.*)\")";
  ExpectRefusedCheaply(LimitedEngine(), query);
}

// Many label sets that are each small but add up: a range query copying a
// 16 KB label into every series at every step.
TEST_F(MemoryBudgetTest, ManyInflatedSeriesRefused) {
  const std::string query = "label_replace(up, \"big\", \"" +
                            Repeat("$1", 8000) +
                            "\", \"instance\", \"(.*)\") * on (instance) "
                            "group_left(big) label_replace(up, \"big\", \"" +
                            Repeat("$1", 8000) + "\", \"instance\", \"(.*)\")";
  EngineOptions options;
  options.max_memory_bytes = 256 << 10;
  StatusOr<Result> r = Engine(options).Range(*db_, query, 0, kHour, 60000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorType(r.status()), "execution");
}

TEST_F(MemoryBudgetTest, NormalQueriesWork) {
  const Engine engine = LimitedEngine();
  StatusOr<Result> r = engine.Instant(*db_, "sum(rate(up[5m]))", kHour);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->vector.size(), 1u);
  StatusOr<Result> m =
      engine.Range(*db_, "max_over_time(up[10m:15s])", 0, kHour, 15000);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->matrix.size(), 20u);
  EXPECT_GT(m->stats.peak_bytes, 0);
  EXPECT_LE(m->stats.peak_bytes, kLimit);
  StatusOr<Result> l = engine.Instant(
      *db_, "label_replace(up, \"a\", \"$1$1\", \"instance\", \"(.*)\")",
      kHour);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->vector.size(), 20u);
}

// Issue 15: three heavy queries at once took 3 GB. With a shared pool, a
// query is refused when the others already hold the pool.
TEST_F(MemoryBudgetTest, SharedPoolRefusesWhenOthersHoldIt) {
  MemoryPool pool(100 * kMiB);
  const Engine engine = LimitedEngine(&pool);
  // About 40 MB: 600,000 points twice, and a window over them.
  const std::string query = "max_over_time(vector(1)[10m:1ms])";
  ASSERT_TRUE(pool.TryReserve(80 * kMiB));  // Another query's bytes.
  StatusOr<Result> r = engine.Instant(*db_, query, kHour);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorType(r.status()), "execution");
  EXPECT_EQ(r.status().message(),
            "query processing would use too much memory in query execution: "
            "the queries and remote reads running at once would hold more "
            "than 104857600 bytes (--query.max-total-memory-bytes)");
  EXPECT_EQ(pool.used(), 80 * kMiB);  // The refused query gave all back.
  pool.Release(80 * kMiB);
  StatusOr<Result> ok = engine.Instant(*db_, query, kHour);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST_F(MemoryBudgetTest, ResultBytesCountUntilReleased) {
  MemoryPool pool(0);
  const Engine engine = LimitedEngine(&pool);
  {
    StatusOr<Result> r = engine.Range(*db_, "up", 0, kHour, 15000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    // 20 series of 241 points.
    EXPECT_GE(pool.used(), 20 * 241 * 16);
  }
  EXPECT_EQ(pool.used(), 0);
}

}  // namespace
}  // namespace strata::promql
