#include "util/summary.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace {

using Clock = SummaryOptions::Clock;
using std::chrono::minutes;
using std::chrono::seconds;

// A clock the test moves by hand.
struct FakeClock {
  Clock::time_point now = Clock::time_point() + std::chrono::hours(1);
};

SummaryOptions Options(std::vector<double> quantiles,
                       const std::shared_ptr<FakeClock>& clock) {
  SummaryOptions options;
  options.quantiles = std::move(quantiles);
  options.now = [clock] { return clock->now; };
  return options;
}

TEST(SummaryTest, EmptyHasNaNQuantilesInAscendingOrder) {
  auto clock = std::make_shared<FakeClock>();
  Summary summary(Options({0.99, 0.5, 0.9}, clock));
  const SummarySnapshot s = summary.Snapshot();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.sum, 0);
  ASSERT_EQ(s.quantiles.size(), 3u);
  EXPECT_EQ(s.quantiles[0].first, 0.5);
  EXPECT_EQ(s.quantiles[1].first, 0.9);
  EXPECT_EQ(s.quantiles[2].first, 0.99);
  for (const auto& [q, v] : s.quantiles) EXPECT_TRUE(std::isnan(v)) << q;
}

TEST(SummaryTest, NearestRankQuantiles) {
  auto clock = std::make_shared<FakeClock>();
  Summary summary(Options({0.01, 0.05, 0.5, 0.9, 0.99}, clock));
  // 1..100 in a scrambled order.
  for (int i = 0; i < 100; ++i) summary.Observe((i * 37) % 100 + 1);
  const SummarySnapshot s = summary.Snapshot();
  EXPECT_EQ(s.count, 100u);
  EXPECT_EQ(s.sum, 5050);
  ASSERT_EQ(s.quantiles.size(), 5u);
  EXPECT_EQ(s.quantiles[0].second, 1);   // rank ceil(1)
  EXPECT_EQ(s.quantiles[1].second, 5);   // rank 5
  EXPECT_EQ(s.quantiles[2].second, 50);  // rank 50
  EXPECT_EQ(s.quantiles[3].second, 90);
  EXPECT_EQ(s.quantiles[4].second, 99);
}

TEST(SummaryTest, FewObservations) {
  auto clock = std::make_shared<FakeClock>();
  Summary summary(Options({0, 0.5, 0.9, 1}, clock));
  summary.Observe(0.3);
  summary.Observe(0.1);
  summary.Observe(0.2);
  const SummarySnapshot s = summary.Snapshot();
  EXPECT_EQ(s.quantiles[0].second, 0.1);  // the minimum
  EXPECT_EQ(s.quantiles[1].second, 0.2);  // rank ceil(1.5) = 2
  EXPECT_EQ(s.quantiles[2].second, 0.3);  // rank ceil(2.7) = 3
  EXPECT_EQ(s.quantiles[3].second, 0.3);  // the maximum
  EXPECT_DOUBLE_EQ(s.sum, 0.6);
}

// With max age 10m and 5 buckets, an observation leaves the window when the
// fifth bucket rotation after it happens: between 8 and 10 minutes later,
// as in client_golang.
TEST(SummaryTest, ObservationsExpireWithTheirBucket) {
  auto clock = std::make_shared<FakeClock>();
  Summary summary(Options({0.5}, clock));
  const Clock::time_point start = clock->now;
  summary.Observe(1);  // first bucket: [start, start+2m]
  clock->now = start + minutes(3);
  summary.Observe(2);  // second bucket: (start+2m, start+4m]
  clock->now = start + minutes(10);
  EXPECT_EQ(summary.Snapshot().quantiles[0].second, 1);  // both kept
  clock->now = start + minutes(10) + seconds(1);
  // The first bucket is reused for (start+10m, start+12m]: 1 has gone.
  EXPECT_EQ(summary.Snapshot().quantiles[0].second, 2);
  clock->now = start + minutes(12);
  EXPECT_EQ(summary.Snapshot().quantiles[0].second, 2);
  clock->now = start + minutes(12) + seconds(1);
  EXPECT_TRUE(std::isnan(summary.Snapshot().quantiles[0].second));
  // Count and sum never forget.
  EXPECT_EQ(summary.Snapshot().count, 2u);
  EXPECT_EQ(summary.Snapshot().sum, 3);
}

