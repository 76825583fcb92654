// Naming of block directories inside a data directory, as Prometheus 2.42
// (tsdb/db.go): a complete block is a directory named by its ULID; a block
// being written lives in `<ULID>.tmp-for-creation` until it is renamed into
// place; a block being deleted is first renamed to `<ULID>.tmp-for-deletion`.
// Older Prometheus versions used a plain `<ULID>.tmp`.
//
// Thread-safety: free functions; callers serialize changes to one data dir.
#ifndef STRATA_BLOCK_BLOCK_DIR_H_
#define STRATA_BLOCK_BLOCK_DIR_H_

#include <string>
#include <string_view>
#include <vector>

#include "util/file_system.h"

namespace strata {

inline constexpr std::string_view kTmpForCreationSuffix = ".tmp-for-creation";
inline constexpr std::string_view kTmpForDeletionSuffix = ".tmp-for-deletion";
inline constexpr std::string_view kLegacyTmpSuffix = ".tmp";

// True if `name` is a ULID (a complete block's directory name).
bool IsBlockDirName(std::string_view name);
// True if `name` is `<ULID>` followed by one of the temporary suffixes.
bool IsTmpBlockDirName(std::string_view name);

// Names (not paths) of the complete blocks' directories in `dir`, sorted
// (by ULID, so by creation time).
StatusOr<std::vector<std::string>> ListBlockDirs(FileSystem* fs,
                                                 const std::string& dir);

// Removes every temporary block directory in `dir` (leftovers of a crash
// during a block write or delete), then syncs `dir`. Call on DB open,
// before any BlockWriter runs. Returns how many were removed.
StatusOr<int> RemoveTmpBlockDirs(FileSystem* fs, const std::string& dir);

}  // namespace strata

#endif  // STRATA_BLOCK_BLOCK_DIR_H_
