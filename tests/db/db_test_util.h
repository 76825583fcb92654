// Helpers shared by the DB tests: temp dirs and reading series back.
#ifndef STRATA_TESTS_DB_DB_TEST_UTIL_H_
#define STRATA_TESTS_DB_DB_TEST_UTIL_H_

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "strata/db.h"
#include "temp_dir.h"

namespace strata::testing {

struct TV {
  int64_t t;
  double v;
  friend bool operator==(const TV& a, const TV& b) {
    return a.t == b.t && (a.v == b.v || (a.v != a.v && b.v != b.v));
  }
};

// All samples of series matching `m`, keyed by their label string.
inline std::map<std::string, std::vector<TV>> ReadAll(
    DB& db, const std::vector<Matcher>& m, int64_t mint = INT64_MIN,
    int64_t maxt = INT64_MAX) {
  std::map<std::string, std::vector<TV>> out;
  auto q = db.NewQuerier(mint, maxt);
  if (!q.ok()) return out;
  auto set = (*q)->Select(m);
  while (set->Next()) {
    auto& v = out[set->At().labels().ToString()];
    auto it = set->At().NewIterator();
    while (it->Next()) v.push_back({it->t(), it->v()});
  }
  return out;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_DB_DB_TEST_UTIL_H_
