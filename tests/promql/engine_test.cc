#include "promql/engine.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "promql/parser.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "util/log.h"
#include "wait_for.h"

namespace strata::promql {
namespace {

constexpr int64_t kMinute = 60 * 1000;

using strata::testing::TempDir;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogLevel(LogLevel::kWarn);
    Options options;
    options.block_duration_ms = 100LL * 365 * kMillisPerDay;
    options.retention_ms = 0;
    auto db = DB::Open(options, dir_.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = *std::move(db);
    // http_requests_total{job, instance}: +1 per second per instance,
    // sampled every 15s for an hour; instance="2" resets at 30m.
    auto app = db_->NewAppender();
    for (int64_t t = 0; t <= 60 * kMinute; t += 15000) {
      for (int i = 0; i < 3; ++i) {
        double v = static_cast<double>(t) / 1000 * (i + 1);
        if (i == 2 && t >= 30 * kMinute)
          v = static_cast<double>(t - 30 * kMinute) / 1000;
        Labels l = Labels::Of({{"__name__", "http_requests_total"},
                               {"job", i < 2 ? "api" : "web"},
                               {"instance", std::to_string(i)}});
        ASSERT_TRUE(app->Append(l, t, v).ok());
      }
      ASSERT_TRUE(app->Append(Labels::Of({{"__name__", "temp"}}), t, 20).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(EngineTest, InstantVector) {
  Engine engine;
  auto r = engine.Instant(*db_, "sum by (job) (rate(http_requests_total[5m]))",
                          20 * kMinute);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->type, ValueType::kVector);
  ASSERT_EQ(r->vector.size(), 2u);
  // Aggregation keeps the order of first appearance: job="api" first.
  EXPECT_EQ(r->vector[0].metric.ToString(), "{job=\"api\"}");
  EXPECT_DOUBLE_EQ(r->vector[0].v, 3);  // 1/s + 2/s
  EXPECT_EQ(r->vector[1].metric.ToString(), "{job=\"web\"}");
  EXPECT_DOUBLE_EQ(r->vector[1].v, 3);
  EXPECT_EQ(r->vector[0].t, 20 * kMinute);
}

TEST_F(EngineTest, ScalarAndString) {
  Engine engine;
  auto r = engine.Instant(*db_, "1 + 2 * 3", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ValueType::kScalar);
  EXPECT_EQ(r->scalar, 7);
  r = engine.Instant(*db_, "scalar(temp) / time()", 10 * kMinute);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->scalar, 20.0 / 600);
  r = engine.Instant(*db_, "(\"hello\")", 5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ValueType::kString);
  EXPECT_EQ(r->string, "hello");
  EXPECT_EQ(r->t, 5);
}

TEST_F(EngineTest, InstantMatrix) {
  Engine engine;
  auto r = engine.Instant(*db_, "temp[1m]", 10 * kMinute);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->type, ValueType::kMatrix);
  ASSERT_EQ(r->matrix.size(), 1u);
  // Both ends of the range are inclusive in Prometheus 2.x.
  ASSERT_EQ(r->matrix[0].points.size(), 5u);
  EXPECT_EQ(r->matrix[0].points.front().t, 9 * kMinute);
  EXPECT_EQ(r->matrix[0].points.back().t, 10 * kMinute);
}

TEST_F(EngineTest, RangeQuery) {
  Engine engine;
  auto r = engine.Range(*db_, "increase(http_requests_total[2m])", 10 * kMinute,
                        40 * kMinute, 5 * kMinute);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->type, ValueType::kMatrix);
  ASSERT_EQ(r->matrix.size(), 3u);
  // Sorted by labels; the name is dropped.
  EXPECT_EQ(r->matrix[0].metric.ToString(), "{instance=\"0\", job=\"api\"}");
  EXPECT_EQ(r->matrix[2].metric.ToString(), "{instance=\"2\", job=\"web\"}");
  ASSERT_EQ(r->matrix[0].points.size(), 7u);
  for (const Point& p : r->matrix[0].points) EXPECT_DOUBLE_EQ(p.v, 120);
  // Instance 2 restarts from 0 at 30m: a reset counts as a rise from 0, so
  // the window ending at the reset sees only the rise before it (7 steps of
  // 45 from 28m to 29m45s).
  for (const Point& p : r->matrix[2].points) {
    const double want =
        p.t < 30 * kMinute ? 360 : (p.t == 30 * kMinute ? 315 : 120);
    EXPECT_NEAR(p.v, want, 1e-9) << p.t;
  }
  // Scalars come back as one series without labels.
  r = engine.Range(*db_, "time()", 0, 2 * kMinute, kMinute);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->matrix.size(), 1u);
  EXPECT_TRUE(r->matrix[0].metric.empty());
  EXPECT_EQ(r->matrix[0].points.size(), 3u);
  EXPECT_EQ(r->matrix[0].points[2].v, 120);
}

