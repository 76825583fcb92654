// SampleIterator::ReadFloats over the DB's iterators: runs of floats read
// with it (any run length, any maxt) give exactly the samples Next() and
// the accessors give, across chunk boundaries, a run of native histograms
// in the middle, deleted intervals, and a series merged from the in-order
// and the out-of-order head (MergingIterator over two parts).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/db.h"
#include "temp_dir.h"

namespace strata {
namespace {

constexpr int64_t kStep = 1000;

// One sample as read: a float, or a histogram (its count).
struct Read {
  int64_t t;
  bool histogram;
  double value;
  bool operator==(const Read&) const = default;
};

Read Current(const SampleIterator& it) {
  if (it.value_type() == SampleValueType::kFloat)
    return {it.t(), false, it.v()};
  return {it.t(), true, it.float_histogram().count};
}

// Every sample from `from` to `maxt`, one Next() at a time.
std::vector<Read> ByNext(SampleIterator& it, int64_t from, int64_t maxt) {
  std::vector<Read> out;
  for (bool ok = it.Seek(from); ok && it.t() <= maxt; ok = it.Next()) {
    out.push_back(Current(it));
  }
  return out;
}

// The same through ReadFloats runs of at most `run` samples, histograms
// (and the sample that stops a run) through the accessors.
std::vector<Read> ByRuns(SampleIterator& it, int64_t from, int64_t maxt,
                         size_t run) {
  std::vector<Read> out;
  std::vector<int64_t> ts(run);
  std::vector<double> vs(run);
  bool ok = it.Seek(from);
  while (ok) {
    bool more = false;
    const size_t n = it.ReadFloats(maxt, ts.data(), vs.data(), run, &more);
    for (size_t i = 0; i < n; ++i) out.push_back({ts[i], false, vs[i]});
    if (n > 0) {
      ok = more;
      continue;
    }
    EXPECT_TRUE(more);
    if (it.t() > maxt) break;
    EXPECT_EQ(it.value_type(), SampleValueType::kHistogram);
    out.push_back(Current(it));
    ok = it.Next();
  }
  EXPECT_TRUE(it.status().ok()) << it.status().ToString();
  return out;
}

Histogram Counter(int64_t k) {
  Histogram h;
  h.schema = 0;
  h.zero_threshold = 0.001;
  h.zero_count = static_cast<uint64_t>(k);
  h.count = static_cast<uint64_t>(2 * k);
  h.sum = static_cast<double>(k);
  h.positive_spans = {{0, 1}};
  h.positive_buckets = {k};
  return h;
}

class ReadFloatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.block_duration_ms = 100LL * 365 * 24 * 3600 * 1000;
    options.retention_ms = 0;
    options.background_compaction = false;
    options.enable_native_histograms = true;
    options.out_of_order_time_window_ms = 3600 * 1000;
    auto db = DB::Open(options, dir_.path());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = *std::move(db);
  }

  // Checks ByRuns against ByNext for `labels` over several runs and maxts.
  void ExpectSameReads(const Labels& labels, int64_t last) {
    for (const size_t run : {1, 2, 7, 120, 1000}) {
      for (const int64_t maxt : {last, last / 2, 250 * kStep, 305 * kStep}) {
        SCOPED_TRACE("run " + std::to_string(run) + " maxt " +
                     std::to_string(maxt));
        auto q = db_->NewQuerier(0, last);
        ASSERT_TRUE(q.ok());
        auto set = (*q)->Select({Matcher::Equal("__name__", "m")});
        bool found = false;
        while (set->Next()) {
          if (set->At().labels() != labels) continue;
          found = true;
          auto a = set->At().NewIterator();
          auto b = set->At().NewIterator();
          const std::vector<Read> want = ByNext(*a, 10 * kStep, maxt);
          EXPECT_FALSE(want.empty());
          EXPECT_EQ(ByRuns(*b, 10 * kStep, maxt, run), want);
        }
        EXPECT_TRUE(found);
      }
    }
  }

  strata::testing::TempDir dir_{"strata-read-floats"};
  std::unique_ptr<DB> db_;
};

TEST_F(ReadFloatsTest, FloatsHistogramsAndDeletions) {
  const Labels labels = Labels::Of({{"__name__", "m"}, {"case", "mixed"}});
  auto app = db_->NewAppender();
  for (int64_t i = 0; i < 600; ++i) {
    if (i >= 300 && i < 320) {
      const Histogram h = Counter(i);
      ASSERT_TRUE(app->AppendHistogram(labels, i * kStep, &h, nullptr).ok());
    } else {
      ASSERT_TRUE(app->Append(labels, i * kStep, 0.5 * i).ok());
    }
  }
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE(db_->DeleteSeries({Matcher::Equal("case", "mixed")}, 100 * kStep,
                                130 * kStep)
                  .ok());
  ExpectSameReads(labels, 599 * kStep);
}

TEST_F(ReadFloatsTest, MergedInOrderAndOutOfOrder) {
  const Labels labels = Labels::Of({{"__name__", "m"}, {"case", "ooo"}});
  auto app = db_->NewAppender();
  for (int64_t i = 0; i < 600; i += 2) {
    ASSERT_TRUE(app->Append(labels, i * kStep, i).ok());
  }
  ASSERT_TRUE(app->Commit().ok());
  // The odd timestamps arrive late: the out-of-order head keeps them.
  app = db_->NewAppender();
  for (int64_t i = 1; i < 600; i += 2) {
    ASSERT_TRUE(app->Append(labels, i * kStep, i).ok());
  }
  ASSERT_TRUE(app->Commit().ok());
  ExpectSameReads(labels, 599 * kStep);
}

}  // namespace
}  // namespace strata
