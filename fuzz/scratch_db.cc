#include "scratch_db.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "strata/options.h"

namespace strata::fuzz {

ScratchDB::ScratchDB() {
  if (!tmp_.ok()) {
    std::perror("creating the scratch directory");
    std::abort();
  }
  Open();
}

ScratchDB::~ScratchDB() { CloseAndRemove(); }

void ScratchDB::Reset() {
  CloseAndRemove();
  Open();
}

void ScratchDB::Open() {
  Options options;
  options.background_compaction = false;
  // Histogram samples are stored, not refused as a whole request: with the
  // feature off, a request holding one is a 500 by design (Prometheus 2.42
  // does the same), which the handler targets would take for a failure.
  options.enable_native_histograms = true;
  auto db = DB::Open(options, dir() + "/data");
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
  std::filesystem::remove_all(dir() + "/data", ec);
}

}  // namespace strata::fuzz