TEST_F(EngineTest, AtStartAndEnd) {
  Engine engine;
  auto r = engine.Range(*db_, "http_requests_total{instance=\"0\"} @ end()",
                        10 * kMinute, 20 * kMinute, 5 * kMinute);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->matrix.size(), 1u);
  for (const Point& p : r->matrix[0].points) EXPECT_EQ(p.v, 1200);
  r = engine.Range(*db_, "http_requests_total{instance=\"0\"} @ start()",
                   10 * kMinute, 20 * kMinute, 5 * kMinute);
  ASSERT_TRUE(r.ok());
  for (const Point& p : r->matrix[0].points) EXPECT_EQ(p.v, 600);
}

TEST_F(EngineTest, LookbackDelta) {
  // The last sample is at 60m.
  EngineOptions options;
  options.lookback_delta_ms = kMinute;
  Engine short_lookback(options);
  auto r = short_lookback.Instant(*db_, "temp", 62 * kMinute);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->vector.empty());
  Engine engine;
  r = engine.Instant(*db_, "temp", 62 * kMinute);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->vector.size(), 1u);
  r = engine.Instant(*db_, "temp", 65 * kMinute + 1);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->vector.empty());
}

TEST_F(EngineTest, DefaultSubqueryStep) {
  EngineOptions options;
  options.default_subquery_step_ms = 5 * kMinute;
  Engine engine(options);
  auto r = engine.Instant(*db_, "count_over_time(temp[20m:])", 30 * kMinute);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->vector.size(), 1u);
  EXPECT_EQ(r->vector[0].v, 5);  // 10m, 15m, 20m, 25m, 30m
}

TEST_F(EngineTest, ErrorTypes) {
  Engine engine;
  auto r = engine.Instant(*db_, "sum(", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorType(r.status()), "bad_data");
  EXPECT_EQ(r.status().message(),
            "1:5: parse error: unclosed left parenthesis");

  r = engine.Range(*db_, "temp[5m]", 0, kMinute, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorType(r.status()), "bad_data");
  EXPECT_EQ(r.status().message(),
            "invalid expression type \"range vector\" for range query, must be "
            "Scalar or instant Vector");
  r = engine.Range(*db_, "temp", 0, kMinute, 0);
  EXPECT_EQ(ErrorType(r.status()), "bad_data");

  r = engine.Instant(*db_, "label_replace(temp, \"a\", \"b\", \"c\", \"(\")",
                     0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorType(r.status()), "execution");
  EXPECT_EQ(r.status().message(),
            "invalid regular expression in label_replace(): (");

  r = engine.Instant(*db_, "http_requests_total + on(job) http_requests_total",
                     10 * kMinute);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorType(r.status()), "execution");
  EXPECT_EQ(
      r.status().message(),
      "found duplicate series for the match group {job=\"api\"} on the "
      "right hand-side of the operation: [{__name__=\"http_requests_total\", "
      "instance=\"1\", job=\"api\"}, {__name__=\"http_requests_total\", "
      "instance=\"0\", job=\"api\"}];many-to-many matching not allowed: "
      "matching labels must be unique on one side");

  r = engine.Instant(*db_,
                     "-{__name__=~\"http_requests_total|temp\", "
                     "instance=\"0\"} or -{__name__=\"temp\"}",
                     kMinute);
  EXPECT_TRUE(r.ok());
  r = engine.Instant(*db_,
                     "-({__name__=~\"http_requests_total|temp\"} * 0 + 1 or "
                     "{__name__=\"temp\"})",
                     kMinute);
  EXPECT_TRUE(r.ok());
}

