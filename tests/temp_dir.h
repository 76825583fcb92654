// A fresh directory for one test or benchmark, removed with its contents
// when the object goes away. The one temp-dir helper for tests/ and bench/.
//
// Set STRATA_KEEP_TEST_DIRS=1 to keep every directory for a post-mortem;
// Keep() keeps one (e.g. from a fixture's TearDown when the test failed).
//
// Thread-safety: not thread-safe; a TempDir belongs to one test.
#ifndef STRATA_TESTS_TEMP_DIR_H_
#define STRATA_TESTS_TEMP_DIR_H_

#include <stdlib.h>  // mkdtemp

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace strata::testing {

class TempDir {
 public:
  // Creates $TMPDIR/<prefix>-XXXXXX. path() is "" (and ok() false) if the
  // directory could not be created.
  explicit TempDir(std::string_view prefix = "strata-test") {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string tmpl = (base / (std::string(prefix) + "-XXXXXX")).string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = std::move(tmpl);
  }
  ~TempDir() {
    if (path_.empty() || keep_ || std::getenv("STRATA_KEEP_TEST_DIRS")) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  // path()/name.
  std::string Join(std::string_view name) const {
    return path_ + "/" + std::string(name);
  }
  // Leaves the directory in place on destruction.
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace strata::testing

#endif  // STRATA_TESTS_TEMP_DIR_H_
