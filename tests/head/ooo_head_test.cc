// The out-of-order head: OooChunk ordering and duplicates, the appender's
// window (Prometheus 2.42's appendable), WBL records of the accepted
// samples only, query merge with the in-order head, chunk cuts at the cap,
// head truncation keeping series with out-of-order data, and TakeAll.
#include "head/ooo_head.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "head/head.h"
#include "head/head_appender.h"
#include "head/ooo_chunk.h"
#include "head/ooo_compaction_head.h"
#include "query/block_querier.h"
#include "wal/record.h"

namespace strata {
namespace {

constexpr int64_t kMinute = 60 * 1000;

struct S {
  int64_t t;
  double v;
  friend bool operator==(const S&, const S&) = default;
};

// Records every group logged, so tests see what went to the WBL; runs
// `during_next_log` (once) inside the next Log call, as if it happened
// while the log was written.
class RecordingLog : public CommitLog {
 public:
  Status Log(std::span<const std::string> records) override {
    if (during_next_log) std::exchange(during_next_log, nullptr)();
    for (const std::string& r : records) records_.push_back(r);
    return fail_ ? Status::IOError("injected") : Status::OK();
  }
  std::vector<wal::RefSample> Samples() const {
    std::vector<wal::RefSample> out;
    for (const std::string& r : records_) {
      if (wal::GetRecordType(r) != wal::RecordType::kSamples) continue;
      std::vector<wal::RefSample> s;
      EXPECT_TRUE(wal::DecodeSamples(r, &s).ok());
      out.insert(out.end(), s.begin(), s.end());
    }
    return out;
  }
  std::vector<std::string> records_;
  bool fail_ = false;
  std::function<void()> during_next_log;
};

TEST(OooChunkTest, InsertKeepsTimeOrderAndRefusesSameTimestamp) {
  OooChunk c;
  EXPECT_TRUE(c.Insert(50, 5));
  EXPECT_TRUE(c.Insert(10, 1));
  EXPECT_TRUE(c.Insert(30, 3));
  EXPECT_TRUE(c.Insert(60, 6));
  EXPECT_FALSE(c.Insert(30, 3));   // Same sample.
  EXPECT_FALSE(c.Insert(10, 99));  // Same timestamp, other value.
  ASSERT_EQ(c.size(), 4u);
  std::vector<int64_t> ts;
  for (const OooSample& s : c.samples()) ts.push_back(s.t);
  EXPECT_EQ(ts, (std::vector<int64_t>{10, 30, 50, 60}));
  EXPECT_EQ(c.mint(), 10);
  EXPECT_EQ(c.maxt(), 60);
  std::vector<OooSample> decoded;
  ASSERT_TRUE(DecodeXor(EncodeXor(c.samples()), &decoded));
  ASSERT_EQ(decoded.size(), 4u);
  EXPECT_EQ(decoded[2].t, 50);
  EXPECT_EQ(decoded[2].v, 5);
}

TEST(OooChunkTest, SortUniqueKeepsFirstOfEqualTimestamps) {
  std::vector<OooSample> s = {{5, 1}, {3, 2}, {5, 3}, {1, 4}};
  SortUnique(&s);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].t, 1);
  EXPECT_EQ(s[2].t, 5);
  EXPECT_EQ(s[2].v, 1);
}

class OooHeadTest : public ::testing::Test {
 protected:
  OooHeadTest() {
    HeadOptions o;
    o.out_of_order_time_window_ms = 30 * kMinute;
    o.out_of_order_cap_max = 4;
    head_ = std::make_shared<Head>(o);
  }

  std::unique_ptr<Appender> NewAppender() {
    return std::make_unique<HeadAppender>(head_.get(), &wal_, &wbl_);
  }

  // Appends one sample in its own batch; the Append's status code.
  StatusCode Add(const Labels& l, int64_t t, double v) {
    auto app = NewAppender();
    StatusOr<SeriesRef> r = app->Append(l, t, v);
    EXPECT_TRUE(app->Commit().ok());
    return r.ok() ? StatusCode::kOk : r.status().code();
  }

  // The merged samples of the series named `name` over head and OooHead.
  std::vector<S> Query(const char* name) {
    std::shared_ptr<const BlockReader> ooo(head_, &head_->ooo());
    BlockQuerier q({head_, ooo}, kMinTime, kMaxTime);
    auto set = q.Select({Matcher::Equal("__name__", name)}, {});
    std::vector<S> out;
    while (set->Next()) {
      auto it = set->At().NewIterator();
      while (it->Next()) out.push_back({it->t(), it->v()});
      EXPECT_TRUE(it->status().ok());
    }
    EXPECT_TRUE(set->status().ok());
    return out;
  }

