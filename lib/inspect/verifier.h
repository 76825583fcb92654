// Verifier: the full offline check (behind `strata-tsdb verify`). Unlike
// Block::Verify, which stops at the first problem, it goes on and reports
// every problem it can find, each with the file, the byte offset (when
// known) and the affected series (when known):
//   meta.json  parses, names its own ULID, minTime < maxTime, stats equal
//              what the files hold;
//   index      header, TOC, symbols, postings offset table, every CRC,
//              sort orders, postings sorted and agreeing with the series
//              (IndexFileReader::Verify), every series entry readable;
//   chunks     every chunk of every segment passes its CRC, every chunk a
//              series references reads, decodes, has the time range the
//              index says and lies inside the block's range;
//   tombstones checksum and structure;
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

#include "strata/status.h"

namespace strata::inspect {

struct Problem {
  std::string file;     // Path of the damaged file.
  int64_t offset = -1;  // Byte offset in it; -1 if unknown.
  std::string series;   // Affected series, "" if unknown or none.
  std::string what;
  // A torn WAL tail: what an interrupted write leaves; replay cuts it.
  bool warning = false;
};

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

// The byte offset a Corruption message names ("at byte N", "offset N"),
// or -1.
int64_t OffsetFromMessage(std::string_view message);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_VERIFIER_H_
