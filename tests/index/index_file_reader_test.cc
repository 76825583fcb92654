// IndexFileReader over files written by IndexWriter: every lookup against
// the series that were written, matcher resolution, empty and large files.
#include "index/index_file_reader.h"

#include <chrono>
#include <map>
#include <random>
#include <set>

#include "gtest/gtest.h"
#include "index/postings_for_matchers.h"
#include "index_test_util.h"
#include "temp_dir.h"

namespace strata {
namespace {

using index_testing::MakeSeries;
using index_testing::SymbolsOf;
using index_testing::TestSeries;
using index_testing::ToVector;
using index_testing::WriteIndex;
using strata::testing::TempDir;

// What the written series say every lookup must return.
struct Expected {
  std::map<std::string, std::map<std::string, std::vector<uint32_t>>> postings;
  std::vector<uint32_t> all;

  Expected(const std::vector<TestSeries>& series,
           const std::vector<SeriesId>& ids) {
    for (size_t i = 0; i < series.size(); ++i) {
      all.push_back(ids[i]);
      for (const Label& l : series[i].labels) {
        postings[l.name][l.value].push_back(ids[i]);
      }
    }
  }
};

std::unique_ptr<IndexFileReader> OpenOrDie(const std::string& path) {
  auto r = IndexFileReader::Open(FileSystem::Default(), path);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

void CheckEverything(const IndexFileReader& r,
                     const std::vector<TestSeries>& series,
                     const std::vector<SeriesId>& ids) {
  const Expected want(series, ids);
  EXPECT_EQ(r.NumSeries(), series.size());
  EXPECT_TRUE(r.SortedByLabels());

  const std::vector<std::string> symbols = SymbolsOf(series);
  ASSERT_EQ(r.NumSymbols(), symbols.size());
  for (uint32_t i = 0; i < r.NumSymbols(); ++i) {
    ASSERT_EQ(r.Symbol(i), symbols[i]);
    uint32_t found = ~0u;
    EXPECT_TRUE(r.FindSymbol(symbols[i], &found));
    EXPECT_EQ(found, i);
  }
  uint32_t unused;
  EXPECT_FALSE(r.FindSymbol("\xff not a symbol", &unused));

  auto names = r.LabelNames();
  ASSERT_TRUE(names.ok());
  std::vector<std::string> want_names;
  for (const auto& [name, values] : want.postings) want_names.push_back(name);
  EXPECT_EQ(*names, want_names);

  for (const auto& [name, values] : want.postings) {
    auto got = r.LabelValues(name);
    ASSERT_TRUE(got.ok());
    std::vector<std::string> want_values;
    for (const auto& [value, list] : values) want_values.push_back(value);
    EXPECT_EQ(*got, want_values) << name;
    for (const auto& [value, list] : values) {
      auto p = r.PostingsFor(name, {value});
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      EXPECT_EQ(ToVector(*p), list) << name << "=" << value;
    }
  }
  auto none = r.LabelValues("no_such_label");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto p = r.PostingsFor("no_such_label", {"x"});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->isEmpty());

  auto all = r.AllPostings();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(ToVector(*all), want.all);

  for (size_t i = 0; i < series.size(); ++i) {
    Labels labels;
    std::vector<ChunkMeta> chunks;
    ASSERT_TRUE(r.Series(ids[i], &labels, &chunks).ok());
    EXPECT_EQ(labels, series[i].labels);
    ASSERT_EQ(chunks.size(), series[i].chunks.size());
    for (size_t c = 0; c < chunks.size(); ++c) {
      EXPECT_EQ(chunks[c].ref, series[i].chunks[c].ref);
      EXPECT_EQ(chunks[c].mint, series[i].chunks[c].mint);
      EXPECT_EQ(chunks[c].maxt, series[i].chunks[c].maxt);
    }
  }
  Status v = r.Verify();
  EXPECT_TRUE(v.ok()) << v.ToString();
}

class IndexFileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  TempDir dir_;
  std::string path_ = dir_.Join("index");
};

TEST_F(IndexFileReaderTest, RoundTripSmall) {
  const std::vector<TestSeries> series = MakeSeries(300);
  const std::vector<SeriesId> ids = WriteIndex(path_, series);
  ASSERT_EQ(ids.size(), series.size());
  auto r = OpenOrDie(path_);
  ASSERT_NE(r, nullptr);
  CheckEverything(*r, series, ids);
  EXPECT_EQ(r->FileSize(),
            static_cast<int64_t>(std::filesystem::file_size(path_)));
}

TEST_F(IndexFileReaderTest, SeriesOutsideTheIndexIsNotFound) {
  const std::vector<TestSeries> series = MakeSeries(5);
  const std::vector<SeriesId> ids = WriteIndex(path_, series);
  auto r = OpenOrDie(path_);
  ASSERT_NE(r, nullptr);
  Labels labels;
  std::vector<ChunkMeta> chunks;
  EXPECT_TRUE(r->Series(0, &labels, &chunks).IsNotFound());
  EXPECT_TRUE(r->Series(ids.back() + 1000, &labels, &chunks).IsNotFound());
  EXPECT_TRUE(r->Series(0xFFFFFFFF, &labels, &chunks).IsNotFound());
  // An id inside the section that is no series start is corrupt, not a
  // crash (the bytes there fail the CRC check).
  if (ids[1] - ids[0] > 1) {
    EXPECT_FALSE(r->Series(ids[0] + 1, &labels, &chunks).ok());
  }
  // Chunks may be skipped.
  EXPECT_TRUE(r->Series(ids[0], &labels, nullptr).ok());
  EXPECT_EQ(labels, series[0].labels);
}

TEST_F(IndexFileReaderTest, PostingsForManyValuesUsesSortedWalk) {
  // Label "id" has one value per series, so its run in the postings offset
  // table spans many samples.
  const std::vector<TestSeries> series = MakeSeries(3000, 7);
  const std::vector<SeriesId> ids = WriteIndex(path_, series);
  auto r = OpenOrDie(path_);
  ASSERT_NE(r, nullptr);
  std::map<std::string, uint32_t> by_id;
  for (size_t i = 0; i < series.size(); ++i) {
    by_id[std::string(series[i].labels.Get("id"))] = ids[i];
  }
  std::mt19937 rng(3);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string> values;
    std::set<uint32_t> want;
    const int n = 1 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) {
      switch (rng() % 4) {
        case 0:  // Absent: between or around existing values.
          values.push_back(std::to_string(rng() % 4000) + "x");
          break;
        case 1:
          values.push_back("");
          break;
        default: {
          auto it = by_id.begin();
          std::advance(it, rng() % by_id.size());
          values.push_back(it->first);
          want.insert(it->second);
        }
      }
    }
    if (round % 2 == 0) values.push_back(values.front());  // Duplicates.
    auto p = r->PostingsFor("id", values);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(ToVector(*p), std::vector<uint32_t>(want.begin(), want.end()));
  }
  // Before the first and after the last value.
  auto p = r->PostingsFor("id", {"", "!", "\xff"});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->isEmpty());
  // All values at once.
  std::vector<std::string> every;
  for (const auto& [v, id] : by_id) every.push_back(v);
  auto all = r->PostingsFor("id", every);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(ToVector(*all), ToVector(*r->AllPostings()));
}