  std::shared_ptr<Head> head_;
  RecordingLog wal_;
  RecordingLog wbl_;
  const Labels a_ = Labels::Of({{"__name__", "a"}});
};

TEST_F(OooHeadTest, AcceptsWithinWindowRefusesBeyondAndMerges) {
  const int64_t now = 100 * kMinute;
  ASSERT_EQ(Add(a_, now, 1), StatusCode::kOk);
  ASSERT_EQ(Add(a_, now - 10 * kMinute, 2), StatusCode::kOk);
  ASSERT_EQ(Add(a_, now - 30 * kMinute, 3), StatusCode::kOk);  // Edge.
  EXPECT_EQ(Add(a_, now - 30 * kMinute - 1, 4), StatusCode::kTooOldSample);
  ASSERT_EQ(Add(a_, now + kMinute, 5), StatusCode::kOk);  // In order.
  EXPECT_EQ(Query("a"), (std::vector<S>{{now - 30 * kMinute, 3},
                                        {now - 10 * kMinute, 2},
                                        {now, 1},
                                        {now + kMinute, 5}}));
  const HeadCounters& c = head_->counters();
  EXPECT_EQ(c.ooo_appended.load(), 2);
  EXPECT_EQ(c.too_old.load(), 1);
  EXPECT_EQ(c.out_of_order.load(), 0);
  EXPECT_EQ(c.samples_appended.load(), 4);
  // The out-of-order samples went to the WBL only, the others to the WAL.
  std::vector<int64_t> wbl_ts, wal_ts;
  for (const wal::RefSample& s : wbl_.Samples()) wbl_ts.push_back(s.t);
  for (const wal::RefSample& s : wal_.Samples()) wal_ts.push_back(s.t);
  EXPECT_EQ(wbl_ts,
            (std::vector<int64_t>{now - 10 * kMinute, now - 30 * kMinute}));
  EXPECT_EQ(wal_ts, (std::vector<int64_t>{now, now + kMinute}));
}

TEST_F(OooHeadTest, WindowZeroRefusesAsBefore) {
  head_->SetOutOfOrderTimeWindow(0);
  ASSERT_EQ(Add(a_, 10 * kMinute, 1), StatusCode::kOk);
  EXPECT_EQ(Add(a_, 9 * kMinute, 1), StatusCode::kOutOfOrder);
  EXPECT_EQ(head_->counters().out_of_order.load(), 1);
  EXPECT_TRUE(wbl_.records_.empty());
  // Turned on: new appenders accept it.
  head_->SetOutOfOrderTimeWindow(5 * kMinute);
  EXPECT_EQ(Add(a_, 9 * kMinute, 1), StatusCode::kOk);
  EXPECT_EQ(Add(a_, 4 * kMinute, 1), StatusCode::kTooOldSample);
}

TEST_F(OooHeadTest, DuplicatesAsPrometheus) {
  const int64_t now = 100 * kMinute;
  ASSERT_EQ(Add(a_, now, 1), StatusCode::kOk);
  // The newest in-order sample with another value: a duplicate error.
  EXPECT_EQ(Add(a_, now, 2), StatusCode::kDuplicateSample);
  ASSERT_EQ(Add(a_, now - kMinute, 7), StatusCode::kOk);
  // Same timestamp as an out-of-order sample: accepted and dropped, the
  // first value stays (Prometheus detects it only at commit, silently).
  EXPECT_EQ(Add(a_, now - kMinute, 8), StatusCode::kOk);
  EXPECT_EQ(Query("a"), (std::vector<S>{{now - kMinute, 7}, {now, 1}}));
  EXPECT_EQ(head_->counters().ooo_appended.load(), 1);
}

TEST_F(OooHeadTest, OutOfOrderWithinOneBatch) {
  const int64_t now = 100 * kMinute;
  ASSERT_EQ(Add(a_, now, 0), StatusCode::kOk);
  auto app = NewAppender();
  ASSERT_TRUE(app->Append(a_, now + 2000, 1).ok());
  ASSERT_TRUE(app->Append(a_, now + 1000, 2).ok());  // Before the pending.
  ASSERT_TRUE(app->Append(a_, now - 1000, 3).ok());
  EXPECT_EQ(app->pending(), 3u);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(Query("a"),
            (std::vector<S>{
                {now - 1000, 3}, {now, 0}, {now + 1000, 2}, {now + 2000, 1}}));
}

