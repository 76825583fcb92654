// CopyBlocks: copies complete block directories from one data directory
// into another, skipping ULIDs the destination already has. Each block is
// copied into `<ULID>.tmp-for-creation`, fdatasynced, opened and fully
// verified (every checksum, Block::Verify) and only then renamed into
// place, so the destination never shows a partial or damaged block. Used by
// `import prometheus`, `restore` and `backup --server`.
//
// Thread-safety: one call at a time per destination.
#ifndef STRATA_INSPECT_BLOCK_COPY_H_
#define STRATA_INSPECT_BLOCK_COPY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "strata/status.h"

namespace strata::inspect {

struct CopyReport {
  int64_t blocks_copied = 0;
  int64_t blocks_skipped = 0;  // Already in the destination.
  int64_t bytes_copied = 0;
  std::vector<std::string> copied;  // ULIDs.
};

// Copies every block of `src_dir` missing from `dst_dir` (created if
// needed). A source block that fails to open or verify is an error naming
// it; blocks copied before it stay.
StatusOr<CopyReport> CopyBlocks(const std::string& src_dir,
                                const std::string& dst_dir);

}  // namespace strata::inspect

#endif  // STRATA_INSPECT_BLOCK_COPY_H_
