// Appender::AppendBatch over the head: per-sample errors, equivalence with
// one-at-a-time Append, rollback.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "head/head.h"
#include "head/head_appender.h"
#include "query/block_querier.h"

namespace strata {
namespace {

struct Sample {
  int64_t t;
  double v;
  friend bool operator==(const Sample&, const Sample&) = default;
};

class HeadAppendBatchTest : public ::testing::Test {
 protected:
  std::unique_ptr<Appender> NewAppender(const std::shared_ptr<Head>& head) {
    return std::make_unique<HeadAppender>(head.get(), nullptr);
  }

  // Creates `n` series named s0..s{n-1} with one sample at t=0 each.
  std::vector<SeriesRef> CreateSeries(const std::shared_ptr<Head>& head,
                                      int n) {
    std::vector<SeriesRef> refs;
    auto app = NewAppender(head);
    for (int i = 0; i < n; ++i) {
      auto ref = app->Append(
          Labels::Of({{"__name__", "s" + std::to_string(i)}}), 0, 0);
      EXPECT_TRUE(ref.ok());
      refs.push_back(*ref);
    }
    EXPECT_TRUE(app->Commit().ok());
    return refs;
  }

  std::vector<Sample> SamplesOf(const std::shared_ptr<Head>& head,
                                const std::string& name) {
    BlockQuerier q({head}, kMinTime, kMaxTime);
    auto set = q.Select({Matcher::Equal("__name__", name)}, {});
    std::vector<Sample> out;
    while (set->Next()) {
      auto it = set->At().NewIterator();
      while (it->Next()) out.push_back({it->t(), it->v()});
    }
    return out;
  }

