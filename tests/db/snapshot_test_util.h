// Helpers for the shutdown-snapshot tests: a reproducible workload, a full
// dump of a DB's answers, and finding the snapshot directory.
#ifndef STRATA_TESTS_DB_SNAPSHOT_TEST_UTIL_H_
#define STRATA_TESTS_DB_SNAPSHOT_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "db_test_util.h"
#include "strata/db.h"

namespace strata::testing {

// Series "job=snap, s=<i>", samples every 15 s from `from_step` on; values
// mix counters, random bit patterns (NaNs included) and repeats, so chunks
// exercise every encoder branch. Series 0 is appended 4x as often, so it
// spans several chunks (one every 120 samples, Prometheus's cut rule).
inline void AppendWorkload(DB& db, int series, int from_step, int steps,
                           uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto app = db.NewAppender();
  for (int step = from_step; step < from_step + steps; ++step) {
    for (int s = 0; s < series; ++s) {
      const int per_step = s == 0 ? 4 : 1;
      for (int k = 0; k < per_step; ++k) {
        const int64_t t = int64_t{step} * 15000 + k * 3000;
        double v;
        switch (rng() % 3) {
          case 0:
            v = std::bit_cast<double>(rng());
            break;
          case 1:
            v = step * 1.5 + s;
            break;
          default:
            v = s;
        }
        Labels l = Labels::Of({{"job", "snap"}, {"s", absl::StrCat(s)}});
        ASSERT_TRUE(app->Append(l, t, v).ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
  }
}

// Every answer of the DB for the workload's series.
inline std::map<std::string, std::vector<TV>> Dump(DB& db) {
  return ReadAll(db, {Matcher::Equal("job", "snap")});
}

// Snapshot directories in the data dir (complete or partial).
inline std::vector<std::string> SnapshotDirs(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("head_snapshot.")) out.push_back(name);
  }
  return out;
}

// The options of the snapshot and head-chunk tests: no background
// compaction, 64 KiB WAL segments (several of them), head chunks on disk,
// the shutdown snapshot as given.
inline Options HeadChunkTestOptions(bool snapshot_on_shutdown) {
  Options o;
  o.background_compaction = false;
  o.wal_segment_bytes = 64 * 1024;
  o.head_chunks_on_disk = true;
  o.snapshot_on_shutdown = snapshot_on_shutdown;
  return o;
}

inline std::unique_ptr<DB> OpenOrDie(const Options& o, const std::string& dir) {
  auto db = DB::Open(o, dir);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

// The files in a directory (none if it does not exist), sorted.
inline std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The head-chunk files of a data dir, sorted.
inline std::vector<std::string> ChunkFiles(const std::string& data_dir) {
  return FilesIn(data_dir + "/chunks_head");
}

inline void CopyDir(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to,
                        std::filesystem::copy_options::recursive |
                            std::filesystem::copy_options::overwrite_existing);
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_DB_SNAPSHOT_TEST_UTIL_H_
