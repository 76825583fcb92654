// Durable file and directory copies through a FileSystem: each copied file
// is fdatasynced and each directory synced, so a copy that returned OK
// survives a crash. Used by DB::Backup and DB::Snapshot (hard links), and
// strata-tsdb's backup, restore and repair.
//
// Thread-safety: pure functions over the FileSystem (itself thread-safe).
#ifndef STRATA_UTIL_COPY_TREE_H_
#define STRATA_UTIL_COPY_TREE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "strata/status.h"
#include "util/file_system.h"

namespace strata {

// Copies file `from` to `to` (created or truncated) in 1 MiB pieces and
// syncs it. Returns the bytes copied.
StatusOr<int64_t> CopyFileSynced(FileSystem* fs, const std::string& from,
                                 const std::string& to);

// Copies directory `from` into `to` recursively (creating `to`), syncing
// every file and directory. Adds the bytes copied to `*bytes`.
Status CopyTreeSynced(FileSystem* fs, const std::string& from,
                      const std::string& to, int64_t* bytes);

// Hard-links every file of directory `from` into `to` recursively
// (creating `to` and its subdirectories), syncing every directory.
Status LinkTreeSynced(FileSystem* fs, const std::string& from,
                      const std::string& to);

}  // namespace strata

#endif  // STRATA_UTIL_COPY_TREE_H_
