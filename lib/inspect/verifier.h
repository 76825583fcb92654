// Verifier: the full offline check (behind `strata-tsdb verify`). Unlike
// Block::Verify, which stops at the first problem, it goes on and reports
// every problem it can find, each with the file, the byte offset (when
// known) and the affected series (when known):
//   blocks     meta.json, index, chunks and tombstones as CheckBlockDir
//              (block/block_check.h) checks them, the DB's scrub too;
//   WAL        every record of every segment and of the checkpoint: page
//              framing, CRCs, compression and record payloads.
//
// Thread-safety: one thread.
#ifndef STRATA_INSPECT_VERIFIER_H_
#define STRATA_INSPECT_VERIFIER_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "block/block_check.h"
#include "strata/status.h"

namespace strata::inspect {

// One problem found: file, offset, series, what (block/block_check.h).
using ::strata::Problem;

struct VerifyReport {
  int64_t blocks_checked = 0;
  int64_t series_checked = 0;
  int64_t chunks_checked = 0;
  int64_t segments_checked = 0;
  int64_t records_checked = 0;
  std::vector<Problem> problems;
  // Names of the damaged blocks (ULIDs) and WAL segment indexes.
  std::set<std::string> damaged_blocks;
  std::set<int> damaged_segments;
  // Of the WAL's own directory, not the checkpoint.
  int64_t first_damage_offset = -1;

  int errors() const;
};

// Checks every block and the WAL of `data_dir`. The problems found are in
// the report; the Status is about the check itself (NotFound for a missing
// directory, an unlistable directory).
StatusOr<VerifyReport> VerifyDataDir(const std::string& data_dir);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_VERIFIER_H_