  std::shared_ptr<Head> head_ = std::make_shared<Head>(HeadOptions{});
};

TEST_F(HeadAppendBatchTest, MixedValidAndInvalidSamplesReportEachError) {
  const std::vector<SeriesRef> refs = CreateSeries(head_, 2);
  const SeriesRef a = refs[0], b = refs[1];
  auto app = NewAppender(head_);
  ASSERT_TRUE(app->Append(a, 100, 1).ok());
  ASSERT_TRUE(app->Commit().ok());

  const std::vector<SeriesRef> batch_refs = {a, a, b, 12345, a, b, 0, a, a, b};
  const std::vector<int64_t> ts = {50, 200, 10, 10, 200, 5, 10, 200, 300, 20};
  const std::vector<double> vs = {1, 2, 3, 4, 2, 5, 6, 9, 3, 7};
  AppendBatchReport report;
  ASSERT_TRUE(app->AppendBatch(batch_refs, ts, vs, &report).ok());
  const std::vector<SampleError> want = {
      {0, StatusCode::kOutOfOrder},       // older than the committed 100
      {3, StatusCode::kNotFound},         // unknown ref
      {5, StatusCode::kOutOfOrder},       // older than b's pending 10
      {6, StatusCode::kNotFound},         // ref 0
      {7, StatusCode::kDuplicateSample},  // t=200 pending with value 2
  };
  EXPECT_EQ(report.errors, want);
  // Index 4 is an exact duplicate of index 1: accepted as a no-op.
  EXPECT_EQ(report.appended, 5u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head_, "s0"),
            (std::vector<Sample>{{0, 0}, {100, 1}, {200, 2}, {300, 3}}));
  EXPECT_EQ(SamplesOf(head_, "s1"),
            (std::vector<Sample>{{0, 0}, {10, 3}, {20, 7}}));
  EXPECT_EQ(head_->counters().out_of_order.load(), 2);
  EXPECT_EQ(head_->counters().duplicates.load(), 1);
}

TEST_F(HeadAppendBatchTest, OutOfBoundsIsPerSample) {
  const std::vector<SeriesRef> refs = CreateSeries(head_, 2);
  const int64_t now = 10 * int64_t{3600 * 1000};
  auto app = NewAppender(head_);
  ASSERT_TRUE(app->Append(refs[0], now, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  // Older than newest - chunk_range/2 (1 h) is out of bounds.
  const std::vector<SeriesRef> r = {refs[1], refs[1]};
  const std::vector<int64_t> ts = {now - 3600 * 1000 - 1, now};
  const std::vector<double> vs = {1, 2};
  AppendBatchReport report;
  ASSERT_TRUE(app->AppendBatch(r, ts, vs, &report).ok());
  EXPECT_EQ(report.errors,
            (std::vector<SampleError>{{0, StatusCode::kOutOfBounds}}));
  EXPECT_EQ(report.appended, 1u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head_, "s1"), (std::vector<Sample>{{0, 0}, {now, 2}}));
}

// A long batch over many series (longer than the prefetch distances) gives
// exactly what appending the same samples one at a time gives.
TEST_F(HeadAppendBatchTest, SameOutcomeAsOneAtATime) {
  constexpr int kSeries = 37;
  auto one_head = std::make_shared<Head>(HeadOptions{});
  const std::vector<SeriesRef> refs = CreateSeries(head_, kSeries);
  ASSERT_EQ(CreateSeries(one_head, kSeries), refs);

  std::vector<SeriesRef> batch_refs;
  std::vector<int64_t> ts;
  std::vector<double> vs;
  uint64_t x = 12345;
  for (int i = 0; i < 2000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const int s = static_cast<int>((x >> 33) % (kSeries + 2));
    // Two out of kSeries + 2 are unknown refs.
    batch_refs.push_back(s < kSeries ? refs[s] : 100000 + s);
    // Mostly increasing per series, sometimes back in time or repeated.
    ts.push_back(i * 10 - static_cast<int64_t>((x >> 20) % 4) * 30);
    vs.push_back(static_cast<double>((x >> 40) % 3));
  }
  AppendBatchReport report;
  auto batch_app = NewAppender(head_);
  ASSERT_TRUE(batch_app->AppendBatch(batch_refs, ts, vs, &report).ok());

  std::vector<SampleError> want;
  auto one_app = NewAppender(one_head);
  for (size_t i = 0; i < batch_refs.size(); ++i) {
    auto r = one_app->Append(batch_refs[i], ts[i], vs[i]);
    if (!r.ok()) want.push_back({i, r.status().code()});
  }
  EXPECT_EQ(report.errors, want);
  EXPECT_EQ(report.appended + report.errors.size(), batch_refs.size());
  EXPECT_GT(report.errors.size(), 0u);
  EXPECT_EQ(batch_app->pending(), one_app->pending());
  ASSERT_TRUE(batch_app->Commit().ok());
  ASSERT_TRUE(one_app->Commit().ok());
  for (int s = 0; s < kSeries; ++s) {
    const std::string name = "s" + std::to_string(s);
    EXPECT_EQ(SamplesOf(head_, name), SamplesOf(one_head, name)) << name;
  }
}

TEST_F(HeadAppendBatchTest, RollbackDropsTheBatch) {
  const std::vector<SeriesRef> refs = CreateSeries(head_, 3);
  auto app = NewAppender(head_);
  const std::vector<int64_t> ts = {10, 10, 10};
  const std::vector<double> vs = {1, 2, 3};
  AppendBatchReport report;
  ASSERT_TRUE(app->AppendBatch(refs, ts, vs, &report).ok());
  EXPECT_EQ(app->pending(), 3u);
  app->Rollback();
  EXPECT_EQ(app->pending(), 0u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head_, "s2"), (std::vector<Sample>{{0, 0}}));
  // The same timestamps with other values are accepted afterwards: the
  // rolled-back samples left nothing pending behind.
  const std::vector<double> other = {4, 5, 6};
  ASSERT_TRUE(app->AppendBatch(refs, ts, other, &report).ok());
  EXPECT_TRUE(report.errors.empty());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(head_, "s2"), (std::vector<Sample>{{0, 0}, {10, 6}}));
}

TEST_F(HeadAppendBatchTest, SpansOfDifferentLengthsAddNothing) {
  const std::vector<SeriesRef> refs = CreateSeries(head_, 2);
  auto app = NewAppender(head_);
  const std::vector<int64_t> ts = {10};
  const std::vector<double> vs = {1, 2};
  AppendBatchReport report;
  report.appended = 7;
  EXPECT_EQ(app->AppendBatch(refs, ts, vs, &report).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(report.appended, 0u);
  EXPECT_EQ(app->pending(), 0u);
}

TEST_F(HeadAppendBatchTest, EmptyBatchIsANoOp) {
  auto app = NewAppender(head_);
  AppendBatchReport report;
  ASSERT_TRUE(app->AppendBatch({}, {}, {}, &report).ok());
  EXPECT_EQ(report.appended, 0u);
  EXPECT_EQ(app->pending(), 0u);
}

}  // namespace
}  // namespace strata