// A pending sample whose series head truncation removes while the WAL is
// written goes to a series of the same labels at commit
// (HeadAppender::CommitToRevivedSeries). If another batch has meanwhile
// appended a newer sample there, the pending one is out of order: within
// the window it goes to the WBL and the OooHead, as any overtaken sample.
TEST_F(OooHeadTest, OvertakenSampleOfARevivedSeriesGoesOutOfOrder) {
  ASSERT_EQ(Add(a_, 1000, 1), StatusCode::kOk);
  const int64_t now = 100 * kMinute;
  auto pending = NewAppender();
  ASSERT_TRUE(pending->Append(a_, now, 2).ok());
  int64_t removed = 0;
  wal_.during_next_log = [&] {
    removed = head_->Truncate(2000).series_removed;
    EXPECT_EQ(Add(a_, now + kMinute, 3), StatusCode::kOk);
  };
  ASSERT_TRUE(pending->Commit().ok());
  ASSERT_EQ(removed, 1);

  EXPECT_EQ(Query("a"), (std::vector<S>{{now, 2}, {now + kMinute, 3}}));
  const HeadCounters& c = head_->counters();
  EXPECT_EQ(c.out_of_order.load(), 0);
  EXPECT_EQ(c.ooo_appended.load(), 1);
  const std::vector<wal::RefSample> wbl = wbl_.Samples();
  ASSERT_EQ(wbl.size(), 1u);
  EXPECT_EQ(wbl[0].t, now);
  EXPECT_EQ(wbl[0].v, 2);
}

TEST_F(OooHeadTest, FailedWblWriteAppliesNothing) {
  const int64_t now = 100 * kMinute;
  ASSERT_EQ(Add(a_, now, 0), StatusCode::kOk);
  wbl_.fail_ = true;
  auto app = NewAppender();
  ASSERT_TRUE(app->Append(a_, now + 1000, 1).ok());
  ASSERT_TRUE(app->Append(a_, now - 1000, 2).ok());
  EXPECT_FALSE(app->Commit().ok());
  EXPECT_EQ(Query("a"), (std::vector<S>{{now, 0}}));
}

TEST_F(OooHeadTest, ChunksCutAtCapStayQueryableAndTakeAll) {
  const int64_t now = 100 * kMinute;
  ASSERT_EQ(Add(a_, now, 0), StatusCode::kOk);
  std::vector<S> want;
  // 10 samples in reverse order: cut at 4 samples, chunks overlap.
  for (int i = 10; i >= 1; --i) {
    ASSERT_EQ(Add(a_, now - i * 1000, i), StatusCode::kOk);
  }
  for (int i = 10; i >= 1; --i) want.push_back({now - i * 1000, double(i)});
  want.push_back({now, 0});
  EXPECT_EQ(Query("a"), want);
  EXPECT_EQ(head_->counters().ooo_chunks_created.load(), 2);
  EXPECT_EQ(head_->ooo().MinTime(), now - 10000);
  EXPECT_EQ(head_->ooo().MaxTime(), now - 1000);

  // Truncation past everything keeps the series: it has out-of-order data.
  head_->Truncate(now + 1);
  EXPECT_EQ(head_->NumSeries(), 1u);

  std::vector<OooTakenSeries> taken = head_->ooo().TakeAll();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].labels, a_);
  ASSERT_EQ(taken[0].samples.size(), 10u);
  EXPECT_EQ(taken[0].samples.front().t, now - 10000);
  EXPECT_FALSE(head_->ooo().Has(taken[0].id));
  EXPECT_EQ(head_->ooo().MaxTime(), kMinTime);

  OooCompactionHead compaction(std::move(taken));
  EXPECT_EQ(compaction.MinTime(), now - 10000);
  EXPECT_EQ(compaction.MaxTime(), now - 1000);
  BlockQuerier q({std::shared_ptr<const BlockReader>(
                     &compaction, [](const BlockReader*) {})},
                 kMinTime, kMaxTime);
  auto set = q.Select({Matcher::Equal("__name__", "a")}, {});
  ASSERT_TRUE(set->Next());
  auto it = set->At().NewIterator();
  int n = 0;
  while (it->Next()) ++n;
  EXPECT_EQ(n, 10);
  // Now the series goes with the next truncation.
  head_->Truncate(now + 1);
  EXPECT_EQ(head_->NumSeries(), 0u);
}

}  // namespace
}  // namespace strata
