// ScratchDB: a strata::DB in a fresh temporary directory for the fuzz
// targets that drive the remote write/read handlers, removed on Reset and
// at exit. Reset every few thousand inputs keeps the head (and RSS) small
// over millions of executions.
//
// Thread-safety: one thread.
#ifndef STRATA_FUZZ_SCRATCH_DB_H_
#define STRATA_FUZZ_SCRATCH_DB_H_

#include <memory>
#include <string>

#include "strata/db.h"
#include "temp_dir.h"

namespace strata::fuzz {

class ScratchDB {
 public:
  // Creates the directory under $TMPDIR (tests/temp_dir.h); aborts if the
  // DB does not open: the target cannot run without it.
  ScratchDB();
  ~ScratchDB();
  ScratchDB(const ScratchDB&) = delete;
  ScratchDB& operator=(const ScratchDB&) = delete;

  // Closes the DB, deletes its files and opens an empty one.
  void Reset();
  DB* db() const { return db_.get(); }
  const std::string& dir() const { return tmp_.path(); }

 private:
  void Open();
  void CloseAndRemove();

  testing::TempDir tmp_{"strata-fuzz"};
  std::unique_ptr<DB> db_;
};

}  // namespace strata::fuzz

#endif  // STRATA_FUZZ_SCRATCH_DB_H_
