// Helpers shared by the block tests: temp dirs, the shared dataset, samples
// and running commands (promtool).
#ifndef STRATA_TESTS_BLOCK_BLOCK_TEST_UTIL_H_
#define STRATA_TESTS_BLOCK_BLOCK_TEST_UTIL_H_

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "util/coding.h"

namespace strata::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "strata-block-XXXXXX")
            .string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string SourceDir() {
  const char* env = std::getenv("STRATA_SOURCE_DIR");
  return env != nullptr ? env : STRATA_BLOCK_TEST_SOURCE_DIR;
}
inline std::string DatasetDir() {
  return SourceDir() + "/../shared/datasets/recorded-15s";
}

// A sample; values compare by bits so NaNs (staleness markers) match.
struct TV {
  int64_t t;
  double v;
  friend bool operator==(const TV& a, const TV& b) {
    return a.t == b.t && DoubleBits(a.v) == DoubleBits(b.v);
  }
};
inline std::ostream& operator<<(std::ostream& os, const TV& s) {
  return os << "{" << s.t << ", " << s.v << "}";
}

// Runs a shell command; returns its stdout, sets *exit_code.
inline std::string RunCommand(const std::string& cmd, int* exit_code) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    *exit_code = -1;
    return out;
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_BLOCK_BLOCK_TEST_UTIL_H_
