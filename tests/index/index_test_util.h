// Helpers shared by the index tests: temporary directories, synthetic
// series, and writing them with IndexWriter.
#ifndef STRATA_TESTS_INDEX_INDEX_TEST_UTIL_H_
#define STRATA_TESTS_INDEX_INDEX_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "index/index_writer.h"
#include "index/reader.h"
#include "strata/labels.h"
#include "util/file_system.h"

namespace strata::index_testing {

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "strata-index-test-XXXXXX")
            .string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScopedTempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct TestSeries {
  Labels labels;
  std::vector<ChunkMeta> chunks;
};

// `n` distinct series in label order, with a mix of shared and unique
// label values (so some names have thousands of values and the reader's
// sampled postings table is exercised) and 0-3 chunk metas each, refs
// increasing across series as in a block.
inline std::vector<TestSeries> MakeSeries(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::set<Labels> sets;
  static const char* kJobs[] = {"api", "db", "node", "prometheus"};
  static const char* kMethods[] = {"get", "post", "put"};
  for (size_t i = 0; sets.size() < n; ++i) {
    std::vector<Label> l;
    l.push_back({"__name__", "metric_" + std::to_string(rng() % 37)});
    l.push_back({"job", kJobs[rng() % 4]});
    l.push_back({"instance", "host-" + std::to_string(rng() % 50) + ":9100"});
    l.push_back({"id", std::to_string(i)});
    if (rng() % 3 == 0) l.push_back({"method", kMethods[rng() % 3]});
    if (rng() % 5 == 0) l.push_back({"le", std::to_string(rng() % 10) + ".5"});
    sets.insert(Labels::FromUnchecked(std::move(l)));
  }
  std::vector<TestSeries> out;
  out.reserve(n);
  uint64_t ref = 8;
  for (const Labels& l : sets) {
    TestSeries s;
    s.labels = l;
    const int chunks = static_cast<int>(rng() % 4);
    int64_t t = 1700000000000 + static_cast<int64_t>(rng() % 100000);
    for (int c = 0; c < chunks; ++c) {
      ChunkMeta m;
      m.ref = ref;
      ref += 20 + rng() % 300;
      m.mint = t;
      m.maxt = t + static_cast<int64_t>(rng() % 7200000);
      t = m.maxt + 1 + static_cast<int64_t>(rng() % 15000);
      s.chunks.push_back(m);
    }
    out.push_back(std::move(s));
  }
  return out;
}

// Every label name and value, sorted and unique.
inline std::vector<std::string> SymbolsOf(const std::vector<TestSeries>& s) {
  std::set<std::string> syms;
  for (const TestSeries& t : s) {
    for (const Label& l : t.labels) {
      syms.insert(l.name);
      syms.insert(l.value);
    }
  }
  return {syms.begin(), syms.end()};
}

// Writes `series` (in order) to `path`; returns the ids assigned.
inline std::vector<SeriesId> WriteIndex(const std::string& path,
                                        const std::vector<TestSeries>& series) {
  std::vector<SeriesId> ids;
  auto w = IndexWriter::Create(FileSystem::Default(), path);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) return ids;
  Status s = (*w)->AddSymbols(SymbolsOf(series));
  EXPECT_TRUE(s.ok()) << s.ToString();
  for (const TestSeries& t : series) {
    auto id = (*w)->AddSeries(t.labels, t.chunks);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return ids;
    ids.push_back(*id);
  }
  s = (*w)->Finish();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return ids;
}

inline std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

inline bool WriteWholeFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  return static_cast<bool>(out);
}

inline std::vector<uint32_t> ToVector(const Postings& p) {
  std::vector<uint32_t> out(p.cardinality());
  if (!out.empty()) p.toUint32Array(out.data());
  return out;
}

}  // namespace strata::index_testing

#endif  // STRATA_TESTS_INDEX_INDEX_TEST_UTIL_H_
