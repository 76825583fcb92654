// Where tests find the repository (and ../shared) and the build tree:
// the environment when set, else the paths CMake compiled in. And the one
// rule for what is missing from the environment: skip locally, fail in CI.
#ifndef STRATA_TESTS_TEST_ENV_H_
#define STRATA_TESTS_TEST_ENV_H_

#include <cstdlib>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace strata::testing {

inline std::string SourceDir() {
  const char* env = std::getenv("STRATA_SOURCE_DIR");
#ifdef STRATA_SOURCE_DIR_DEFAULT
  return env != nullptr ? env : STRATA_SOURCE_DIR_DEFAULT;
#else
  return env != nullptr ? env : ".";
#endif
}

inline std::string BinaryDir() {
  const char* env = std::getenv("STRATA_BINARY_DIR");
#ifdef STRATA_BINARY_DIR_DEFAULT
  return env != nullptr ? env : STRATA_BINARY_DIR_DEFAULT;
#else
  return env != nullptr ? env : ".";
#endif
}

// The read-only material beside the repository (datasets, conformance).
inline std::string SharedDir() { return SourceDir() + "/../shared"; }

// True when CI=true: there the ../shared datasets and the Prometheus
// binaries (prometheus, promtool, node_exporter) must be present.
inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

}  // namespace strata::testing

// For a test that needs `what` (the ../shared dataset, a binary) and does
// not find it: GTEST_SKIP() normally, a fatal failure with the same message
// when InCi(). Returns from the enclosing void function either way, so use
// it in a test body or SetUp:
//   if (!HavePromtool()) STRATA_SKIP_OR_FAIL_IF_MISSING("promtool");
// Not for skips about anything else (a kernel feature, say).
#define STRATA_SKIP_OR_FAIL_IF_MISSING(what)              \
  do {                                                    \
    if (::strata::testing::InCi()) {                      \
      GTEST_FAIL() << "missing, and CI=true: " << (what); \
    } else {                                              \
      GTEST_SKIP() << "missing: " << (what);              \
    }                                                     \
  } while (0)

#endif  // STRATA_TESTS_TEST_ENV_H_
