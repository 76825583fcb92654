// Whole-file text I/O for tests and test harnesses: a file's bytes as a
// string, and a string as a file's bytes.
//
// Thread-safety: as the file system.
#ifndef STRATA_TESTS_TEXT_FILE_H_
#define STRATA_TESTS_TEXT_FILE_H_

#include <fstream>
#include <sstream>
#include <string>

namespace strata::testing {

// The file's bytes; "" if it cannot be read.
inline std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Replaces the file's contents with `text` (creating it).
inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace strata::testing

#endif  // STRATA_TESTS_TEXT_FILE_H_
