// CheckBlockDir: the full check of one block directory, reporting every
// problem it finds (unlike Block::Verify, which stops at the first), each
// with the file, the byte offset (when known) and the affected series
// (when known):
//   meta.json  parses, names its own ULID, minTime < maxTime, stats equal
//              what the files hold;
//   index      header, TOC, symbols, postings offset table, every CRC,
//              sort orders, postings sorted and agreeing with the series
//              (IndexFileReader::Verify), every series entry readable;
//   chunks     every chunk of every segment passes its CRC, every chunk a
//              series references reads, decodes, has the time range the
//              index says and lies inside the block's range;
//   tombstones checksum and structure.
// One implementation for `strata-tsdb verify` (inspect/verifier.h) and the
// DB's background scrub (which passes a throttle to bound its read rate).
//
// Thread-safety: one thread per call; the block may be served meanwhile
// (the check opens its own readers).
#ifndef STRATA_BLOCK_BLOCK_CHECK_H_
#define STRATA_BLOCK_BLOCK_CHECK_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"
#include "util/corruption.h"
#include "util/file_system.h"

namespace strata {

// One problem found in a data directory.
struct Problem {
  std::string file;     // Path of the damaged file.
  int64_t offset = -1;  // Byte offset in it; -1 if unknown.
  std::string series;   // Affected series, "" if unknown or none.
  std::string what;
  // A torn WAL tail: what an interrupted write leaves; replay cuts it.
  bool warning = false;
  CorruptionKind kind = CorruptionKind::kBlock;
};

struct BlockCheckOptions {
  // Called after each piece read (an index, a series entry, a chunk) with
  // its size in bytes; may sleep to bound the read rate, and returns false
  // to stop the check (then `interrupted`). May be empty.
  std::function<bool(int64_t bytes)> throttle;
};

struct BlockCheckResult {
  int64_t series_checked = 0;
  int64_t chunks_checked = 0;
  int64_t bytes_read = 0;
  bool interrupted = false;  // The throttle stopped the check early.
  std::vector<Problem> problems;
};

// Checks the block in `dir`, whose directory name is `name` (its ULID).
BlockCheckResult CheckBlockDir(FileSystem* fs, const std::string& dir,
                               const std::string& name,
                               const BlockCheckOptions& options = {});

// The byte offset a Corruption message names ("at byte N", "at offset N",
// "offset N"), or -1.
int64_t OffsetFromMessage(std::string_view message);

}  // namespace strata

#endif  // STRATA_BLOCK_BLOCK_CHECK_H_