TEST(SummaryTest, LongIdleEmptiesEveryBucket) {
  auto clock = std::make_shared<FakeClock>();
  Summary summary(Options({0.5}, clock));
  const Clock::time_point start = clock->now;
  summary.Observe(7);
  clock->now = start + std::chrono::hours(5) + seconds(1);
  EXPECT_TRUE(std::isnan(summary.Snapshot().quantiles[0].second));
  // The schedule stays aligned to the start: the new bucket ends at
  // start+5h+2m.
  summary.Observe(8);
  clock->now = start + std::chrono::hours(5) + minutes(10);
  EXPECT_EQ(summary.Snapshot().quantiles[0].second, 8);
  clock->now = start + std::chrono::hours(5) + minutes(10) + seconds(1);
  EXPECT_TRUE(std::isnan(summary.Snapshot().quantiles[0].second));
}

TEST(SummaryTest, QuantilesSpanAllBucketsOfTheWindow) {
  auto clock = std::make_shared<FakeClock>();
  Summary summary(Options({0.25, 0.5, 1}, clock));
  const Clock::time_point start = clock->now;
  for (int bucket = 0; bucket < 4; ++bucket) {
    clock->now = start + minutes(2 * bucket + 1);
    summary.Observe(bucket + 1);
  }
  const SummarySnapshot s = summary.Snapshot();
  EXPECT_EQ(s.quantiles[0].second, 1);
  EXPECT_EQ(s.quantiles[1].second, 2);
  EXPECT_EQ(s.quantiles[2].second, 4);
}

TEST(SummaryTest, BoundedBucketsKeepAUniformSample) {
  auto clock = std::make_shared<FakeClock>();
  SummaryOptions options = Options({0.1, 0.5, 0.9}, clock);
  options.max_samples_per_bucket = 1000;
  Summary summary(std::move(options));
  for (int i = 0; i < 100000; ++i) summary.Observe(i % 1000);
  const SummarySnapshot s = summary.Snapshot();
  EXPECT_EQ(s.count, 100000u);
  EXPECT_NEAR(s.quantiles[0].second, 100, 40);
  EXPECT_NEAR(s.quantiles[1].second, 500, 40);
  EXPECT_NEAR(s.quantiles[2].second, 900, 40);
}

TEST(SummaryTest, BoundedBucketsAreWeightedByWhatTheySaw) {
  auto clock = std::make_shared<FakeClock>();
  SummaryOptions options = Options({0.5, 0.95}, clock);
  options.max_samples_per_bucket = 10;
  Summary summary(std::move(options));
  const Clock::time_point start = clock->now;
  // 1000 observations of 1 in the first bucket, 10 of 2 in the second:
  // 2 is under 1% of the window however few of the 1s are kept.
  for (int i = 0; i < 1000; ++i) summary.Observe(1);
  clock->now = start + minutes(3);
  for (int i = 0; i < 10; ++i) summary.Observe(2);
  const SummarySnapshot s = summary.Snapshot();
  EXPECT_EQ(s.quantiles[0].second, 1);
  EXPECT_EQ(s.quantiles[1].second, 1);
}

TEST(SummaryTest, ConcurrentObserversAndReaders) {
  SummaryOptions options;
  options.quantiles = {0.5};
  Summary summary(std::move(options));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&summary] {
      for (int i = 0; i < 10000; ++i) summary.Observe(1);
    });
  }
  threads.emplace_back([&summary] {
    for (int i = 0; i < 100; ++i) (void)summary.Snapshot();
  });
  for (std::thread& t : threads) t.join();
  const SummarySnapshot s = summary.Snapshot();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_EQ(s.sum, 40000);
  EXPECT_EQ(s.quantiles[0].second, 1);
}

}  // namespace
}  // namespace strata
