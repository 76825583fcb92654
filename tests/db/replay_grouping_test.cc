// The WAL replay appends samples grouped by series (db/series_grouping.h):
// whatever the workers, every series ends with the chunks, append state
// and rejections that appending its samples one by one in WAL order gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "db/wal_head_loader.h"
#include "head/head.h"
#include "wal/record.h"

namespace strata {
namespace {

constexpr int kSeries = 2000;
constexpr int kRounds = 60;

Labels SeriesLabels(int i) {
  return Labels::Of({{"__name__", "m"}, {"i", std::to_string(i)}});
}

// Round r gives every series a sample, in a shuffled order, split over
// two records. Some series get a timestamp older than their previous one
// (out of order) or the previous one again with another value (a
// conflict) or the same value (a duplicate).
std::vector<std::vector<wal::RefSample>> Rounds() {
  std::mt19937 rng(42);
  std::vector<int> order(kSeries);
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::vector<wal::RefSample>> records;
  for (int r = 0; r < kRounds; ++r) {
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<wal::RefSample> first, second;
    for (int k = 0; k < kSeries; ++k) {
      const int i = order[k];
      int64_t t = int64_t{r} * 15000 + i % 1000;
      double v = r * 10.0 + i;
      if (r > 2 && i % 7 == 0 && r % 5 == 3) t -= 30000;
      if (r > 0 && i % 11 == 0 && r % 4 == 1) t -= 15000;
      if (r > 0 && i % 13 == 0 && r % 6 == 2) {
        t -= 15000;
        v = (r - 1) * 10.0 + i;
      }
      (k < kSeries / 2 ? first : second)
          .push_back({static_cast<uint64_t>(i + 1), t, v});
    }
    records.push_back(std::move(first));
    records.push_back(std::move(second));
  }
  return records;
}

// A series' chunks and append state, as bytes to compare.
std::string StateOf(const MemSeries* s) {
  std::string out;
  SeriesStateView scratch;
  const Status st =
      s->ViewState(&scratch, nullptr, [&](const SeriesStateView& v) {
        for (const SeriesChunkView& c : v.closed) {
          out += std::to_string(c.mint) + "-" + std::to_string(c.maxt) + ":";
          out.append(c.bytes);
        }
        out += "|open:";
        if (v.has_open) out.append(v.open.bytes);
        out += "|max:" + std::to_string(v.max_time);
      });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST(ReplayGroupingTest, GroupedReplayGivesTheChunksOfWalOrder) {
  const std::vector<std::vector<wal::RefSample>> records = Rounds();

  // The reference: one sample at a time, in WAL order.
  Head reference(HeadOptions{});
  std::vector<MemSeries*> by_index;
  for (int i = 0; i < kSeries; ++i) {
    bool created = false;
    by_index.push_back(reference.GetOrCreate(SeriesLabels(i), &created));
  }
  int64_t rejected = 0;
  int64_t appended = 0;
  for (const std::vector<wal::RefSample>& record : records) {
    for (const wal::RefSample& s : record) {
      const AppendOutcome o =
          reference.AppendSample(by_index[s.ref - 1], s.t, s.v);
      if (o == AppendOutcome::kAppended || o == AppendOutcome::kDuplicate) {
        ++appended;
      } else {
        ++rejected;
      }
    }
  }
  ASSERT_GT(rejected, 0);

  std::vector<wal::RefSeries> series;
  for (int i = 0; i < kSeries; ++i) {
    series.push_back({static_cast<uint64_t>(i + 1), SeriesLabels(i)});
  }
  std::string series_record;
  wal::EncodeSeries(series, &series_record);
  for (const int workers : {0, 2, 3}) {
    Head head(HeadOptions{});
    WalHeadLoader loader(&head, kMinTime, workers);
    ASSERT_TRUE(loader.OnRecord(series_record).ok());
    for (const std::vector<wal::RefSample>& record : records) {
      std::string encoded;
      wal::EncodeSamples(record, &encoded);
      ASSERT_TRUE(loader.OnRecord(encoded).ok());
    }
    ASSERT_TRUE(loader.Finish().ok());
    EXPECT_EQ(loader.counts().samples, appended) << workers;
    EXPECT_EQ(loader.counts().samples_rejected, rejected) << workers;
    for (int i = 0; i < kSeries; ++i) {
      const MemSeries* replayed = head.GetById(static_cast<SeriesId>(i + 1));
      ASSERT_NE(replayed, nullptr) << i;
      ASSERT_EQ(StateOf(replayed), StateOf(by_index[i]))
          << "series " << i << ", workers " << workers;
    }
  }
}

}  // namespace
}  // namespace strata
