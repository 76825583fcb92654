// Runs a shell command for tests that drive real binaries (promtool,
// Prometheus's tools): its stdout, and its exit code.
//
// Thread-safety: as popen.
#ifndef STRATA_TESTS_RUN_COMMAND_H_
#define STRATA_TESTS_RUN_COMMAND_H_

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace strata::testing {

// `s` in single quotes for /bin/sh, so that any text is one word.
inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs `cmd` with /bin/sh; returns its stdout and sets *exit_code (-1 when
// it could not run or did not exit normally).
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

#endif  // STRATA_TESTS_RUN_COMMAND_H_
