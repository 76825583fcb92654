// SeriesGrouper: a window of replayed samples comes back as a permutation
// of itself, grouped by the high bits of the series id (256 ids a group
// below 262,144 ids), each series' samples in their original order.
#include "db/series_grouping.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace strata {
namespace {

// Sample k of series `id`: the test reads both back from t (the series
// pointer is never dereferenced by the grouper).
constexpr int64_t kPerSeries = 1'000'000;

struct Window {
  std::vector<HeadSample> samples;
  std::vector<uint32_t> ids;
};

Window RandomWindow(size_t n, uint32_t max_id, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<uint32_t> pick(0, max_id);
  std::map<uint32_t, int64_t> next;
  Window w;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t id = pick(rng);
    const int64_t k = next[id]++;
    w.samples.push_back({nullptr, id * kPerSeries + k, static_cast<double>(k)});
    w.ids.push_back(id);
  }
  return w;
}

uint32_t IdOf(const HeadSample& s) {
  return static_cast<uint32_t>(s.t / kPerSeries);
}

TEST(SeriesGrouperTest, GroupsByIdKeepingEachSeriesInOrder) {
  SeriesGrouper grouper;
  for (const uint32_t max_id : {300u, 5000u, 200000u}) {
    Window w = RandomWindow(50000, max_id, max_id);
    const std::vector<HeadSample> before = w.samples;
    grouper.Group(&w.samples, w.ids);
    ASSERT_EQ(w.samples.size(), before.size());
    // A permutation: the same (id, k) pairs.
    std::vector<int64_t> a, b;
    for (const HeadSample& s : before) a.push_back(s.t);
    for (const HeadSample& s : w.samples) b.push_back(s.t);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b) << max_id;
    // Each series in order, groups of 256 ids one after another.
    std::map<uint32_t, int64_t> seen;
    for (size_t i = 0; i < w.samples.size(); ++i) {
      const uint32_t id = IdOf(w.samples[i]);
      const auto [it, first] = seen.emplace(id, w.samples[i].t);
      if (!first) {
        EXPECT_GT(w.samples[i].t, it->second) << max_id << " id " << id;
        it->second = w.samples[i].t;
      }
      if (i > 0) {
        EXPECT_LE(IdOf(w.samples[i - 1]) >> 8, id >> 8) << max_id << " @" << i;
      }
    }
  }
}

TEST(SeriesGrouperTest, OneGroupStaysAsItIs) {
  SeriesGrouper grouper;
  Window w = RandomWindow(1000, 255, 7);
  const std::vector<HeadSample> before = w.samples;
  grouper.Group(&w.samples, w.ids);
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(w.samples[i].t, before[i].t) << i;
  }
}

}  // namespace
}  // namespace strata
