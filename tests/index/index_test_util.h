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
#include <memory>
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

// Serves MapFile from memory for paths put here and forwards everything
// else to the default file system, so that tests can try thousands of
// damaged files without writing them.
class MemoryMapFileSystem : public FileSystem {
 public:
  void Put(const std::string& path, std::string data) {
    files_[path] = std::move(data);
  }

  StatusOr<std::unique_ptr<MappedFile>> MapFile(
      const std::string& path) override {
    auto it = files_.find(path);
    if (it == files_.end()) return base_->MapFile(path);
    return std::unique_ptr<MappedFile>(
        std::make_unique<StringMappedFile>(it->second));
  }
  StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& p) override {
    return base_->NewWritableFile(p);
  }
  StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& p) override {
    return base_->NewAppendableFile(p);
  }
  StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& p) override {
    return base_->NewRandomAccessFile(p);
  }
  StatusOr<std::string> ReadFile(const std::string& p) override {
    return base_->ReadFile(p);
  }
  bool Exists(const std::string& p) override { return base_->Exists(p); }
  bool IsDirectory(const std::string& p) override {
    return base_->IsDirectory(p);
  }
  StatusOr<std::vector<std::string>> ListDir(const std::string& p) override {
    return base_->ListDir(p);
  }
  Status CreateDirs(const std::string& p) override {
    return base_->CreateDirs(p);
  }
  Status RemoveFile(const std::string& p) override {
    return base_->RemoveFile(p);
  }
  Status RemoveAll(const std::string& p) override {
    return base_->RemoveAll(p);
  }
  Status Rename(const std::string& a, const std::string& b) override {
    return base_->Rename(a, b);
  }
  Status Link(const std::string& a, const std::string& b) override {
    return base_->Link(a, b);
  }
  Status SyncDir(const std::string& p) override { return base_->SyncDir(p); }
  StatusOr<int64_t> FileSize(const std::string& p) override {
    return base_->FileSize(p);
  }
  Status TruncateFile(const std::string& p, int64_t size) override {
    return base_->TruncateFile(p, size);
  }

 private:
  // A copy of the bytes, so that the reader owns what it maps, as with a
  // real mapping.
  class StringMappedFile : public MappedFile {
   public:
    explicit StringMappedFile(std::string data) : data_(std::move(data)) {}
    std::string_view data() const override { return data_; }

   private:
    std::string data_;
  };

  FileSystem* const base_ = FileSystem::Default();
  std::map<std::string, std::string> files_;
};

inline std::vector<uint32_t> ToVector(const Postings& p) {
  std::vector<uint32_t> out(p.cardinality());
  if (!out.empty()) p.toUint32Array(out.data());
  return out;
}

}  // namespace strata::index_testing

#endif  // STRATA_TESTS_INDEX_INDEX_TEST_UTIL_H_
