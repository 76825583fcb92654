#include "block/block_dir.h"

#include "util/ulid.h"

namespace strata {

bool IsBlockDirName(std::string_view name) { return Ulid::IsValid(name); }

bool IsTmpBlockDirName(std::string_view name) {
  for (std::string_view suffix :
       {kTmpForCreationSuffix, kTmpForDeletionSuffix, kLegacyTmpSuffix}) {
    if (name.size() == Ulid::kStringLength + suffix.size() &&
        name.substr(Ulid::kStringLength) == suffix &&
        Ulid::IsValid(name.substr(0, Ulid::kStringLength))) {
      return true;
    }
  }
  return false;
}

StatusOr<std::vector<std::string>> ListBlockDirs(FileSystem* fs,
                                                 const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::vector<std::string> out;
  for (std::string& n : names) {
    if (IsBlockDirName(n) && fs->IsDirectory(JoinPath(dir, n))) {
      out.push_back(std::move(n));
    }
  }
  return out;
}

StatusOr<int> RemoveTmpBlockDirs(FileSystem* fs, const std::string& dir) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  int removed = 0;
  for (const std::string& n : names) {
    if (!IsTmpBlockDirName(n)) continue;
    STRATA_RETURN_IF_ERROR(fs->RemoveAll(JoinPath(dir, n)));
    ++removed;
  }
  if (removed > 0) STRATA_RETURN_IF_ERROR(fs->SyncDir(dir));
  return removed;
}

}  // namespace strata
