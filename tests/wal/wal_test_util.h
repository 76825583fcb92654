// Helpers shared by the WAL tests.
#ifndef STRATA_TESTS_WAL_WAL_TEST_UTIL_H_
#define STRATA_TESTS_WAL_WAL_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "temp_dir.h"
#include "util/file_system.h"
#include "util/log.h"
#include "wal/replay.h"

namespace strata::wal {

// A fresh directory per test, removed afterwards unless the test failed.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Torn tails and faults are expected here; keep the output readable.
    SetLogLevel(LogLevel::kError);
    ASSERT_TRUE(tmp_.ok());
    dir_ = JoinPath(root_, "wal");
  }
  void TearDown() override {
    // Keep the files of a failed test for inspection.
    if (HasFailure()) tmp_.Keep();
    SetLogLevel(LogLevel::kInfo);
  }
  static FileSystem* posix() { return FileSystem::Default(); }

  strata::testing::TempDir tmp_{"strata-wal"};
  const std::string root_ = tmp_.path();  // Holds dir_ and any quarantine.
  std::string dir_;                       // The WAL directory.
};

// Deterministic pseudo-random record contents: the record's number in the
// first bytes, so tests can tell records apart.
inline std::string MakeRecord(uint64_t id, size_t size) {
  std::string r(size, '\0');
  std::mt19937_64 rng(id * 7919 + size);
  for (size_t i = 0; i < size; ++i) r[i] = static_cast<char>(rng());
  for (size_t i = 0; i < size && i < 8; ++i)
    r[i] = static_cast<char>(id >> (8 * i));
  return r;
}

// Replays `dir` and returns the records in order.
inline std::vector<std::string> ReplayAll(FileSystem* fs,
                                          const std::string& dir,
                                          ReplayResult* result,
                                          const ReplayOptions& options = {}) {
  std::vector<std::string> records;
  Status s = ReplayWal(
      fs, dir,
      [&](std::string_view r) {
        records.emplace_back(r);
        return Status::OK();
      },
      result, options);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return records;
}

}  // namespace strata::wal

#endif  // STRATA_TESTS_WAL_WAL_TEST_UTIL_H_