TEST_F(EngineTest, MaxSamples) {
  EngineOptions options;
  options.max_samples = 3;
  Engine engine(options);
  auto r = engine.Instant(*db_, "http_requests_total", 10 * kMinute);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  r = engine.Instant(*db_, "{__name__=~\".+\"}", 10 * kMinute);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(ErrorType(r.status()), "execution");
  EXPECT_EQ(r.status().message(),
            "query processing would load too many samples into memory in "
            "query execution");
  r = engine.Instant(*db_, "rate(http_requests_total[5m])", 10 * kMinute);
  EXPECT_FALSE(r.ok());
}

// A query over many steps, slow enough to be interrupted.
constexpr std::string_view kSlowQuery =
    "sum_over_time(rate(http_requests_total[5m])[60m:1s])";

TEST_F(EngineTest, Timeout) {
  EngineOptions options;
  options.timeout_ms = 1;
  Engine engine(options);
  auto r = engine.Range(*db_, kSlowQuery, 0, 60 * kMinute, 15000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(ErrorType(r.status()), "timeout");
  EXPECT_EQ(r.status().message(), "query timed out in expression evaluation");
}

TEST_F(EngineTest, Cancellation) {
  Engine engine;
  std::atomic<bool> cancel{true};
  QueryOptions q;
  q.cancel = &cancel;
  auto r = engine.Instant(*db_, "temp", 0, q);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(ErrorType(r.status()), "canceled");
  EXPECT_EQ(r.status().message(),
            "query was canceled in expression evaluation");

  // Cancelling while queries run stops them: the query running when the
  // flag is set may still finish, the next one never does. No timing is
  // assumed; the loop is bounded.
  cancel = false;
  std::atomic<bool> running{false};
  int finished_after_cancel = 0;
  StatusOr<Result> last = Status::Internal("no query ran");
  std::thread worker([&] {
    for (int i = 0; i < 1000; ++i) {
      running = true;
      last = engine.Range(*db_, kSlowQuery, 0, 60 * kMinute, 15000, q);
      if (!last.ok()) return;
      if (cancel) ++finished_after_cancel;
    }
  });
  const bool started = strata::testing::WaitFor([&] { return running.load(); },
                                                std::chrono::seconds(30));
  cancel = true;
  worker.join();
  ASSERT_TRUE(started);
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.status().code(), StatusCode::kCancelled);
  EXPECT_LE(finished_after_cancel, 1);
}

TEST_F(EngineTest, ConcurrentQueries) {
  Engine engine;
  auto want =
      engine.Instant(*db_, "sum(rate(http_requests_total[5m]))", 20 * kMinute);
  ASSERT_TRUE(want.ok());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        auto r = engine.Instant(*db_, "sum(rate(http_requests_total[5m]))",
                                20 * kMinute);
        if (!r.ok() || r->vector.size() != 1 ||
            r->vector[0].v != want->vector[0].v) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Times near the ends of int64 wrap around as in Go instead of looping.
TEST_F(EngineTest, ExtremeTimestamps) {
  EngineOptions options;
  options.timeout_ms = 10000;
  Engine engine(options);
  for (const char* q : {"count_over_time(temp[5m:1m] @ 9223372036854775)",
                        "count_over_time(temp[5m:1m] @ -9223372036854775)",
                        "temp @ 9223372036854775 offset -292y",
                        "rate(temp[292y] offset -292y)"}) {
    auto start = std::chrono::steady_clock::now();
    auto r = engine.Instant(*db_, q, 9223372036854000000);
    EXPECT_TRUE(r.ok() || ErrorType(r.status()) != "timeout")
        << q << ": " << r.status().ToString();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
        << q;
  }
}

TEST_F(EngineTest, ParsedExpressionIsReusable) {
  Engine engine;
  StatusOr<ExprPtr> e = ParseExpr("max(temp) + count(http_requests_total)");
  ASSERT_TRUE(e.ok());
  for (int64_t t : {kMinute, 30 * kMinute}) {
    auto r = engine.InstantExpr(*db_, **e, t);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->vector.size(), 1u);
    EXPECT_EQ(r->vector[0].v, 23);
  }
}

}  // namespace
}  // namespace strata::promql
