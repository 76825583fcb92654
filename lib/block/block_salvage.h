// SalvageBlock: rebuilds what can still be read of a damaged block as a
// new block. One implementation for `strata-tsdb verify --repair`
// (inspect/repair.h) and the DB's quarantine after a scrub finds damage.
//
// Kept: every series whose index entry reads, with every chunk that passes
// its CRC and decodes (a damaged series keeps its intact chunks), minus
// tombstoned samples. Intact chunks are copied byte for byte (BlockWriter).
// The new block keeps the damaged one's time range (from the chunks when
// meta.json is unreadable), level and sources; its parent is the damaged
// block and its compaction hints hold kHintSalvaged, so that a DB opening
// a directory that still holds both (a crash between writing the new block
// and moving the old one aside) quarantines the old one instead of
// serving it.
//
// Thread-safety: one thread per call; the damaged block may be served
// meanwhile (this opens its own readers, with pread for chunks).
#ifndef STRATA_BLOCK_BLOCK_SALVAGE_H_
#define STRATA_BLOCK_BLOCK_SALVAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "block/block_meta.h"
#include "block/block_writer.h"
#include "strata/status.h"
#include "util/file_system.h"

namespace strata {

inline constexpr char kHintSalvaged[] = "strata-salvaged";

struct SalvageResult {
  // The block written; unset when nothing was readable.
  std::optional<BlockMeta> written;
  int64_t series_kept = 0;
  int64_t series_lost = 0;  // Index entry unreadable.
  int64_t samples_kept = 0;
  int64_t chunks_lost = 0;  // CRC mismatch or does not decode.
  std::vector<std::string> notes;
};

// Reads the damaged block in `damaged_dir` and writes what is intact as a
// new block into `out_dir`. Errors are about writing; what could not be
// read is counted and noted.
StatusOr<SalvageResult> SalvageBlock(FileSystem* fs,
                                     const std::string& damaged_dir,
                                     const std::string& out_dir,
                                     const BlockWriterOptions& options = {});

// Moves the block directory `<data_dir>/<name>` to
// `<data_dir>/quarantine/<name>` (or `<name>-2`... if taken), syncing both
// directories; returns the new path. Nothing is deleted.
StatusOr<std::string> QuarantineBlockDir(FileSystem* fs,
                                         const std::string& data_dir,
                                         const std::string& name);

// True if `meta` is of a block SalvageBlock wrote.
bool IsSalvagedBlock(const BlockMeta& meta);

}  // namespace strata

#endif  // STRATA_BLOCK_BLOCK_SALVAGE_H_
