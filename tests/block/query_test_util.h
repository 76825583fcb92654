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
    if (app.pending() >= batch) {
      ASSERT_TRUE(app.Commit().ok());
    }
  }
  ASSERT_TRUE(app.Commit().ok());
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_BLOCK_QUERY_TEST_UTIL_H_
