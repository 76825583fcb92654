// CircularExemplarStorage against Prometheus 2.42's tsdb/exemplar.go
// semantics: one shared ring, oldest evicted first, per-series order,
// duplicates as no-ops, the 128-character label limit, Resize.
#include "head/exemplar_storage.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace {

Exemplar Ex(int64_t t, double v, std::string trace = "") {
  Exemplar e;
  e.t_ms = t;
  e.value = v;
  if (!trace.empty()) e.labels = Labels::Of({{"trace_id", trace}});
  return e;
}

Labels Series(std::string_view name) {
  return Labels::Of({{"__name__", name}});
}

std::vector<std::vector<Matcher>> All() {
  return {{Matcher::NotEqual("__name__", "")}};
}

// "name:t,t,...;" per series, in Select's order.
std::string Dump(const std::vector<ExemplarSeries>& result) {
  std::string out;
  for (const ExemplarSeries& s : result) {
    out += std::string(s.series_labels.MetricName()) + ":";
    for (size_t i = 0; i < s.exemplars.size(); ++i) {
      out += (i > 0 ? "," : "") + std::to_string(s.exemplars[i].t_ms);
    }
    out += ";";
  }
  return out;
}

TEST(ExemplarStorageTest, RingEvictsOldestAcrossSeries) {
  CircularExemplarStorage storage(3);
  ASSERT_TRUE(storage.Add(Series("a"), Ex(1, 1)).ok());
  ASSERT_TRUE(storage.Add(Series("b"), Ex(2, 1)).ok());
  ASSERT_TRUE(storage.Add(Series("a"), Ex(3, 1)).ok());
  EXPECT_EQ(Dump(storage.Select(0, 100, All())), "a:1,3;b:2;");
  // The fourth overwrites a@1, the fifth b@2 (b leaves the index).
  ASSERT_TRUE(storage.Add(Series("c"), Ex(4, 1)).ok());
  EXPECT_EQ(Dump(storage.Select(0, 100, All())), "a:3;b:2;c:4;");
  ASSERT_TRUE(storage.Add(Series("a"), Ex(5, 1)).ok());
  EXPECT_EQ(Dump(storage.Select(0, 100, All())), "a:3,5;c:4;");
  const ExemplarStats stats = storage.Stats();
  EXPECT_EQ(stats.appended, 5);
  EXPECT_EQ(stats.in_storage, 3);
  EXPECT_EQ(stats.series_in_storage, 2);
  EXPECT_EQ(stats.max_exemplars, 3);
  EXPECT_DOUBLE_EQ(stats.oldest_timestamp_seconds, 0.003);
}

TEST(ExemplarStorageTest, OneSlotRingKeepsOnlyTheNewest) {
  CircularExemplarStorage storage(1);
  ASSERT_TRUE(storage.Add(Series("a"), Ex(1, 1)).ok());
  ASSERT_TRUE(storage.Add(Series("a"), Ex(2, 2)).ok());
  EXPECT_EQ(Dump(storage.Select(0, 100, All())), "a:2;");
  ASSERT_TRUE(storage.Add(Series("b"), Ex(1, 2)).ok());
  EXPECT_EQ(Dump(storage.Select(0, 100, All())), "b:1;");
}

TEST(ExemplarStorageTest, OutOfOrderAndDuplicates) {
  CircularExemplarStorage storage(10);
  ASSERT_TRUE(storage.Add(Series("a"), Ex(10, 1, "x")).ok());
  // Equal to the newest: a no-op, not counted.
  EXPECT_TRUE(storage.Add(Series("a"), Ex(10, 1, "x")).ok());
  EXPECT_EQ(storage.Validate(Series("a"), Ex(10, 1, "x")).code(),
            StatusCode::kDuplicateSample);
  // Same time, other value: out of order (counted by Add only).
  EXPECT_EQ(storage.Validate(Series("a"), Ex(10, 2, "x")).code(),
            StatusCode::kOutOfOrder);
  EXPECT_EQ(storage.Add(Series("a"), Ex(10, 2, "x")).code(),
            StatusCode::kOutOfOrder);
  EXPECT_EQ(storage.Add(Series("a"), Ex(9, 1, "y")).code(),
            StatusCode::kOutOfOrder);
  // Another series is independent.
  EXPECT_TRUE(storage.Add(Series("b"), Ex(5, 1)).ok());
  const ExemplarStats stats = storage.Stats();
  EXPECT_EQ(stats.appended, 2);
  EXPECT_EQ(stats.out_of_order, 2);
  // Without timestamps, equal labels and value are duplicates whatever t.
  Exemplar no_ts = Ex(20, 3, "z");
  no_ts.has_timestamp = false;
  ASSERT_TRUE(storage.Add(Series("c"), no_ts).ok());
  no_ts.t_ms = 30;
  EXPECT_EQ(storage.Validate(Series("c"), no_ts).code(),
            StatusCode::kDuplicateSample);
}