Matcher MustMatcher(Matcher::Type t, std::string_view n, std::string_view v) {
  auto m = Matcher::Create(t, n, v);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

TEST_F(IndexFileReaderTest, PostingsForMatchersAgreesWithBruteForce) {
  const std::vector<TestSeries> series = MakeSeries(1500, 11);
  const std::vector<SeriesId> ids = WriteIndex(path_, series);
  auto r = OpenOrDie(path_);
  ASSERT_NE(r, nullptr);
  using T = Matcher::Type;
  const std::vector<std::vector<Matcher>> cases = {
      {Matcher::Equal("__name__", "metric_3")},
      {Matcher::Equal("__name__", "metric_3"), Matcher::Equal("job", "api")},
      {Matcher::Equal("job", "db"), Matcher::NotEqual("method", "get")},
      {Matcher::NotEqual("job", "db")},
      {Matcher::Equal("method", "")},  // Series without the label.
      {Matcher::NotEqual("method", "")},
      {Matcher::Equal("no_such", "")},
      {Matcher::Equal("no_such", "x")},
      {MustMatcher(T::kRegexMatch, "job", "api|node")},
      {MustMatcher(T::kRegexMatch, "instance", "host-1.*")},
      {MustMatcher(T::kRegexMatch, "le", ".*")},
      {MustMatcher(T::kRegexMatch, "le", ".+")},
      {MustMatcher(T::kRegexMatch, "le", "(1|2)\\.5|")},
      {MustMatcher(T::kRegexNoMatch, "job", "api|db")},
      {MustMatcher(T::kRegexNoMatch, "le", ".*")},
      {MustMatcher(T::kRegexNoMatch, "method", "")},
      {MustMatcher(T::kRegexMatch, "__name__", "metric_(1|2).*"),
       MustMatcher(T::kRegexNoMatch, "instance", ".*:9100"),
       Matcher::Equal("job", "prometheus")},
      {MustMatcher(T::kRegexMatch, "__name__", "metric_1.*"),
       MustMatcher(T::kRegexMatch, "id", "1.*3"),
       Matcher::NotEqual("job", "node")},
  };
  for (const std::vector<Matcher>& ms : cases) {
    std::string desc;
    for (const Matcher& m : ms) desc += m.ToString() + " ";
    auto got = PostingsForMatchers(*r, ms);
    ASSERT_TRUE(got.ok()) << desc << got.status().ToString();
    std::vector<uint32_t> want;
    for (size_t i = 0; i < series.size(); ++i) {
      if (MatchesAll(series[i].labels, ms)) want.push_back(ids[i]);
    }
    EXPECT_EQ(ToVector(*got), want) << desc;
  }
}

TEST_F(IndexFileReaderTest, EmptyIndex) {
  auto w = IndexWriter::Create(FileSystem::Default(), path_);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Finish().ok());
  auto r = OpenOrDie(path_);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->NumSeries(), 0u);
  EXPECT_EQ(r->NumSymbols(), 0u);
  EXPECT_TRUE(r->LabelNames()->empty());
  EXPECT_TRUE(r->LabelValues("a")->empty());
  EXPECT_TRUE(r->AllPostings()->isEmpty());
  EXPECT_TRUE(r->PostingsFor("a", {"b"})->isEmpty());
  auto m = PostingsForMatchers(*r, {Matcher::NotEqual("a", "b")});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->isEmpty());
  Labels labels;
  EXPECT_TRUE(r->Series(1, &labels, nullptr).IsNotFound());
  Status v = r->Verify();
  EXPECT_TRUE(v.ok()) << v.ToString();
}

