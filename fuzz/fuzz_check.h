// FUZZ_CHECK: an invariant of a fuzz target. On failure it prints what was
// expected and aborts, which libFuzzer reports as a crash and saves the
// input (a broken invariant is a finding like a sanitizer report).
#ifndef STRATA_FUZZ_FUZZ_CHECK_H_
#define STRATA_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_CHECK(cond, detail)                                           \
  do {                                                                     \
    if (!(cond)) {                                                         \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", __FILE__, \
                   __LINE__, #cond, std::string(detail).c_str());          \
      std::abort();                                                        \
    }                                                                      \
  } while (0)

#endif  // STRATA_FUZZ_FUZZ_CHECK_H_
