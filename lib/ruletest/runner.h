// promtool 2.42's `test rules` for one unit-test file
// (cmd/promtool/unittest.go ruleUnitTest): the rule files globbed relative
// to the test file, each test group run against a fresh DB in a temporary
// directory, and every failure worded as promtool words it.
//
//   ruletest::FileResult r = ruletest::RunUnitTestFile("tests.yml");
//   // stdout "Unit Testing:  tests.yml", r.warnings and then either
//   // "  FAILED:" and r.errors on stderr, or "  SUCCESS".
//
// Thread-safety: independent calls may run concurrently (each has its own
// DB).
#ifndef STRATA_RULETEST_RUNNER_H_
#define STRATA_RULETEST_RUNNER_H_

#include <string>
#include <vector>

namespace strata::ruletest {

struct FileResult {
  // Lines promtool prints on stderr while reading the file, before the
  // verdict ("  WARNING: no file match pattern <glob>").
  std::vector<std::string> warnings;
  // Each failure as promtool prints it (possibly several lines). The file
  // passed when there are none.
  std::vector<std::string> errors;

  bool passed() const { return errors.empty(); }
};

FileResult RunUnitTestFile(const std::string& path);

}  // namespace strata::ruletest

#endif  // STRATA_RULETEST_RUNNER_H_
