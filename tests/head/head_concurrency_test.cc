// Many appender threads with concurrent readers. Run under ThreadSanitizer
// with `make tsan`.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "head/head.h"
#include "head/head_appender.h"
#include "query/block_querier.h"

namespace strata {
namespace {

TEST(HeadConcurrencyTest, WritersAndReaders) {
  auto head = std::make_shared<Head>(HeadOptions{});
  constexpr int kWriters = 4;
  constexpr int kSeriesPerWriter = 200;
  constexpr int kRounds = 60;
  std::atomic<bool> done{false};
  std::atomic<int64_t> reads{0};

  auto writer = [&](int w) {
    HeadAppender app(head.get(), nullptr);
    std::vector<SeriesRef> refs(kSeriesPerWriter, 0);
    for (int round = 0; round < kRounds; ++round) {
      for (int s = 0; s < kSeriesPerWriter; ++s) {
        const int64_t t = round * 15000LL;
        if (refs[s] == 0) {
          // Half the series are shared between writers (same labels).
          Labels l = Labels::Of({{"__name__", "m"},
                                 {"writer", s % 2 ? absl::StrCat(w) : "shared"},
                                 {"s", absl::StrCat(s)}});
          auto ref = app.Append(l, t, round);
          if (ref.ok()) refs[s] = *ref;
        } else {
          (void)app.Append(refs[s], t, round);
        }
      }
      ASSERT_TRUE(app.Commit().ok());
    }
  };
  auto reader = [&]() {
    // At least one full read, even if the writers finish first.
    do {
      BlockQuerier q({head}, kMinTime, kMaxTime);
      auto set = q.Select({Matcher::Equal("__name__", "m")}, {});
      int64_t last_t = -1;
      while (set->Next()) {
        auto it = set->At().NewIterator();
        last_t = -1;
        while (it->Next()) {
          ASSERT_GT(it->t(), last_t);
          last_t = it->t();
        }
        ASSERT_TRUE(it->status().ok());
      }
      ASSERT_TRUE(set->status().ok());
      reads.fetch_add(1);
    } while (!done.load());
  };

  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) threads.emplace_back(writer, w);
  std::thread r1(reader), r2(reader);
  for (auto& t : threads) t.join();
  done = true;
  r1.join();
  r2.join();
  EXPECT_GT(reads.load(), 0);

  // Every private series has every round; shared ones too (duplicates from
  // other writers are exact and collapse).
  BlockQuerier q({head}, kMinTime, kMaxTime);
  auto set = q.Select({Matcher::Equal("__name__", "m")}, {});
  int series = 0;
  while (set->Next()) {
    ++series;
    auto it = set->At().NewIterator();
    int n = 0;
    while (it->Next()) ++n;
    EXPECT_EQ(n, kRounds) << set->At().labels().ToString();
  }
  EXPECT_EQ(series, kWriters * kSeriesPerWriter / 2 + kSeriesPerWriter / 2);
  EXPECT_EQ(head->NumSeries(), static_cast<size_t>(series));
}

}  // namespace
}  // namespace strata