TEST_F(IndexFileReaderTest, SymbolsWithoutSeries) {
  auto w = IndexWriter::Create(FileSystem::Default(), path_);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AddSymbols({"a", "b", "c"}).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  auto r = OpenOrDie(path_);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->NumSymbols(), 3u);
  EXPECT_EQ(r->NumSeries(), 0u);
  EXPECT_TRUE(r->Verify().ok());
}

TEST_F(IndexFileReaderTest, ForEachPostingsListReportsCounts) {
  const std::vector<TestSeries> series = MakeSeries(200, 5);
  const std::vector<SeriesId> ids = WriteIndex(path_, series);
  auto r = OpenOrDie(path_);
  ASSERT_NE(r, nullptr);
  const Expected want(series, ids);
  std::map<std::string, std::map<std::string, uint32_t>> got;
  ASSERT_TRUE(r->ForEachPostingsList([&](std::string_view n, std::string_view v,
                                         uint32_t c) {
                 got[std::string(n)][std::string(v)] = c;
                 return Status::OK();
               }).ok());
  ASSERT_EQ(got.size(), want.postings.size());
  for (const auto& [name, values] : want.postings) {
    for (const auto& [value, list] : values) {
      EXPECT_EQ(got[name][value], list.size());
    }
  }
  int calls = 0;
  Status s = r->ForEachPostingsList([&](auto, auto, auto) {
    return ++calls == 3 ? Status::Cancelled("stop") : Status::OK();
  });
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(calls, 3);
}

TEST_F(IndexFileReaderTest, LargeIndexRoundTrip) {
  const size_t kSeries = 100000;
  const std::vector<TestSeries> series = MakeSeries(kSeries, 23);
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<SeriesId> ids = WriteIndex(path_, series);
  ASSERT_EQ(ids.size(), kSeries);
  const auto t1 = std::chrono::steady_clock::now();
  auto r = OpenOrDie(path_);
  ASSERT_NE(r, nullptr);
  const auto t2 = std::chrono::steady_clock::now();
  EXPECT_EQ(r->NumSeries(), kSeries);
  Status v = r->Verify();
  EXPECT_TRUE(v.ok()) << v.ToString();
  const auto t3 = std::chrono::steady_clock::now();
  auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::printf(
      "100k series: write %lld ms, open %lld ms, verify %lld ms, "
      "%lld bytes\n",
      static_cast<long long>(ms(t1 - t0)), static_cast<long long>(ms(t2 - t1)),
      static_cast<long long>(ms(t3 - t2)),
      static_cast<long long>(r->FileSize()));
  // Spot checks; the small round trip covers every lookup.
  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) {
    const size_t k = rng() % kSeries;
    Labels labels;
    std::vector<ChunkMeta> chunks;
    ASSERT_TRUE(r->Series(ids[k], &labels, &chunks).ok());
    EXPECT_EQ(labels, series[k].labels);
    EXPECT_EQ(chunks.size(), series[k].chunks.size());
    auto p = r->PostingsFor("id", {std::string(series[k].labels.Get("id"))});
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(ToVector(*p), std::vector<uint32_t>{ids[k]});
  }
  auto values = r->LabelValues("id");
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(values->size(), kSeries);
  auto job = r->PostingsFor("job", {"api", "db", "node", "prometheus"});
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->cardinality(), kSeries);
}

}  // namespace
}  // namespace strata