TEST(ExemplarStorageTest, LabelSetLengthLimitCountsCharacters) {
  CircularExemplarStorage storage(10);
  // "trace_id" is 8 characters; 120 two-byte characters make 128.
  std::string value;
  for (int i = 0; i < 120; ++i) value += "\xc3\xa9";  // é
  EXPECT_TRUE(storage.Add(Series("a"), Ex(1, 1, value)).ok());
  Status st = storage.Add(Series("a"), Ex(2, 1, value + "x"));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), CircularExemplarStorage::kLabelLengthMessage);
}

TEST(ExemplarStorageTest, DisabledStoresNothing) {
  CircularExemplarStorage storage(0);
  EXPECT_EQ(storage.Add(Series("a"), Ex(1, 1)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(storage.Select(0, 100, All()).empty());
  EXPECT_EQ(storage.Stats().max_exemplars, 0);
}

TEST(ExemplarStorageTest, SelectFiltersByTimeAndMatcherSets) {
  CircularExemplarStorage storage(10);
  for (int t = 1; t <= 4; ++t) {
    ASSERT_TRUE(storage.Add(Series("a"), Ex(t * 10, t)).ok());
    ASSERT_TRUE(storage.Add(Series("b"), Ex(t * 10 + 1, t)).ok());
  }
  EXPECT_EQ(Dump(storage.Select(20, 31, All())), "a:20,30;b:21,31;");
  EXPECT_EQ(Dump(storage.Select(42, 100, All())), "");
  EXPECT_EQ(Dump(storage.Select(0, 100, {{Matcher::Equal("__name__", "b")}})),
            "b:11,21,31,41;");
  // Sets are alternatives; no set selects nothing.
  EXPECT_EQ(Dump(storage.Select(0, 15,
                                {{Matcher::Equal("__name__", "b")},
                                 {Matcher::Equal("__name__", "a")}})),
            "a:10;b:11;");
  EXPECT_EQ(Dump(storage.Select(0, 100, {})), "");
}

TEST(ExemplarStorageTest, ResizeKeepsTheNewest) {
  CircularExemplarStorage storage(4);
  for (int t = 1; t <= 6; ++t) {
    ASSERT_TRUE(storage.Add(Series(t % 2 ? "a" : "b"), Ex(t, t)).ok());
  }
  EXPECT_EQ(Dump(storage.Select(0, 100, All())), "a:3,5;b:4,6;");
  EXPECT_EQ(storage.Resize(2), 2);
  EXPECT_EQ(Dump(storage.Select(0, 100, All())), "a:5;b:6;");
  EXPECT_EQ(storage.Resize(5), 2);
  ASSERT_TRUE(storage.Add(Series("a"), Ex(7, 7)).ok());
  EXPECT_EQ(Dump(storage.Select(0, 100, All())), "a:5,7;b:6;");
  EXPECT_EQ(storage.Stats().in_storage, 3);
  EXPECT_EQ(storage.Resize(0), 0);
  EXPECT_TRUE(storage.Select(0, 100, All()).empty());
  EXPECT_EQ(storage.Stats().series_in_storage, 0);
}

TEST(ExemplarStorageTest, ForEachVisitsOldestFirst) {
  CircularExemplarStorage storage(3);
  for (int t = 1; t <= 4; ++t) {
    ASSERT_TRUE(storage.Add(Series("a"), Ex(t, t)).ok());
  }
  std::vector<int64_t> seen;
  storage.ForEach(
      [&](const Labels&, const Exemplar& e) { seen.push_back(e.t_ms); });
  EXPECT_EQ(seen, (std::vector<int64_t>{2, 3, 4}));
}

// The ring's slots are allocated as first written: a ring not yet full
// reports, lists, resizes and wraps as a full-size one would.
TEST(ExemplarStorageTest, RingNotYetFull) {
  CircularExemplarStorage storage(4);
  ExemplarStats stats = storage.Stats();
  EXPECT_EQ(stats.max_exemplars, 4);
  EXPECT_EQ(stats.in_storage, 0);
  ASSERT_TRUE(storage.Add(Series("a"), Ex(10, 1)).ok());
  ASSERT_TRUE(storage.Add(Series("b"), Ex(20, 1)).ok());
  stats = storage.Stats();
  EXPECT_EQ(stats.in_storage, 2);
  EXPECT_DOUBLE_EQ(stats.oldest_timestamp_seconds, 0.010);
  std::vector<int64_t> seen;
  storage.ForEach(
      [&](const Labels&, const Exemplar& e) { seen.push_back(e.t_ms); });
  EXPECT_EQ(seen, (std::vector<int64_t>{10, 20}));
  // Growing and shrinking a ring that is not full keeps its exemplars.
  EXPECT_EQ(storage.Resize(8), 2);
  EXPECT_EQ(storage.Resize(3), 2);
  ASSERT_TRUE(storage.Add(Series("a"), Ex(30, 1)).ok());
  ASSERT_TRUE(storage.Add(Series("c"), Ex(40, 1)).ok());  // Evicts a@10.
  EXPECT_EQ(Dump(storage.Select(0, 100, All())), "a:30;b:20;c:40;");
  stats = storage.Stats();
  EXPECT_EQ(stats.in_storage, 3);
  EXPECT_EQ(stats.max_exemplars, 3);
  EXPECT_DOUBLE_EQ(stats.oldest_timestamp_seconds, 0.020);
}

}  // namespace
}  // namespace strata
