// Where tests find the repository (and ../shared) and the build tree:
// the environment when set, else the paths CMake compiled in.
#ifndef STRATA_TESTS_TEST_ENV_H_
#define STRATA_TESTS_TEST_ENV_H_

#include <cstdlib>
#include <string>

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

}  // namespace strata::testing

#endif  // STRATA_TESTS_TEST_ENV_H_
