// An empty DB in a test's temporary directory, for PromQL tests that append
// their own samples: no retention, logging at warn level.
#ifndef STRATA_TESTS_PROMQL_TEST_DB_H_
#define STRATA_TESTS_PROMQL_TEST_DB_H_

#include <memory>
#include <utility>

#include "gtest/gtest.h"
#include "strata/db.h"
#include "temp_dir.h"
#include "util/log.h"

namespace strata::promql {

// Null (and a test failure) if the DB cannot be opened.
inline std::unique_ptr<DB> OpenTestDb(const strata::testing::TempDir& dir) {
  SetLogLevel(LogLevel::kWarn);
  Options options;
  options.retention_ms = 0;
  auto db = DB::Open(options, dir.path());
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return nullptr;
  return *std::move(db);
}

}  // namespace strata::promql

#endif  // STRATA_TESTS_PROMQL_TEST_DB_H_
