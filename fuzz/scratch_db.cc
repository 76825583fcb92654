#include "scratch_db.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "strata/options.h"

namespace strata::fuzz {

ScratchDB::ScratchDB() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
      "/strata-fuzz-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  dir_ = pattern;
  Open();
}

ScratchDB::~ScratchDB() {
  CloseAndRemove();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void ScratchDB::Reset() {
  CloseAndRemove();
  Open();
}

void ScratchDB::Open() {
  Options options;
  options.background_compaction = false;
  auto db = DB::Open(options, dir_ + "/data");
  if (!db.ok()) {
    std::fprintf(stderr, "opening the scratch DB failed: %s\n",
                 db.status().ToString().c_str());
    std::abort();
  }
  db_ = std::move(*db);
}

void ScratchDB::CloseAndRemove() {
  if (db_ != nullptr) (void)db_->Close();
  db_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_ + "/data", ec);
}

}  // namespace strata::fuzz
