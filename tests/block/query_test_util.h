// Helpers of the end-to-end block tests: filling a head, and reading
// everything back through the querier.
#ifndef STRATA_TESTS_BLOCK_QUERY_TEST_UTIL_H_
#define STRATA_TESTS_BLOCK_QUERY_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "block_test_util.h"
#include "head/head.h"
#include "head/head_appender.h"
#include "index/reader.h"
#include "query/block_querier.h"
#include "strata/labels.h"

namespace strata::testing {

using SeriesSamples = std::map<Labels, std::vector<TV>>;

// Every series and sample with mint <= t <= maxt of the blocks, merged as
// the querier merges them.
inline SeriesSamples ReadAll(
    std::vector<std::shared_ptr<const BlockReader>> blocks,
    int64_t mint = kMinTime, int64_t maxt = kMaxTime) {
  SeriesSamples out;
  BlockQuerier q(std::move(blocks), mint, maxt);
  auto set = q.Select(
      {Matcher::Create(Matcher::Type::kRegexMatch, kMetricNameLabel, ".+")
           .value()},
      SelectHints{});
  while (set->Next()) {
    auto& v = out[set->At().labels()];
    auto it = set->At().NewIterator();
    while (it->Next()) v.push_back({it->t(), it->v()});
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  }
  EXPECT_TRUE(set->status().ok()) << set->status().ToString();
  return out;
}

inline size_t CountSamples(const SeriesSamples& s) {
  size_t n = 0;
  for (const auto& [l, v] : s) n += v.size();
  return n;
}

// Appends `samples` to the head in time order (the head refuses samples
// far behind its newest one), committing every `batch` samples.
inline void FillHead(Head* head, const SeriesSamples& samples,
                     size_t batch = 10000) {
  std::vector<std::pair<int64_t, std::pair<const Labels*, double>>> all;
  for (const auto& [l, v] : samples) {
    for (const TV& s : v) all.push_back({s.t, {&l, s.v}});
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first < b.first;
  });
  HeadAppender app(head, nullptr);
  for (const auto& [t, lv] : all) {
    auto ref = app.Append(*lv.first, t, lv.second);
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    if (app.pending() >= batch) ASSERT_TRUE(app.Commit().ok());
  }
  ASSERT_TRUE(app.Commit().ok());
}

// Synthetic series: `n` series of job/instance labels, one sample every
// `step` ms in [start, end), values a mix of counters and gauges.
inline SeriesSamples MakeSeries(int n, int64_t start, int64_t end, int64_t step,
                                uint32_t seed = 1) {
  SeriesSamples out;
  for (int i = 0; i < n; ++i) {
    Labels l = Labels::Of({{"__name__", i % 3 == 0 ? "up" : "requests_total"},
                           {"instance", "host-" + std::to_string(i)},
                           {"job", i % 2 == 0 ? "node" : "app"}});
    auto& v = out[l];
    double value = i;
    uint32_t x = seed * 2654435761u + static_cast<uint32_t>(i);
    for (int64_t t = start; t < end; t += step) {
      x = x * 1664525u + 1013904223u;
      value += (i % 3 == 0) ? 0 : static_cast<double>(x % 1000) / 10.0;
      v.push_back({t + static_cast<int64_t>(x % 7), value});
    }
  }
  return out;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_BLOCK_QUERY_TEST_UTIL_H_
